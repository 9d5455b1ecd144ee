// Loader and caller for wasm/eigensolver.wasm (Householder tridiagonalization with wasm-SIMD
// kernels, Eigen's tridiagonal QR step, inverse iteration; built by
// scripts/build-eigensolver.sh). The module is standalone — no emscripten JS glue — and its
// bytes are embedded (base64) in wasm/eigensolver-wasm.ts, so it loads the same way from the
// sources (tsx, vitest), from the bundled worker (out/main/worker.js), inside an asar archive
// or in a browser worker: there is no file to locate at run time.

import type { SymmetricEigen } from './types';
import { eigensolverWasmBase64 } from './wasm/eigensolver-wasm';

/** The slice of the WebAssembly JS API used here. Declared locally because the engine is
 *  compiled without the DOM library, which is where TypeScript declares `WebAssembly`. */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<{ exports: object }>;
}

interface EigensolverExports {
  memory: { buffer: ArrayBuffer };
  _initialize(): void;
  malloc(bytes: number): number;
  free(pointer: number): void;
  /** `vectors`: how many leading eigenvectors (0..n) to write into `a`, row-major n×vectors.
   *  Returns 0 = ok, 1 = QR did not converge, 2 = bad argument, 3 = heap exhausted. See
   *  eigensolver.cpp. */
  eig_sym(a: number, n: number, w: number, vectors: number): number;
  /** The tridiagonal problem alone: d, e (n doubles each, destroyed) → all eigenvalues in `w`,
   *  descending, and the eigenvectors of the leading m ≤ maxVectors (those above rtol·w[0])
   *  as rows of z; m is written to the int at `mOut`. Same status codes. See eigensolver.cpp. */
  eig_tridiagonal(
    d: number,
    e: number,
    n: number,
    w: number,
    maxVectors: number,
    rtol: number,
    clusterGap: number,
    z: number,
    mOut: number,
  ): number;
}

/** Raised when the wasm path fails (cannot load, out of memory, trapped, Eigen did not
 *  converge); the caller may fall back to the TypeScript solver. Input errors are not of this
 *  kind. */
export class WasmEigensolverError extends Error {
  override name = 'WasmEigensolverError';
}

/** Above this heap size the instance is dropped after a call so the memory that one large
 *  problem made the module grow to is returned; re-instantiating the compiled module is cheap. */
const RETAINED_HEAP_BYTES = 256 * 2 ** 20;

let compiled: object | null = null;
let instance: EigensolverExports | null = null;
let loadFailure: string | null = null;
/** The compiled module passed the warm-up self-check (re-instantiations need not repeat it). */
let selfChecked = false;

function wasmApi(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
}

