// The web host over real sockets: static files, the token on /api and the WebSocket, loopback only.
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HostCore } from '../../src/main/host/host-core';
import { startWebHost, type WebHost } from '../../src/main/web/server';
import { WEB_CLOSE_UNAUTHORIZED, type HostEvent } from '../../src/protocol/host';
import { encodeRecord } from '../../src/protocol/log-codec';
import { decodeHostEvent } from '../../src/protocol/wire-codec';
import { sampleBody, sampleHeader } from '../protocol/sample-records';
import { tempDir } from './helpers';

/** GET with the path sent exactly as given (fetch would normalize `..` away). */
function rawGet(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket client that records decoded events and how the connection closed. */
function client(url: string) {
  const ws = new WebSocket(url);
  const events: HostEvent[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  let waiters: { test: (e: HostEvent) => boolean; resolve: (e: HostEvent) => void }[] = [];
  ws.on('message', (data) => {
    const event = decodeHostEvent(data as Buffer);
    events.push(event);
    waiters = waiters.filter((w) => {
      if (!w.test(event)) return true;
      w.resolve(event);
      return false;
    });
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  /** The first event from index `from` on (already received or to come) that passes `test`. */
  const until = (test: (e: HostEvent) => boolean, from = 0): Promise<HostEvent> => {
    const found = events.slice(from).find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no such event; got ${events.map((e) => e.kind).join(', ')}`)),
        10_000,
      );
      waiters.push({
        test,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  };
  const next = (kind: HostEvent['kind'], from = 0) => until((e) => e.kind === kind, from);
  return {
    ws,
    events,
    closed,
    opened,
    next,
    until,
    send: (value: unknown) => ws.send(typeof value === 'string' ? value : JSON.stringify(value)),
  };
}

describe('web host', () => {
  let dir: ReturnType<typeof tempDir>;
  let core: HostCore;
  let host: WebHost;

  beforeAll(async () => {
    dir = tempDir();
    const renderer = join(dir.path, 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>ViViT</title>');
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(renderer, 'assets', 'app.css'), 'body{}');
    writeFileSync(join(dir.path, 'secret.txt'), 'TOP SECRET');
    core = new HostCore({
      worker: { path: join(dir.path, 'unused.js') },
      sessionsDir: dir.path,
      examplesDir: dir.path,
    });
    host = await startWebHost({ core, rendererDir: renderer });
  });
  afterAll(async () => {
    await host.close();
    await core.dispose();
    dir.remove();
  });

  it('listens on 127.0.0.1 only, with a long random token in the URL', async () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // Bound to 127.0.0.1 itself, not to all interfaces: other addresses of this machine (other
    // loopback addresses, IPv6, the network interfaces) must refuse the connection.
    const others = ['127.0.0.2', '::1'];
    for (const i of Object.values(networkInterfaces()).flat())
      if (i && !i.internal) others.push(i.address);
    for (const address of others) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: address, port: host.port });
        socket.on('connect', () => (socket.destroy(), resolve(false)));
        socket.on('error', () => resolve(true));
      });
      expect(refused, `reachable on ${address}`).toBe(true);
    }
    expect((await rawGet(host.port, '/')).status).toBe(200);
  });

  it('serves the renderer without a token, with content types and a CSP on the page', async () => {
    const page = await rawGet(host.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>ViViT</title>');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect((await rawGet(host.port, '/assets/app.js')).headers['content-type']).toBe(
      'text/javascript; charset=utf-8',
    );
    expect((await rawGet(host.port, '/assets/app.css')).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
    expect((await rawGet(host.port, '/index.html?token=x')).status).toBe(200);
    expect((await rawGet(host.port, '/missing.js')).status).toBe(404);
  });

  it('blocks directory traversal in every spelling', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2E%2E/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00',
      '/%E0%A4%A',
    ]) {
      const res = await rawGet(host.port, path);
      expect([400, 404], path).toContain(res.status);
      expect(res.body, path).not.toContain('TOP SECRET');
    }
  });

  it('requires the token for /api/log (query or header) and downloads the session log', async () => {
    expect((await rawGet(host.port, '/api/log')).status).toBe(401);
    const wrong = await rawGet(host.port, '/api/log?token=' + 'x'.repeat(32));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatch(/missing or invalid token/);
    expect((await rawGet(host.port, '/api/other')).status).toBe(401);
    const none = await rawGet(host.port, `/api/log?token=${host.token}`);
    expect(none.status).toBe(404);
    expect(none.body).toMatch(/no session log yet/);

    const text = [sampleHeader(), ...sampleBody(3)].map(encodeRecord).join('');
    core.openLogText(text, 'upload.jsonl');
    for (const res of [
      await rawGet(host.port, `/api/log?token=${host.token}`),
      await rawGet(host.port, '/api/log', { 'x-vivit-token': host.token }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.body).toBe(text);
      expect(res.headers['content-disposition']).toBe('attachment; filename="tiny_mlp.jsonl"');
    }
  });

  it('closes a WebSocket without the right token, with a code and a reason', async () => {
    const base = `ws://127.0.0.1:${host.port}/ws`;
    for (const url of [base, `${base}?token=nope`]) {
      const c = client(url);
      const closed = await c.closed;
      expect(closed.code).toBe(WEB_CLOSE_UNAUTHORIZED);
      expect(closed.reason).toMatch(/missing or invalid token/);
      expect(c.events).toEqual([]);
    }
    await expect(
      client(`ws://127.0.0.1:${host.port}/elsewhere?token=${host.token}`).opened,
    ).rejects.toThrow(/404/);
  });

  it('serves several browsers: each gets its snapshot, all get broadcasts', async () => {
    const url = `ws://127.0.0.1:${host.port}/ws?token=${host.token}`;
    const a = client(url);
    const b = client(url);
    await Promise.all([a.opened, b.opened]);
    a.send({ kind: 'hello' });
    const snapshot = await a.next('snapshot');
    expect(snapshot).toMatchObject({ kind: 'snapshot', source: 'replay', records: sampleBody(3) });
    expect(b.events.some((e) => e.kind === 'snapshot')).toBe(false);

    const text = [sampleHeader({ name: 'second' }), ...sampleBody(3)].map(encodeRecord).join('');
    b.send({ kind: 'openLog', text, name: 'second.jsonl' });
    for (const c of [a, b]) {
      const session = await c.next('session');
      expect(session).toMatchObject({ source: 'replay', header: { name: 'second' } });
      // NaN in a record survives the JSON text of the socket.
      await c.next('records');
      const step3 = c.events
        .flatMap((e) => (e.kind === 'records' ? e.records : []))
        .find((r) => r.type === 'step' && r.step === 3);
      expect(step3?.type === 'step' && Number.isNaN(step3.loss)).toBe(true);
    }
    const before = b.events.length;
    b.send('not json');
    expect(await b.next('notice', before)).toMatchObject({
      level: 'error',
      message: 'The host received a message that is not JSON text.',
    });
    const refusal =
      'The host refused a request: command must be one of start, pause, resume, step, stop; got "explode"';
    b.send({ kind: 'command', command: 'explode' });
    expect(await b.until((e) => e.kind === 'notice' && e.message === refusal)).toBeDefined();
    a.ws.close();
    b.ws.close();
  });
});
