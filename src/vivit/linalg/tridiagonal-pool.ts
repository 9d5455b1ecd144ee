// Worker threads for the tridiagonal eigenvectors of the device eigensolver: inverse iteration
// is independent from one eigenvalue cluster to the next, so a machine's cores share it
// (tridiagonal-eigen.ts splits the work). Node only (the device solver runs in Node); each
// worker instantiates its own copy of the compiled eigensolver.wasm, handed over as a
// WebAssembly.Module. Idle workers are unref'd, so they never keep a process alive; while a
// task is out they are ref'd, so that a process awaiting nothing else does not exit early.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { compiledEigensolver } from './eigen-wasm';

export interface VectorTask {
  d: Float64Array;
  e: Float64Array;
  lambdas: Float64Array;
  clusterGap: number;
  firstIndex: number;
  /** Where the rows go: exactly lambdas.length × n entries of an array backed by a
   *  SharedArrayBuffer, which the worker writes in place (no copy back, nothing allocated). */
  out: Float64Array | Float32Array;
}

// Plain JavaScript, evaluated in the worker. The imports are those of eigen-wasm.ts's own
// instance (the module reports memory growth and exits through them).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const imports = {
  env: { emscripten_notify_memory_growth() {} },
  wasi_snapshot_preview1: {
    proc_exit(code) { throw new Error('eigensolver.wasm aborted (exit code ' + code + ')'); },
  },
};
const ex = new WebAssembly.Instance(workerData.module, imports).exports;
ex._initialize();
parentPort.on('message', ({ id, d, e, lambdas, clusterGap, firstIndex, out }) => {
  const n = d.length, m = lambdas.length;
  const sizes = [n, n, m, m * n];
  const pointers = sizes.map((length) => ex.malloc(Math.max(1, length) * 8));
  try {
    if (pointers.some((p) => p === 0)) throw new Error('the wasm heap is full');
    [d, e, lambdas].forEach((a, i) => new Float64Array(ex.memory.buffer, pointers[i], a.length).set(a));
    const status = ex.tridiagonal_vectors(pointers[0], pointers[1], n, pointers[2], m, clusterGap, firstIndex, pointers[3]);
    if (status !== 0) throw new Error('tridiagonal_vectors: status ' + status);
    out.set(new Float64Array(ex.memory.buffer, pointers[3], m * n));
    parentPort.postMessage({ id });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  } finally {
    for (const p of pointers) if (p !== 0) ex.free(p);
  }
});
`;

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

export class TridiagonalPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private turn = 0;
  /** Why the pool stopped working (a worker died), or null. */
  failure: string | null = null;

  /** `size` workers (at least 1). Throws where workers or the wasm module are unavailable. */
  constructor(readonly size: number) {
    const module = compiledEigensolver();
    if (module === null) throw new Error('eigensolver.wasm is not loaded');
    for (let i = 0; i < size; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module } });
      worker.unref();
      worker.on('message', (m: { id: number; error?: string }) => {
        const job = this.pending.get(m.id);
        this.pending.delete(m.id);
        this.holdProcess(this.pending.size > 0);
        if (m.error === undefined) job?.resolve();
        else job?.reject(new Error(m.error));
      });
      worker.on('error', (error) => {
        this.failure = error.message;
        this.failAll(error);
      });
      this.workers.push(worker);
    }
  }

  /** Eigenvectors for one cluster-aligned run of eigenvalues (rows, lambdas.length × n) into
   *  task.out. */
  vectors(task: VectorTask): Promise<void> {
    if (!isShared(task.out.buffer)) {
      return Promise.reject(new Error('the pool writes into shared memory only'));
    }
    const id = this.nextId++;
    const worker = this.workers[this.turn++ % this.workers.length];
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.holdProcess(true);
      worker.postMessage({ id, ...task });
    });
  }

  private holdProcess(hold: boolean): void {
    for (const w of this.workers) {
      if (hold) w.ref();
      else w.unref();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.failAll(new Error('the pool was closed'));
  }

  private failAll(error: Error): void {
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
    this.holdProcess(false);
  }
}

/** Whether `buffer` is shared memory (false where SharedArrayBuffer does not exist). */
export function isShared(buffer: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer;
}

let shared: TridiagonalPool | null = null;
let sharedFailure: string | null = null;

/** Workers for this process: one fewer than the cores (the calling thread works too), at most
 *  7; null on a single core or where workers cannot start (the reason is kept). */
export function tridiagonalPool(): TridiagonalPool | null {
  if (shared?.failure) {
    sharedFailure = shared.failure;
    shared = null;
  }
  if (shared !== null || sharedFailure !== null) return shared;
  const size = Math.min(7, availableParallelism() - 1);
  if (size < 1) {
    sharedFailure = 'a single core';
    return null;
  }
  try {
    shared = new TridiagonalPool(size);
  } catch (error) {
    sharedFailure = error instanceof Error ? error.message : String(error);
  }
  return shared;
}
