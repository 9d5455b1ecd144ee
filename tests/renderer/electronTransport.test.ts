// @vitest-environment happy-dom
// The preload's bridge is replaced by an in-memory one: Electron's IPC cannot run here (the
// Electron e2e test drives the real one where the binary exists).
import { describe, expect, it } from 'vitest';
import { ElectronTransport } from '../../src/renderer/src/transport/electron';
import { WebTransport } from '../../src/renderer/src/transport/web';
import { createTransport } from '../../src/renderer/src/transport';
import type { HostEvent, HostRequest, VivitBridge } from '../../src/protocol/host';
import type { ConnectionStatus } from '../../src/renderer/src/transport/types';

function memoryBridge() {
  const sent: HostRequest[] = [];
  const listeners = new Set<(e: HostEvent) => void>();
  const bridge: VivitBridge = {
    send: (r) => void sent.push(r),
    onEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { bridge, sent, emit: (e: HostEvent) => listeners.forEach((l) => l(e)), listeners };
}

describe('electron transport', () => {
  it('says hello on connect, relays events and requests, and saves through main', async () => {
    const m = memoryBridge();
    const t = new ElectronTransport(m.bridge);
    const got: HostEvent[] = [];
    t.subscribe((e) => got.push(e));
    const statuses: ConnectionStatus[] = [];
    t.onStatus((s) => statuses.push(s));
    t.connect();
    t.connect(); // idempotent
    expect(m.sent).toEqual([{ kind: 'hello' }]);
    expect(statuses).toEqual([{ phase: 'open' }]);
    m.emit({ kind: 'status', message: 'loading' });
    expect(got).toEqual([{ kind: 'status', message: 'loading' }]);
    expect(t.send({ kind: 'command', command: 'pause' })).toBe(true);
    await t.saveLog();
    expect(m.sent.slice(1)).toEqual([{ kind: 'command', command: 'pause' }, { kind: 'saveLog' }]);
    t.close();
    expect(m.listeners.size).toBe(0);
  });

  it('is chosen when the preload exposed window.vivit, else the web transport', () => {
    const m = memoryBridge();
    expect(createTransport({ vivit: m.bridge } as unknown as Window)).toBeInstanceOf(
      ElectronTransport,
    );
    expect(createTransport(window)).toBeInstanceOf(WebTransport);
  });
});
