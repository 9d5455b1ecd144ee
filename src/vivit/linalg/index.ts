// Dense symmetric eigendecomposition in float64 for the curvature engine (the Gram matrix
// G̃ = VᵀV of size NC×NC, paper §2.1), plus the nontrivial-eigenvalue rule and small dense
// helpers. Two backends with one contract:
//  - wasm: Eigen's SelfAdjointEigenSolver compiled to a standalone wasm module (fast);
//  - js:   a pure TypeScript Householder + implicit QL solver, used when wasm cannot load.
// `await loadEigensolver()` once at start-up compiles the module without blocking; without it
// the first call compiles synchronously. See docs/linalg.md for the algorithms and timings.

import { symmetricEigenJs } from './eigen-js';
import {
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
  /** Also compute the eigenvectors (about 4x the time of the eigenvalues alone). */
  vectors: boolean;
  /** 'auto' (default) uses wasm when it loads and the TypeScript solver otherwise; 'wasm' and
   *  'js' force one backend ('wasm' throws if it cannot load). */
  backend?: 'auto' | EigensolverBackend;
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
 * @returns values in descending order; with `vectors: true` also X (row-major n×n, column k is
 *   the unit eigenvector of values[k], sign fixed so its largest-magnitude entry is positive).
 * Throws a RangeError naming the problem for a wrong size, a non-finite or asymmetric entry.
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
  options: SymmetricEigenOptions,
): SymmetricEigen {
  const caller = 'symmetricEigen';
  checkShape(a, n, caller);
  const tolerance = options.symmetryTolerance ?? DEFAULT_SYMMETRY_TOLERANCE;
  const wantVectors = options.vectors;
  const backend = options.backend ?? 'auto';
  let result: SymmetricEigen | null = null;

  if (backend !== 'js') {
    try {
      result = symmetricEigenWasm(n, wantVectors, (heap) =>
        symmetrizeInto(a, n, heap, tolerance, caller),
      );
    } catch (error) {
      if (!(error instanceof WasmEigensolverError) || backend === 'wasm') throw error;
      // Same contract, slower: finish this call in TypeScript and say why in the status.
      lastFallback = error.message;
    }
  }
  if (result === null) {
    const work = new Float64Array(n * n);
    symmetrizeInto(a, n, work, tolerance, caller);
    result = symmetricEigenJs(work, n, wantVectors);
  }
  if (result.vectors !== undefined) normalizeEigenvectorSigns(result.vectors, n);
  return result;
}
