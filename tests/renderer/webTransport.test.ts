// @vitest-environment happy-dom
// The WebSocket and fetch are fakes here (the browser e2e test uses the real web host); the
// timers are manual so reconnect delays can be checked without waiting.
import { describe, expect, it } from 'vitest';
import {
  WebTransport,
  parseHostEvent,
  type SocketLike,
} from '../../src/renderer/src/transport/web';
import {
  TOKEN_STORAGE_KEY,
  backoffDelay,
  fileNameFromDisposition,
  logUrl,
  resolveToken,
  socketUrl,
  urlWithoutToken,
} from '../../src/renderer/src/transport/token';
import type { ConnectionStatus } from '../../src/renderer/src/transport/types';
import type { HostEvent } from '../../src/protocol/host';
import { encodeHostEvent } from '../../src/protocol/wire-codec';

/** A host event as the web host sends it: one binary frame. */
const frame = (event: HostEvent): ArrayBuffer => encodeHostEvent(event).slice().buffer;

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  onopen: ((e: Event) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  binaryType: BinaryType = 'blob';
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
  receive(data: string | ArrayBuffer) {
    this.onmessage?.({ data } as MessageEvent);
  }
}

class MemoryStorage {
  map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
}

function setup(href: string, opts: { storage?: MemoryStorage; probeStatus?: number } = {}) {
  const url = new URL(href);
  const sockets: FakeSocket[] = [];
  const timers: { cb: () => void; ms: number }[] = [];
  const statuses: ConnectionStatus[] = [];
  const replaced: string[] = [];
  const fetches: { url: string; method: string }[] = [];
  const storage = opts.storage ?? new MemoryStorage();
  const transport = new WebTransport({
    location: { protocol: url.protocol, host: url.host, search: url.search, href },
    storage,
    history: {
      replaceState: (_d: unknown, _t: string, u?: string | URL | null) =>
        void replaced.push(String(u)),
    },
    createSocket: (u) => {
      const s = new FakeSocket(u);
      sockets.push(s);
      return s;
    },
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      fetches.push({ url: String(input), method: init?.method ?? 'GET' });
      return new Response(null, { status: opts.probeStatus ?? 404 });
    }) as typeof fetch,
    setTimer: (cb, ms) => timers.push({ cb, ms }),
    clearTimer: () => {},
  });
  transport.onStatus((s) => statuses.push(s));
  return { transport, sockets, timers, statuses, replaced, fetches, storage };
}

const flushPromises = () => new Promise((r) => setTimeout(r, 0));

describe('token and URLs', () => {
  it('reads the token from the query string and remembers it for reloads', () => {
    const storage = new MemoryStorage();
    expect(resolveToken('?token=abc123', storage)).toBe('abc123');
    expect(storage.getItem(TOKEN_STORAGE_KEY)).toBe('abc123');
    expect(resolveToken('', storage)).toBe('abc123');
    expect(resolveToken('?token=new', storage)).toBe('new'); // the URL wins
    expect(resolveToken('', new MemoryStorage())).toBeUndefined();
    expect(resolveToken('?token=', new MemoryStorage())).toBeUndefined();
  });

  it('builds same-origin socket and log URLs with the token escaped', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:4321' }, 'a b&c')).toBe(
      'ws://127.0.0.1:4321/ws?token=a%20b%26c',
    );
    expect(socketUrl({ protocol: 'https:', host: 'box:443' }, 't')).toBe(
      'wss://box:443/ws?token=t',
    );
    expect(logUrl('x/y')).toBe('/api/log?token=x%2Fy');
  });

  it('removes only the token from the visible URL', () => {
    expect(urlWithoutToken('http://h:1/?token=abc')).toBe('/');
    expect(urlWithoutToken('http://h:1/index.html?x=1&token=abc#top')).toBe('/index.html?x=1#top');
  });

  it('backs off doubling up to a cap', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((a) => backoffDelay(a))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });

  it('reads a download name from Content-Disposition', () => {
    expect(fileNameFromDisposition('attachment; filename="run 1.jsonl"')).toBe('run 1.jsonl');
    expect(fileNameFromDisposition("attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.jsonl")).toBe(
      'résumé.jsonl',
    );
    expect(fileNameFromDisposition(null)).toBeUndefined();
  });
});

