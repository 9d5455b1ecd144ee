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
  eig_sym(a: number, n: number, w: number, vectors: number, clusterGap: number): number;
  /** All eigenvalues of a (scaled) tridiagonal matrix, descending; d and e are kept. */
  tridiagonal_values(d: number, e: number, n: number, w: number): number;
  /** Inverse-iteration eigenvectors of the tridiagonal matrix for the m eigenvalues at
   *  `lambda` (indices firstIndex… of the spectrum) as rows of z. See eigensolver.cpp. */
  tridiagonal_vectors(
    d: number,
    e: number,
    n: number,
    lambda: number,
    m: number,
    clusterGap: number,
    firstIndex: number,
    z: number,
  ): number;
}

/** Relative eigenvalue gap below which inverse iteration re-orthogonalizes when float32-level
 *  orthogonality suffices (a float32 Gram matrix, the device solver): vectors further apart
 *  come out orthogonal to about ε₆₄‖T‖/gap ≤ 2e-7 (measured 1e-13 on Gram spectra), while
 *  dstein's 1e-3 would put the many small eigenvalues of a Gram spectrum into clusters that
 *  cost O(n·c²) (docs/linalg.md). */
export const FLOAT32_CLUSTER_GAP = 1e-9;

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
  for (const name of [
    '_initialize',
    'malloc',
    'free',
    'eig_sym',
    'tridiagonal_values',
    'tridiagonal_vectors',
  ] as const) {
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
    const clusterGap = round % 2 === 0 ? 0 : FLOAT32_CLUSTER_GAP;
    const a = new Float64Array(ex.memory.buffer, pa, n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i * n + j] = 1 / (1 + i + j) + (i === j ? i : 0);
    }
    if (ex.eig_sym(pa, n, pw, vectors, clusterGap) !== 0) {
      throw new Error('the warm-up solve failed');
    }
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
 *  are returned as a row-major n×vectorCount matrix (none: no `vectors` field). `clusterGap`
 *  0 keeps them orthogonal to working precision; FLOAT32_CLUSTER_GAP settles for float32's
 *  level, about twice as fast for all vectors. Errors thrown by `fill` propagate unchanged. */
export function symmetricEigenWasm(
  n: number,
  vectorCount: number,
  fill: (heapMatrix: Float64Array) => void,
  clusterGap = 0,
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
      status = ex.eig_sym(pa, n, pw, vectorCount, clusterGap);
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

/** The compiled module, for worker threads that instantiate their own copy (null if wasm
 *  cannot load here). */
export function compiledEigensolver(): object | null {
  return ensureInstance() === null ? null : compiled;
}

/** Runs `call` with the given arrays copied into the module's heap (pointers in the same
 *  order) and `outputs` zeroed doubles after them; returns the outputs' contents. */
function withHeap(
  inputs: ArrayLike<number>[],
  outputs: number[],
  call: (ex: EigensolverExports, pointers: number[]) => number,
  what: string,
  /** Reads the outputs in place (views of the heap, valid only during the call); without it
   *  they are copied out and returned. */
  readOutputs?: (views: Float64Array[]) => void,
): Float64Array[] {
  const ex = ensureInstance();
  if (ex === null) throw new WasmEigensolverError(loadFailure ?? 'eigensolver.wasm is not loaded');
  const sizes = [...inputs.map((a) => a.length), ...outputs];
  const pointers = sizes.map((length) => ex.malloc(Math.max(1, length) * 8));
  let trapped = false;
  try {
    if (pointers.some((p) => p === 0)) {
      throw new WasmEigensolverError(`the wasm heap cannot hold the ${what}`);
    }
    inputs.forEach((a, i) => new Float64Array(ex.memory.buffer, pointers[i], a.length).set(a));
    let status: number;
    try {
      status = call(ex, pointers);
    } catch (error) {
      trapped = true;
      throw new WasmEigensolverError(`eigensolver.wasm failed: ${describe(error)}`);
    }
    if (status === 1) throw new WasmEigensolverError(`the QR iteration did not converge (${what})`);
    if (status !== 0) throw new WasmEigensolverError(`${what}: status ${status}`);
    const views = outputs.map(
      (length, i) => new Float64Array(ex.memory.buffer, pointers[inputs.length + i], length),
    );
    if (readOutputs === undefined) return views.map((view) => view.slice());
    readOutputs(views);
    return [];
  } finally {
    if (trapped) instance = null;
    else for (const p of pointers) if (p !== 0) ex.free(p);
  }
}

/** All eigenvalues, descending, of the symmetric tridiagonal matrix with diagonal d and
 *  off-diagonal e (e[i] couples i and i+1; length n, the last entry ignored), which the
 *  caller has scaled to max |t_ij| ~ 1 by a power of two. */
export function tridiagonalValuesWasm(d: Float64Array, e: Float64Array): Float64Array {
  const n = d.length;
  if (n === 0) return new Float64Array(0);
  const [values] = withHeap(
    [d, e],
    [n],
    (ex, [pd, pe, pw]) => ex.tridiagonal_values(pd, pe, n, pw),
    `eigenvalues of a tridiagonal matrix of size ${n}`,
  );
  return values;
}

/** Unit eigenvectors (rows, lambdas.length × n) of the scaled tridiagonal (d, e) for the
 *  eigenvalues `lambdas`, which are entries firstIndex… of its descending spectrum; clusters
 *  are eigenvalues closer than clusterGap · ‖T‖ (see eigensolver.cpp, tridiagonal_vectors).
 *  Written into `out` (exactly lambdas.length × n entries; float32 rounds them) when given,
 *  straight from the wasm heap, else into a new Float64Array. */
export function tridiagonalVectorsWasm<Out extends Float64Array | Float32Array = Float64Array>(
  d: Float64Array,
  e: Float64Array,
  lambdas: Float64Array,
  clusterGap: number,
  firstIndex: number,
  out?: Out,
): Out {
  const n = d.length;
  const m = lambdas.length;
  if (out !== undefined && out.length !== m * n) {
    throw new RangeError(`the output holds ${out.length} entries, ${m} vectors need ${m * n}`);
  }
  const target = out ?? new Float64Array(m * n);
  if (m === 0) return target as Out;
  withHeap(
    [d, e, lambdas],
    [m * n],
    (ex, [pd, pe, pl, pz]) => ex.tridiagonal_vectors(pd, pe, n, pl, m, clusterGap, firstIndex, pz),
    `${m} eigenvectors of a tridiagonal matrix of size ${n}`,
    ([vectors]) => target.set(vectors),
  );
  return target as Out;
}
