// Drives src/worker/index.ts in a real node:worker_threads Worker and collects its messages.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BodyRecord, HeaderRecord } from '../../../src/protocol/records';
import { prepareHeadlessGpuEnvironment } from '../../../src/vivit/backend-webgpu';
import type { WorkerCommand, WorkerMessage } from '../../../src/protocol/worker';

const ENTRY = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../src/worker/index.ts');
const BOOT = fileURLToPath(new URL('./worker-boot.mjs', import.meta.url));

export class WorkerHarness {
  readonly worker: Worker;
  readonly messages: WorkerMessage[] = [];
  private waiters: {
    test: (m: WorkerMessage) => boolean;
    from: number;
    done: (m: WorkerMessage) => void;
  }[] = [];
  private failure: Error | undefined;

  constructor(env: Record<string, string> = {}) {
    prepareHeadlessGpuEnvironment(); // as the host does before starting the worker
    this.worker = new Worker(BOOT, {
      workerData: { entry: ENTRY },
      // wasm is the fastest backend here; tests that need another set it explicitly.
      env: { ...process.env, VIVIT_BACKEND: 'wasm', ...env },
    });
    this.worker.on('message', (m: WorkerMessage) => {
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (this.messages.length - 1 >= w.from && w.test(m)) {
          w.done(m);
          return false;
        }
        return true;
      });
    });
    this.worker.on('error', (e) => {
      this.failure = e;
    });
  }

  send(command: WorkerCommand): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(command);
  }

  /** Resolves with the first message (from index `from` on) that passes `test`. */
  waitFor(
    test: (m: WorkerMessage) => boolean,
    timeoutMs = 60_000,
    from = 0,
  ): Promise<WorkerMessage> {
    const seen = this.messages.slice(from).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `timed out after ${timeoutMs} ms; last messages: ${JSON.stringify(this.messages.slice(-5))}${
              this.failure ? `; worker error: ${this.failure.message}` : ''
            }`,
          ),
        );
      }, timeoutMs);
      this.waiters.push({
        test,
        from,
        done: (m) => {
          clearTimeout(timer);
          resolvePromise(m);
        },
      });
    });
  }

  waitForState(state: string, from = 0, timeoutMs?: number): Promise<WorkerMessage> {
    return this.waitFor((m) => m.type === 'state' && m.state === state, timeoutMs, from);
  }

  records(from = 0): BodyRecord[] {
    return this.messages.slice(from).flatMap((m) => (m.type === 'record' ? [m.record] : []));
  }

  recordsOf<T extends BodyRecord['type']>(type: T, from = 0): Extract<BodyRecord, { type: T }>[] {
    return this.records(from).filter((r): r is Extract<BodyRecord, { type: T }> => r.type === type);
  }

  headers(): HeaderRecord[] {
    return this.messages.flatMap((m) => (m.type === 'header' ? [m.header] : []));
  }

  /** Waits until no message has arrived for `quietMs`. */
  async settle(quietMs = 300): Promise<void> {
    let count = -1;
    while (count !== this.messages.length) {
      count = this.messages.length;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  }

  /** Ends any run and forgets all messages, so one worker can serve several tests. */
  async reset(): Promise<void> {
    this.send({ type: 'stop' });
    await this.settle(150);
    this.messages.length = 0;
    this.waiters = [];
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