describe('web transport', () => {
  it('without a token it reports "missing" and never opens a socket', () => {
    const t = setup('http://127.0.0.1:4000/');
    t.transport.connect();
    expect(t.statuses.at(-1)).toEqual({ phase: 'unauthorized', reason: 'missing' });
    expect(t.sockets).toHaveLength(0);
  });

  it('connects with the token, hides it from the address bar, and says hello', () => {
    const t = setup('http://127.0.0.1:4000/?token=s3cret');
    t.transport.connect();
    expect(t.replaced).toEqual(['/']);
    expect(t.sockets[0].url).toBe('ws://127.0.0.1:4000/ws?token=s3cret');
    expect(t.transport.send({ kind: 'command', command: 'start' })).toBe(false); // not open yet
    t.sockets[0].open();
    expect(t.statuses.at(-1)).toEqual({ phase: 'open' });
    expect(t.sockets[0].sent.map((s) => JSON.parse(s))).toEqual([{ kind: 'hello' }]);
    expect(t.transport.send({ kind: 'command', command: 'start' })).toBe(true);
    expect(JSON.parse(t.sockets[0].sent[1])).toEqual({ kind: 'command', command: 'start' });
  });

  it('delivers host events and ignores malformed frames', () => {
    const t = setup('http://h:1/?token=t');
    const got: HostEvent[] = [];
    t.transport.subscribe((e) => got.push(e));
    t.transport.connect();
    t.sockets[0].open();
    expect(t.sockets[0].binaryType).toBe('arraybuffer');
    t.sockets[0].receive(frame({ kind: 'status', message: 'hi' }));
    t.sockets[0].receive('not a binary frame');
    t.sockets[0].receive(JSON.stringify({ kind: 'status', message: 'text' }));
    t.sockets[0].receive(new TextEncoder().encode('VVW1 but nothing after').buffer);
    expect(got).toEqual([{ kind: 'status', message: 'hi' }]);
    expect(parseHostEvent(new ArrayBuffer(2))).toBeUndefined();
  });

  it('reconnects with growing delays, says hello again, and resets the delay once connected', async () => {
    const t = setup('http://h:1/?token=t');
    t.transport.connect();
    t.sockets[0].open();
    t.sockets[0].drop();
    expect(t.statuses.at(-1)).toEqual({ phase: 'disconnected', retryInMs: 500, attempt: 1 });
    t.timers.shift()!.cb();
    t.sockets[1].drop(); // never opened: the host is probed over HTTP first
    await flushPromises();
    expect(t.fetches.at(-1)).toEqual({ url: '/api/log?token=t', method: 'HEAD' });
    expect(t.statuses.at(-1)).toEqual({ phase: 'disconnected', retryInMs: 1000, attempt: 2 });
    t.timers.shift()!.cb();
    t.sockets[2].open();
    expect(t.statuses.at(-1)).toEqual({ phase: 'open' });
    expect(JSON.parse(t.sockets[2].sent[0])).toEqual({ kind: 'hello' });
    t.sockets[2].drop();
    expect(t.statuses.at(-1)).toEqual({ phase: 'disconnected', retryInMs: 500, attempt: 1 });
  });

  it('a token the host refuses ends in "rejected" without retrying', async () => {
    const t = setup('http://h:1/?token=wrong', { probeStatus: 401 });
    t.transport.connect();
    t.sockets[0].drop();
    await flushPromises();
    expect(t.statuses.at(-1)).toEqual({ phase: 'unauthorized', reason: 'rejected' });
    expect(t.timers).toHaveLength(0);

    const u = setup('http://h:1/?token=t');
    u.transport.connect();
    u.sockets[0].open();
    u.sockets[0].drop(4401);
    expect(u.statuses.at(-1)).toEqual({ phase: 'unauthorized', reason: 'rejected' });
  });

  it('close() stops reconnecting', () => {
    const t = setup('http://h:1/?token=t');
    t.transport.connect();
    t.sockets[0].open();
    t.transport.close();
    t.sockets[0].drop();
    expect(t.timers).toHaveLength(0);
  });
});

describe('host event decoding', () => {
  it('restores non-finite losses the host encoded as strings', () => {
    const event = parseHostEvent(
      frame({
        kind: 'records',
        records: [
          { type: 'step', step: 3, epoch: 0, loss: NaN, time: 1, stepMs: 1, samplesPerSec: 1 },
          { type: 'eval', step: 3, loss: Infinity, samples: 10 },
        ],
      }),
    );
    if (event?.kind !== 'records') throw new Error('expected a records event');
    expect(event.records[0].type === 'step' && event.records[0].loss).toBeNaN();
    expect(event.records[1].type === 'eval' && event.records[1].loss).toBe(Infinity);
  });
});
