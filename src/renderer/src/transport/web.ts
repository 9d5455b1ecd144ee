// WebSocket transport to the web host (`vivit-monitor serve`): requests go as JSON text frames,
// host events arrive as binary frames (protocol/wire-codec: JSON structure + raw float64
// arrays); reconnect with backoff, and a clear state when the token is refused.
import { WEB_CLOSE_UNAUTHORIZED, type HostEvent, type HostRequest } from '../../../protocol/host';
import { decodeHostEvent } from '../../../protocol/wire-codec';
import { Listeners, type ConnectionStatus, type Transport } from './types';
import {
  backoffDelay,
  fileNameFromDisposition,
  logUrl,
  resolveToken,
  socketUrl,
  urlWithoutToken,
} from './token';

/** The part of the browser's WebSocket this transport uses (a fake stands in for it in tests). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  /** Set to 'arraybuffer': binary frames then arrive as ArrayBuffers (not Blobs). */
  binaryType: BinaryType;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

const SOCKET_OPEN = 1;
/** Close codes meaning "your token is not accepted" (the web host uses the first). */
const UNAUTHORIZED_CLOSE_CODES = new Set([WEB_CLOSE_UNAUTHORIZED, 1008]);

export interface WebTransportOptions {
  location: Pick<Location, 'protocol' | 'host' | 'search' | 'href'>;
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
  history?: Pick<History, 'replaceState'>;
  createSocket?: (url: string) => SocketLike;
  fetch?: typeof fetch;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  download?: (blob: Blob, fileName: string) => void;
}

export class WebTransport implements Transport {
  readonly kind = 'web' as const;
  private readonly events = new Listeners<HostEvent>();
  private readonly statuses = new Listeners<ConnectionStatus>();
  private status: ConnectionStatus = { phase: 'connecting' };
  private token: string | undefined;
  private socket: SocketLike | null = null;
  private failures = 0;
  private retryTimer: unknown = null;
  private closed = false;

  constructor(private readonly options: WebTransportOptions) {}

  connect(): void {
    this.token = resolveToken(this.options.location.search, this.options.storage);
    if (!this.token) {
      this.setStatus({ phase: 'unauthorized', reason: 'missing' });
      return;
    }
    if (new URLSearchParams(this.options.location.search).has('token')) {
      this.options.history?.replaceState(null, '', urlWithoutToken(this.options.location.href));
    }
    this.open();
  }

  send(request: HostRequest): boolean {
    if (!this.socket || this.socket.readyState !== SOCKET_OPEN) return false;
    this.socket.send(JSON.stringify(request));
    return true;
  }

  subscribe(listener: (event: HostEvent) => void): () => void {
    return this.events.add(listener);
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    listener(this.status);
    return this.statuses.add(listener);
  }

  async saveLog(): Promise<void> {
    if (!this.token) throw new Error('Cannot download the log: the page has no access token.');
    const fetchImpl = this.options.fetch ?? fetch;
    const response = await fetchImpl(logUrl(this.token));
    if (!response.ok) {
      const text = (await response.text().catch(() => '')).trim();
      throw new Error(text || `The host could not provide the log (HTTP ${response.status}).`);
    }
    const blob = await response.blob();
    const name =
      fileNameFromDisposition(response.headers.get('content-disposition')) ?? 'vivit-session.jsonl';
    (this.options.download ?? downloadBlob)(blob, name);
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer !== null) this.clearTimer(this.retryTimer);
    this.socket?.close(1000, 'closing');
    this.socket = null;
  }

  private open(): void {
    if (this.closed || !this.token) return;
    this.retryTimer = null;
    if (this.failures === 0) this.setStatus({ phase: 'connecting' });
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url));
    const socket = create(socketUrl(this.options.location, this.token));
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.failures = 0;
      this.setStatus({ phase: 'open' });
      socket.send(JSON.stringify({ kind: 'hello' } satisfies HostRequest));
    };
    socket.onmessage = (message) => {
      const event = parseHostEvent(message.data);
      if (event) this.events.emit(event);
    };
    socket.onerror = () => {
      // Always followed by `close`, which decides what to do.
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.socket = null;
      if (this.closed) return;
      if (UNAUTHORIZED_CLOSE_CODES.has(event.code)) {
        this.setStatus({ phase: 'unauthorized', reason: 'rejected' });
        return;
      }
      // A host that refuses the upgrade itself (rather than closing with a code) looks like
      // any network failure to a browser; ask it over HTTP before retrying.
      if (!opened) void this.probeThenRetry();
      else this.scheduleRetry();
    };
  }

  private async probeThenRetry(): Promise<void> {
    try {
      const response = await (this.options.fetch ?? fetch)(logUrl(this.token ?? ''), {
        method: 'HEAD',
      });
      if (response.status === 401 || response.status === 403) {
        this.setStatus({ phase: 'unauthorized', reason: 'rejected' });
        return;
      }
    } catch {
      // The host is unreachable: keep trying.
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    const retryInMs = backoffDelay(this.failures);
    this.failures += 1;
    this.setStatus({ phase: 'disconnected', retryInMs, attempt: this.failures });
    const setTimer = this.options.setTimer ?? ((cb: () => void, ms: number) => setTimeout(cb, ms));
    this.retryTimer = setTimer(() => this.open(), retryInMs);
  }

  private clearTimer(handle: unknown): void {
    (this.options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)))(handle);
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    this.statuses.emit(status);
  }
}

/** A host event from a binary frame, or undefined with a console note for anything else. */
export function parseHostEvent(data: unknown): HostEvent | undefined {
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    try {
      const event = decodeHostEvent(data);
      if (event && typeof event === 'object' && typeof event.kind === 'string') return event;
    } catch {
      // fall through
    }
  }
  console.warn('vivit-monitor: ignored a malformed message from the host');
  return undefined;
}

function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.hidden = true;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Revoking at once can cancel the download in some browsers; a minute is plenty.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
