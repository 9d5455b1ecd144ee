// The nontrivial spectrum of a group's Gram matrix G̃ = VᵀV (paper §2.1, Eq. 4): its nonzero
// eigenvalues are exactly the GGN's, found from an (N_S·M)² instead of a D² matrix.
//
// Nontrivial rule (the curvature-case format's eig_rtol): λ counts when λ > eigRtol · max λ
// (default 1e-10, see docs/linalg.md; with a float32 Gram matrix use ≥ 1e-5, because its
// zero eigenvalues come out as roundoff of about 1e-6 · max λ). `topK` then keeps only the K
// largest. Eigenvalues are descending.

import { nontrivialCount, symmetricEigen } from '../linalg/index';

export const DEFAULT_EIG_RTOL = 1e-10;

export interface Spectrum {
  /** Gram size n = N_S · M. */
  n: number;
  /** The K kept eigenvalues, descending. */
  values: Float64Array;
  /** How many eigenvalues passed the eigRtol rule (before topK). */
  nontrivial: number;
  /** Gram eigenvectors as rows: ẽ_k = vectors[k·n .. (k+1)·n), K × n. Null when not asked.
   *  Float32Array where they were computed in float32 (the device eigensolver's, as read
   *  back: widening megabytes to float64 would add nothing but time). */
  vectors: Float64Array | Float32Array | null;
}

export function gramSpectrum(
  gram: Float64Array,
  n: number,
  options: {
    eigRtol: number;
    topK?: number;
    vectors: boolean;
    /** 'float32' for a Gram matrix formed in float32 (see symmetricEigen). */
    vectorAccuracy?: 'float64' | 'float32';
  },
): Spectrum {
  // With top-k, at most k eigenvectors are kept: the solver then forms only those (inverse
  // iteration + partial back-transformation, several times cheaper than all n).
  const vectorCount = options.topK !== undefined ? Math.min(options.topK, n) : n;
  const eig = symmetricEigen(gram, n, {
    vectors: options.vectors,
    vectorCount,
    ...(options.vectorAccuracy && { vectorAccuracy: options.vectorAccuracy }),
  });
  const nontrivial = nontrivialCount(eig.values, options.eigRtol);
  const k = Math.min(nontrivial, options.topK ?? nontrivial);
  const values = eig.values.slice(0, k);
  let vectors: Float64Array | null = null;
  if (options.vectors && eig.vectors) {
    // Column j of the row-major n×vectorCount result is ẽ_j; gather the first k as rows.
    const x = eig.vectors;
    vectors = new Float64Array(k * n);
    for (let i = 0; i < n; i++) {
      const row = i * vectorCount;
      for (let j = 0; j < k; j++) vectors[j * n + i] = x[row + j];
    }
  }
  return { n, values, nontrivial, vectors };
}
