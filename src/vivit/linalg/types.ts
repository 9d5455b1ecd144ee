/** Result of a dense symmetric eigendecomposition A = X diag(values) Xᵀ. */
export interface SymmetricEigen {
  /** Eigenvalues in descending order. */
  values: Float64Array;
  /** n×n row-major (n×m with the option vectorCount = m); column k (entries [i*n + k], resp.
   *  [i*m + k]) is the unit eigenvector of values[k]. Present only when vectors were requested. */
  vectors?: Float64Array;
}

export type EigensolverBackend = 'wasm' | 'js';
