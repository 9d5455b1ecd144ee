// @vitest-environment happy-dom
// The preload's bridge is replaced by an in-memory one: Electron's IPC cannot run here (the
// Electron e2e test drives the real one where the binary exists).
import { describe, expect, it } from 'vitest';
import { ElectronTransport } from '../../src/renderer/src/transport/electron';
import { WebTransport } from '../../src/renderer/src/transport/web';
import { createTransport } from '../../src/renderer/src/transport';
import type { HostEvent, HostRequest, VivitBridge } from '../../src/protocol/host';
import type { ConnectionStatus } from '../../src/renderer/src/transport/types';
import { curvatureRecord, dampingRecord } from './curvatureFixtures';

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

  it('hands the stores typed arrays, from typed arrays or from plain lists alike', () => {
    const m = memoryBridge();
    const t = new ElectronTransport(m.bridge);
    const got: HostEvent[] = [];
    t.subscribe((e) => got.push(e));
    t.connect();
    const curvature = curvatureRecord(0);
    const damping = dampingRecord(1);
    // As structured clone delivers it, and as a bridge that flattened the arrays would.
    const plain = {
      ...damping,
      lambdaMean: Array.from(damping.lambdaMean),
      gammaMean: Array.from(damping.gammaMean),
      damping: Array.from(damping.damping),
      stepLength: Array.from(damping.stepLength),
    } as unknown as typeof damping;
    m.emit({ kind: 'records', records: [curvature, plain] });
    expect(got).toHaveLength(1);
    if (got[0].kind !== 'records') throw new Error('expected records');
    expect(got[0].records[0]).toBe(curvature);
    const revived = got[0].records[1];
    if (revived.type !== 'damping') throw new Error('expected a damping record');
    expect(revived.damping).toBeInstanceOf(Float64Array);
    expect(revived).toEqual(damping); // Infinity included
  });

  it('is chosen when the preload exposed window.vivit, else the web transport', () => {
    const m = memoryBridge();
    expect(createTransport({ vivit: m.bridge } as unknown as Window)).toBeInstanceOf(
      ElectronTransport,
    );
    expect(createTransport(window)).toBeInstanceOf(WebTransport);
  });
});
