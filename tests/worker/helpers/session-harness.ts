// A training session in process (no worker thread) with every message it posts recorded: the
// one `collect()` of the session tests.
import { afterAll, beforeAll } from 'vitest';
import type { BodyRecord, HeaderRecord } from '../../../src/protocol/records';
import type { WorkerMessage } from '../../../src/protocol/worker';
import { TrainingSession } from '../../../src/worker/session';

export function collect() {
  const messages: WorkerMessage[] = [];
  let waiters: { test: (m: WorkerMessage) => boolean; resolve: () => void }[] = [];
  const session = new TrainingSession((m) => {
    messages.push(m);
    waiters = waiters.filter((w) => {
      if (!w.test(m)) return true;
      w.resolve();
      return false;
    });
  });
  /** Resolves once a message (already posted or to come) passes `test`. */
  const until = (test: (m: WorkerMessage) => boolean) =>
    new Promise<void>((resolve) => {
      if (messages.some(test)) resolve();
      else waiters.push({ test, resolve });
    });
  const records = <T extends BodyRecord['type']>(type: T) =>
    messages.flatMap((m) =>
      m.type === 'record' && m.record.type === type
        ? [m.record as Extract<BodyRecord, { type: T }>]
        : [],
    );
  const headers = (): HeaderRecord[] =>
    messages.flatMap((m) => (m.type === 'header' ? [m.header] : []));
  return { session, messages, until, records, headers };
}

/** Runs the file's sessions on wasm (the backend chooser reads VIVIT_BACKEND), restored after. */
export function forceWasmBackend(): void {
  const saved = process.env.VIVIT_BACKEND;
  beforeAll(() => {
    process.env.VIVIT_BACKEND = 'wasm';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.VIVIT_BACKEND;
    else process.env.VIVIT_BACKEND = saved;
  });
}
