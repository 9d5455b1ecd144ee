// Helpers for host tests: temporary directories, and recording a host's events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostEvent } from '../../src/protocol/host';
import type { BodyRecord } from '../../src/protocol/records';

export function tempDir(prefix = 'vivit-host-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export class EventLog {
  readonly events: HostEvent[] = [];
  private waiters: { predicate: (e: HostEvent) => boolean; resolve: (e: HostEvent) => void }[] = [];

  readonly listener = (event: HostEvent): void => {
    this.events.push(event);
    this.waiters = this.waiters.filter((w) => {
      if (!w.predicate(event)) return true;
      w.resolve(event);
      return false;
    });
  };

  /** Resolves with the first event (already seen or future) that matches. */
  waitFor<K extends HostEvent['kind']>(
    kind: K,
    predicate: (e: Extract<HostEvent, { kind: K }>) => boolean = () => true,
    timeoutMs = 60_000,
  ): Promise<Extract<HostEvent, { kind: K }>> {
    const match = (e: HostEvent): boolean =>
      e.kind === kind && predicate(e as Extract<HostEvent, { kind: K }>);
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen as Extract<HostEvent, { kind: K }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`no ${kind} event within ${timeoutMs} ms; saw ${this.kinds().join(', ')}`),
          ),
        timeoutMs,
      );
      this.waiters.push({
        predicate: match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e as Extract<HostEvent, { kind: K }>);
        },
      });
    });
  }

  of<K extends HostEvent['kind']>(kind: K): Extract<HostEvent, { kind: K }>[] {
    return this.events.filter((e) => e.kind === kind) as Extract<HostEvent, { kind: K }>[];
  }

  /** Records received in 'records' events, in order. */
  records(): BodyRecord[] {
    return this.of('records').flatMap((e) => e.records);
  }

  kinds(): string[] {
    return this.events.map((e) => (e.kind === 'state' ? `state:${e.state}` : e.kind));
  }

  clear(): void {
    this.events.length = 0;
  }
}
