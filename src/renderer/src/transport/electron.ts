// Electron transport: the preload exposes `window.vivit` (contextBridge), which relays
// HostRequest / HostEvent over IPC (structured clone: typed arrays arrive as typed arrays). The
// connection cannot drop, so the status is always open.
import type { HostEvent, HostRequest } from '../../../protocol/host';
import { reviveHostEvent } from '../../../protocol/wire-codec';
import { Listeners, type ConnectionStatus, type Transport } from './types';
import type { VivitBridge } from '../bridge';

export class ElectronTransport implements Transport {
  readonly kind = 'electron' as const;
  private readonly events = new Listeners<HostEvent>();
  private unsubscribeBridge: (() => void) | null = null;

  constructor(private readonly bridge: VivitBridge) {}

  connect(): void {
    if (this.unsubscribeBridge) return;
    // Revived like the web transport's frames, so the stores get Float64Arrays even from a
    // bridge that hands arrays over as plain lists.
    this.unsubscribeBridge = this.bridge.onEvent((event) =>
      this.events.emit(reviveHostEvent(event)),
    );
    this.send({ kind: 'hello' });
  }

  send(request: HostRequest): boolean {
    // Problems with a request come back from main as notices, so nothing to await here.
    this.bridge.send(request);
    return true;
  }

  subscribe(listener: (event: HostEvent) => void): () => void {
    return this.events.add(listener);
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    listener({ phase: 'open' });
    return () => {};
  }

  async saveLog(): Promise<void> {
    // Main shows the save dialog and reports the outcome as a notice.
    this.bridge.send({ kind: 'saveLog' });
  }

  close(): void {
    this.unsubscribeBridge?.();
    this.unsubscribeBridge = null;
  }
}
