// The web host: the built renderer over HTTP and the host protocol over a WebSocket, on the
// loopback interface only. A random token, printed once in the URL, guards everything that
// carries data (the socket and /api/*); the static files hold none and are served without it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { WEB_CLOSE_UNAUTHORIZED, WEB_PATHS, type HostEvent } from '../../protocol/host';
import { encodeHostEvent } from '../../protocol/wire-codec';
import { MAX_LOG_TEXT, validateHostRequest } from '../../protocol/validate';
import type { HostCore } from '../host/host-core';
import { rendererDir } from '../host/paths';
import { rendererCsp } from './csp';
import { contentTypeFor, resolveStaticPath } from './static-files';

export const WEB_HOST_ADDRESS = '127.0.0.1';

export interface WebHostOptions {
  core: HostCore;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The built renderer; defaults to out/renderer. */
  rendererDir?: string;
}

export interface WebHost {
  readonly port: number;
  readonly token: string;
  /** The URL to open, token included. */
  readonly url: string;
  close(): Promise<void>;
}

const UNAUTHORIZED_MESSAGE =
  'missing or invalid token: open the URL printed by vivit-monitor (it ends in ?token=...)';

/** Headers on every response: no sniffing, no framing, and never leak the token via Referer. */
const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

function tokenMatches(expected: Buffer, given: string | undefined): boolean {
  if (!given) return false;
  const candidate = Buffer.from(given, 'utf8');
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}

function requestToken(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['x-vivit-token'];
  return url.searchParams.get('token') ?? (Array.isArray(header) ? header[0] : header);
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    ...headers,
  });
  res.end(text + '\n');
}

/** A Content-Disposition filename that needs no escaping. */
const safeFileName = (name: string): string =>
  name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'session.jsonl';

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { core } = options;
  const root = options.rendererDir ?? rendererDir();
  const token = randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token, 'utf8');
  let port = 0;

  const serveApi = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    if (!tokenMatches(tokenBytes, requestToken(req, url))) {
      sendText(res, 401, UNAUTHORIZED_MESSAGE);
      return;
    }
    if (url.pathname === WEB_PATHS.log && (req.method === 'GET' || req.method === 'HEAD')) {
      const log = core.currentLogText();
      if (!log) {
        sendText(res, 404, 'no session log yet: start a run or open a log first');
        return;
      }
      res.writeHead(200, {
        ...COMMON_HEADERS,
        'Content-Type': 'application/x-ndjson; charset=utf-8',
        'Content-Disposition': `attachment; filename="${safeFileName(log.name)}"`,
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : log.text);
      return;
    }
    sendText(res, 404, `no such endpoint: ${url.pathname}`);
  };

  const serveStatic = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const file = resolveStaticPath(root, url.pathname);
    if (!file) {
      sendText(res, 400, 'bad path');
      return;
    }
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) throw new Error('not a file');
      size = stat.size;
    } catch {
      const hint = url.pathname === '/' ? ' (the renderer is not built: run npm run build)' : '';
      sendText(res, 404, `not found: ${url.pathname}${hint}`);
      return;
    }
    const headers: Record<string, string | number> = {
      ...COMMON_HEADERS,
      'Content-Type': contentTypeFor(file),
      'Content-Length': size,
    };
    if (file.endsWith('.html')) {
      headers['Content-Security-Policy'] = rendererCsp([
        `ws://${WEB_HOST_ADDRESS}:${port}`,
        `ws://localhost:${port}`,
      ]);
      headers['Cache-Control'] = 'no-store';
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${WEB_HOST_ADDRESS}`);
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      serveApi(req, res, url);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
      return;
    }
    serveStatic(req, res, url);
  });

  // Room for the largest log a page may upload, plus the JSON around it.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_LOG_TEXT + (1 << 20) });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', `http://${WEB_HOST_ADDRESS}`);
    if (url.pathname !== WEB_PATHS.socket) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const authorized = tokenMatches(tokenBytes, requestToken(req, url));
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Accept, then close with a code and reason: a browser page can read those (it cannot
      // read an HTTP 401 on a refused upgrade) and tell the user what to do.
      if (!authorized) ws.close(WEB_CLOSE_UNAUTHORIZED, UNAUTHORIZED_MESSAGE);
      else connect(ws);
    });
  });

  const connect = (ws: WebSocket): void => {
    const send = (event: HostEvent): void => {
      if (ws.readyState === ws.OPEN) ws.send(encodeHostEvent(event));
    };
    const unsubscribe = core.subscribe(send);
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
    ws.on('message', (data, isBinary) => {
      let parsed: unknown;
      try {
        if (isBinary) throw new Error('binary');
        parsed = JSON.parse(data.toString());
      } catch {
        send({
          kind: 'notice',
          level: 'error',
          message: 'The host received a message that is not JSON text.',
        });
        return;
      }
      const checked = validateHostRequest(parsed);
      if (!checked.ok) {
        send({
          kind: 'notice',
          level: 'error',
          message: `The host refused a request: ${checked.error}`,
        });
        return;
      }
      const request = checked.value;
      if (request.kind === 'saveLog') {
        send({
          kind: 'notice',
          level: 'info',
          message: `In the browser the log downloads from ${WEB_PATHS.log} (the Save button).`,
        });
        return;
      }
      core.handle(request, send).catch((error: unknown) => {
        send({
          kind: 'notice',
          level: 'error',
          message: `The host failed: ${(error as Error).message}`,
        });
      });
    });
  };

  await new Promise<void>((resolvePromise, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `port ${options.port} is in use on ${WEB_HOST_ADDRESS}; choose another with --port`,
            )
          : error,
      );
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, WEB_HOST_ADDRESS, () => {
      server.off('error', onError);
      resolvePromise();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://${WEB_HOST_ADDRESS}:${port}/?token=${token}`,
    close: async () => {
      for (const client of wss.clients) client.close(1001, 'the server is shutting down');
      await new Promise<void>((done) => wss.close(() => done()));
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