function wasmBytes(): Uint8Array {
  const text = atob(eigensolverWasmBase64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Imports of the standalone module: it only reports heap growth (views are re-created after
 *  every call anyway) and, on abort, exits — which must surface as an exception. */
const imports = {
  env: { emscripten_notify_memory_growth: (): void => {} },
  wasi_snapshot_preview1: {
    proc_exit: (code: number): never => {
      throw new WasmEigensolverError(`eigensolver.wasm aborted (exit code ${code})`);
    },
  },
};

function adopt(exports: object): EigensolverExports {
  const ex = exports as EigensolverExports;
  for (const name of ['_initialize', 'malloc', 'free', 'eig_sym', 'eig_tridiagonal'] as const) {
    if (typeof ex[name] !== 'function') throw new Error(`export ${name} is missing`);
  }
  ex._initialize();
  return ex;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Compiles and instantiates the module without blocking. Never throws: on failure the reason
 *  is kept and the wasm path reports itself unavailable. */
export async function loadWasmEigensolver(): Promise<boolean> {
  if (instance !== null) return true;
  if (loadFailure !== null) return false;
  const api = wasmApi();
  if (api === undefined) {
    loadFailure = 'WebAssembly is not available in this runtime';
    return false;
  }
  try {
    compiled ??= await api.compile(wasmBytes());
    const ex = adopt((await api.instantiate(compiled, imports)).exports);
    if (!selfChecked) {
      warmUp(ex);
      await new Promise((resolve) => setTimeout(resolve, WARM_UP_PAUSE_MS));
    }
    instance ??= ex;
    return true;
  } catch (error) {
    loadFailure = `eigensolver.wasm could not be loaded: ${describe(error)}`;
    return false;
  }
}

/** V8 compiles wasm functions lazily with a baseline compiler and re-compiles hot ones with its
 *  optimizing compiler in the background; a call that is already running stays in baseline
 *  code, so a cold first solve at n = 1280 took 2.4 s instead of 0.6 s here. A few small solves
 *  through all three paths (values only, all vectors, leading vectors) make the solver's
 *  functions hot, and a short pause lets the optimized code arrive (measured: after 3 rounds
 *  and 50 ms the first large solve already runs at full speed). */
const WARM_UP_ROUNDS = 3;
const WARM_UP_PAUSE_MS = 100;

/** Also checks the result, so a module that loads but computes nonsense is never used. */
function warmUp(ex: EigensolverExports): void {
  const n = 48;
  const pa = ex.malloc(n * n * 8);
  const pw = ex.malloc(n * 8);
  if (pa === 0 || pw === 0) throw new Error('the wasm heap cannot hold a 48×48 matrix');
  for (let round = 0; round < WARM_UP_ROUNDS * 3; round++) {
    const vectors = [0, n, n / 4][round % 3];
    const a = new Float64Array(ex.memory.buffer, pa, n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i * n + j] = 1 / (1 + i + j) + (i === j ? i : 0);
    }
    if (ex.eig_sym(pa, n, pw, vectors) !== 0) throw new Error('the warm-up solve failed');
    // Self-check: the eigenvalues must sum to the trace, Σ (1/(1 + 2i) + i).
    const w = new Float64Array(ex.memory.buffer, pw, n);
    let sum = 0;
    let trace = 0;
    for (let i = 0; i < n; i++) {
      sum += w[i];
      trace += 1 / (1 + 2 * i) + i;
    }
    if (!(Math.abs(sum - trace) <= 1e-12 * trace)) {
      throw new Error(`self-check failed: eigenvalues sum to ${sum}, trace is ${trace}`);
    }
  }
  ex.free(pw);
  ex.free(pa);
  selfChecked = true;
}

/** Synchronous variant for a first call that came before `loadWasmEigensolver()` finished
 *  (Node allows synchronous compilation of any size). */
function ensureInstance(): EigensolverExports | null {
  if (instance !== null || loadFailure !== null) return instance;
  const api = wasmApi();
  if (api === undefined) {
    loadFailure = 'WebAssembly is not available in this runtime';
    return null;
  }
  try {
    compiled ??= new api.Module(wasmBytes());
    const ex = adopt(new api.Instance(compiled, imports).exports);
    if (!selfChecked) warmUp(ex);
    instance = ex;
  } catch (error) {
    loadFailure = `eigensolver.wasm could not be loaded: ${describe(error)}`;
  }
  return instance;
}

/** Why the wasm path is unavailable, or null if it is (or may still become) usable. */
export function wasmLoadFailure(): string | null {
  return loadFailure;
}

export function isWasmEigensolverReady(): boolean {
  return ensureInstance() !== null;
}

/** Solves for the matrix that `fill` writes into the module's heap (row-major n×n, must be
 *  symmetric: the solver reads the upper triangle). `vectorCount` (0..n) leading eigenvectors
 *  are returned as a row-major n×vectorCount matrix (none: no `vectors` field). Errors thrown
 *  by `fill` propagate unchanged. */
export function symmetricEigenWasm(
  n: number,
  vectorCount: number,
  fill: (heapMatrix: Float64Array) => void,
): SymmetricEigen {
  const wantVectors = vectorCount > 0;
  const ex = ensureInstance();
  if (ex === null) throw new WasmEigensolverError(loadFailure ?? 'eigensolver.wasm is not loaded');
  if (n === 0) {
    return wantVectors
      ? { values: new Float64Array(0), vectors: new Float64Array(0) }
      : { values: new Float64Array(0) };
  }
  const matrixBytes = n * n * 8;
  // wasm32 addresses 4 GiB at most and the module is capped at 2 GiB (see the build script).
  if (matrixBytes > 2 ** 30) {
    throw new WasmEigensolverError(`n = ${n} is too large for the wasm heap`);
  }
  const pa = ex.malloc(matrixBytes);
  const pw = pa === 0 ? 0 : ex.malloc(n * 8);
  let trapped = false;
  try {
    if (pa === 0 || pw === 0) {
      throw new WasmEigensolverError(`the wasm heap cannot hold a ${n}×${n} matrix`);
    }
    fill(new Float64Array(ex.memory.buffer, pa, n * n));
    let status: number;
    try {
      status = ex.eig_sym(pa, n, pw, vectorCount);
    } catch (error) {
      // A trap (e.g. an allocation failure inside Eigen) leaves the heap in an unknown state.
      trapped = true;
      if (error instanceof WasmEigensolverError) throw error;
      throw new WasmEigensolverError(`eigensolver.wasm failed: ${describe(error)}`);
    }
    if (status === 1) {
      // Rare; the TypeScript solver deflates with a different test and may well succeed.
      throw new WasmEigensolverError(`the QR iteration did not converge (n = ${n})`);
    }
    if (status === 3) {
      throw new WasmEigensolverError(`the wasm heap cannot hold the work space for n = ${n}`);
    }
    if (status !== 0) throw new WasmEigensolverError(`eig_sym returned status ${status}`);
    // The heap may have grown during the call: take fresh views of the current buffer.
    const values = new Float64Array(ex.memory.buffer, pw, n).slice();
    if (!wantVectors) return { values };
    return {
      values,
      vectors: new Float64Array(ex.memory.buffer, pa, n * vectorCount).slice(),
    };
  } finally {
    if (trapped) {
      instance = null;
    } else {
      if (pw !== 0) ex.free(pw);
      if (pa !== 0) ex.free(pa);
      if (ex.memory.buffer.byteLength > RETAINED_HEAP_BYTES) instance = null;
    }
  }
}

export interface TridiagonalEigenOptions {
  /** At most this many eigenvectors (0..n). */
  maxVectors: number;
  /** Only for eigenvalues λ > rtol · λ_max (the nontrivial rule, linalg/nontrivial.ts); none
   *  when λ_max ≤ 0. Omit to get exactly maxVectors. */
  rtol?: number;
  /** Eigenvalues closer than clusterGap · ‖T‖ are re-orthogonalized as a cluster; others come
   *  out orthogonal to about ε‖T‖ / gap (LAPACK's dstein uses 1e-3). */
  clusterGap: number;
}

/** Eigenvalues (all n, descending) and leading eigenvectors of the symmetric tridiagonal
 *  matrix with diagonal `d` and off-diagonal `e` (e[i] couples i and i+1; entries from n−1 on
 *  are ignored), for a reduction done elsewhere (the GPU solver), by the wasm module's QR
 *  iteration and inverse iteration. `vectors` holds the m eigenvectors as rows (m × n, row k
 *  belongs to values[k]). */
export function tridiagonalEigenWasm(
  d: ArrayLike<number>,
  e: ArrayLike<number>,
  n: number,
  options: TridiagonalEigenOptions,
): { values: Float64Array; vectors: Float64Array; m: number } {
  const ex = ensureInstance();
  if (ex === null) throw new WasmEigensolverError(loadFailure ?? 'eigensolver.wasm is not loaded');
  if (n === 0) return { values: new Float64Array(0), vectors: new Float64Array(0), m: 0 };
  const { maxVectors, clusterGap } = options;
  const sizes = [n * 8, n * 8, n * 8, Math.max(1, n * maxVectors) * 8, 8];
  const pointers = sizes.map((bytes) => ex.malloc(bytes));
  const [pd, pe, pw, pz, pm] = pointers;
  let trapped = false;
  try {
    if (pointers.some((p) => p === 0)) {
      throw new WasmEigensolverError(`the wasm heap cannot hold ${maxVectors} vectors of ${n}`);
    }
    const heapD = new Float64Array(ex.memory.buffer, pd, n);
    const heapE = new Float64Array(ex.memory.buffer, pe, n);
    for (let i = 0; i < n; i++) {
      heapD[i] = d[i];
      heapE[i] = i + 1 < n ? e[i] : 0;
    }
    const rtol = options.rtol ?? -1;
    let status: number;
    try {
      status = ex.eig_tridiagonal(pd, pe, n, pw, maxVectors, rtol, clusterGap, pz, pm);
    } catch (error) {
      trapped = true;
      throw new WasmEigensolverError(`eigensolver.wasm failed: ${describe(error)}`);
    }
    if (status === 1)
      throw new WasmEigensolverError(`the QR iteration did not converge (n = ${n})`);
    if (status !== 0) throw new WasmEigensolverError(`eig_tridiagonal returned status ${status}`);
    const m = new Int32Array(ex.memory.buffer, pm, 1)[0];
    return {
      values: new Float64Array(ex.memory.buffer, pw, n).slice(),
      vectors: new Float64Array(ex.memory.buffer, pz, n * m).slice(),
      m,
    };
  } finally {
    if (trapped) instance = null;
    else for (const p of pointers) if (p !== 0) ex.free(p);
  }
}
