// The renderer's one door to a host: Electron IPC or the web host's WebSocket.
import type { HostEvent, HostRequest } from '../../../protocol/host';

/** Where the connection to the host stands, shown to the user as it changes. */
export type ConnectionStatus =
  | { phase: 'connecting' }
  | { phase: 'open' }
  /** Lost (or never reached) the host; another attempt follows after `retryInMs`. */
  | { phase: 'disconnected'; retryInMs: number; attempt: number }
  /** The web host refused us: no token in the URL, or one it does not accept. No retries. */
  | { phase: 'unauthorized'; reason: 'missing' | 'rejected' };

export interface Transport {
  readonly kind: 'electron' | 'web';
  /** Opens the connection; a `hello` goes out on every (re)connect, so a snapshot follows. */
  connect(): void;
  /** Returns false when the request could not be handed to the host (not connected). */
  send(request: HostRequest): boolean;
  subscribe(listener: (event: HostEvent) => void): () => void;
  /** The listener is called at once with the current status, then on every change. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /** Electron: the host shows a save dialog. Web: the log downloads. Rejects with a message. */
  saveLog(): Promise<void>;
  close(): void;
}

/** A tiny listener set shared by both transports. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(value: T): void {
    for (const listener of [...this.set]) listener(value);
  }
}
