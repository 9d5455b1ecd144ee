// Dense symmetric eigendecomposition in float64 for the curvature engine (the Gram matrix
// G̃ = VᵀV of size NC×NC, paper §2.1), plus the nontrivial-eigenvalue rule and small dense
// helpers. Two backends with one contract:
//  - wasm: Householder tridiagonalization + Eigen's tridiagonal QR step + inverse iteration,
//          compiled to a standalone wasm module with SIMD kernels (fast);
//  - js:   a pure TypeScript Householder + implicit QL solver, used when wasm cannot load.
// `await loadEigensolver()` once at start-up compiles the module without blocking; without it
// the first call compiles synchronously. See docs/linalg.md for the algorithms and timings.

import { symmetricEigenJs } from './eigen-js';
import {
  FLOAT32_CLUSTER_GAP,
  isWasmEigensolverReady,
  loadWasmEigensolver,
  symmetricEigenWasm,
  WasmEigensolverError,
  wasmLoadFailure,
} from './eigen-wasm';
import { checkShape, DEFAULT_SYMMETRY_TOLERANCE, symmetrizeInto } from './prepare';
import { normalizeEigenvectorSigns } from './signs';
import type { EigensolverBackend, SymmetricEigen } from './types';

export type { EigensolverBackend, SymmetricEigen } from './types';
export { nontrivialCount } from './nontrivial';
export { normalizeEigenvectorSigns } from './signs';
export { DEFAULT_SYMMETRY_TOLERANCE } from './prepare';
export { fromEigen, gramMatrix, matmul, maxAbs, maxAbsDiff, transpose } from './dense';

export interface SymmetricEigenOptions {
  /** Also compute the eigenvectors (2–5× the time of the eigenvalues alone). */
  vectors: boolean;
  /** With `vectors: true`: compute only the eigenvectors of the `vectorCount` largest
   *  eigenvalues (an integer 0..n; default n = all). `vectors` is then row-major
   *  n×vectorCount, column k belonging to values[k]; `values` still holds all n eigenvalues.
   *  Much cheaper when vectorCount ≤ n/2 (e.g. the K nontrivial eigenvectors of a Gram
   *  matrix): only those are computed and back-transformed. */
  vectorCount?: number;
  /** 'auto' (default) uses wasm when it loads and the TypeScript solver otherwise; 'wasm' and
   *  'js' force one backend ('wasm' throws if it cannot load). */
  backend?: 'auto' | EigensolverBackend;
  /** 'float64' (default): eigenvectors orthogonal to working precision. 'float32': to about
   *  1e-7 at worst (1e-13 typically), enough for a matrix known only to float32 accuracy, and
   *  about twice as fast for many vectors (wasm backend; docs/linalg.md). */
  vectorAccuracy?: 'float64' | 'float32';
  /** Largest accepted |a[i,j] − a[j,i]| relative to max |a|; the solver then works on the
   *  symmetric part (A + Aᵀ)/2. Default DEFAULT_SYMMETRY_TOLERANCE (1e-4). */
  symmetryTolerance?: number;
}

export interface EigensolverStatus {
  /** The backend that 'auto' uses. */
  backend: EigensolverBackend;
  /** Why wasm is not used, when it is not. */
  reason?: string;
  /** Why the last call that 'auto' sent to wasm ran on the TypeScript solver instead (e.g. the
   *  matrix did not fit the wasm heap); such a failure does not affect later calls. */
  lastFallback?: string;
}

let lastFallback: string | null = null;

/** Loads the wasm backend without blocking; resolves to the backend 'auto' will use. */
export async function loadEigensolver(): Promise<EigensolverStatus> {
  await loadWasmEigensolver();
  return eigensolverStatus();
}

/** The backend 'auto' uses now (loading wasm synchronously if that was not tried yet). */
export function eigensolverStatus(): EigensolverStatus {
  const status: EigensolverStatus = isWasmEigensolverReady()
    ? { backend: 'wasm' }
    : { backend: 'js', reason: wasmLoadFailure() ?? 'eigensolver.wasm is not loaded' };
  if (lastFallback !== null) status.lastFallback = lastFallback;
  return status;
}

/**
 * Eigendecomposition A = X diag(values) Xᵀ of a dense symmetric matrix.
 * @param a row-major n×n, symmetric up to `symmetryTolerance`; not modified.
 * @returns values in descending order; with `vectors: true` also X (row-major n×n, or
 *   n×vectorCount, column k is the unit eigenvector of values[k], sign fixed so its
 *   largest-magnitude entry is positive).
 * Throws a RangeError naming the problem for a wrong size, a non-finite or asymmetric entry, or
 * a vectorCount that is not an integer in 0..n.
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
  options: SymmetricEigenOptions,
): SymmetricEigen {
  const caller = 'symmetricEigen';
  checkShape(a, n, caller);
  const tolerance = options.symmetryTolerance ?? DEFAULT_SYMMETRY_TOLERANCE;
  const count = options.vectorCount ?? n;
  if (!Number.isInteger(count) || count < 0 || count > n) {
    throw new RangeError(
      `${caller}: vectorCount must be an integer from 0 to n = ${n}, got ${options.vectorCount}`,
    );
  }
  const wantVectors = options.vectors;
  const vectorCount = wantVectors ? count : 0;
  const backend = options.backend ?? 'auto';
  let result: SymmetricEigen | null = null;

  if (backend !== 'js') {
    try {
      const clusterGap = options.vectorAccuracy === 'float32' ? FLOAT32_CLUSTER_GAP : 0;
      result = symmetricEigenWasm(
        n,
        vectorCount,
        (heap) => symmetrizeInto(a, n, heap, tolerance, caller),
        clusterGap,
      );
      // vectors: true with vectorCount 0 (or n = 0) still promises a (empty) vectors field.
      if (wantVectors && result.vectors === undefined) {
        result = { values: result.values, vectors: new Float64Array(0) };
      }
    } catch (error) {
      if (!(error instanceof WasmEigensolverError) || backend === 'wasm') throw error;
      // Same contract, slower: finish this call in TypeScript and say why in the status.
      lastFallback = error.message;
    }
  }
  if (result === null) {
    const work = new Float64Array(n * n);
    symmetrizeInto(a, n, work, tolerance, caller);
    result = symmetricEigenJs(work, n, vectorCount > 0);
    if (wantVectors && (vectorCount < n || result.vectors === undefined)) {
      // The TypeScript solver computes all or none; keep the leading columns.
      const all = result.vectors ?? new Float64Array(0);
      result = { values: result.values, vectors: leadingColumns(all, n, vectorCount) };
    }
  }
  if (result.vectors !== undefined) normalizeEigenvectorSigns(result.vectors, n, vectorCount);
  return result;
}

/** The first `cols` columns of a row-major n×n matrix, as a row-major n×cols matrix. */
function leadingColumns(x: Float64Array, n: number, cols: number): Float64Array {
  const out = new Float64Array(n * cols);
  for (let i = 0; i < n; i++) out.set(x.subarray(i * n, i * n + cols), i * cols);
  return out;
}
