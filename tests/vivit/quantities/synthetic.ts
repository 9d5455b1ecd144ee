// A synthetic ViViT factor for unit tests of the Gram-space formulas: random columns
// v_nm ∈ R^D for N samples × M vectors and per-sample vectors g_n, with the dense objects
// (G_n = Σ_m v_nm v_nmᵀ, G = (1/N) Σ G_n, V = (1/√N)[v], its Gram matrix) built naively.

import { Rng } from '../../../src/vivit/random';

export interface Synthetic {
  N: number;
  M: number;
  D: number;
  /** v[n·M + m] ∈ R^D (unscaled). */
  v: Float64Array[];
  g: Float64Array[];
  /** G̃ = VᵀV, (N·M)² row-major. */
  gram: Float64Array;
  /** P = Vᵀ[g_1 … g_N], (N·M) × N row-major. */
  projections: Float64Array;
  /** G_n, D² row-major. */
  sampleGGN: Float64Array[];
}

export function synthetic(N: number, M: number, D: number, seed: number): Synthetic {
  const rng = new Rng(seed, 'synthetic');
  const vec = () => Float64Array.from({ length: D }, () => rng.normal());
  const v = Array.from({ length: N * M }, vec);
  const g = Array.from({ length: N }, vec);
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i], 0);
  const n = N * M;
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) gram[i * n + j] = dot(v[i], v[j]) / N;
  const projections = new Float64Array(n * N);
  for (let i = 0; i < n; i++)
    for (let s = 0; s < N; s++) projections[i * N + s] = dot(v[i], g[s]) / Math.sqrt(N);
  const sampleGGN = Array.from({ length: N }, (_, s) => {
    const G = new Float64Array(D * D);
    for (let m = 0; m < M; m++) {
      const x = v[s * M + m];
      for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) G[a * D + b] += x[a] * x[b];
    }
    return G;
  });
  return { N, M, D, v, g, gram, projections, sampleGGN };
}

/** e_k = V ẽ_k / √λ_k for Gram eigenvector rows (K × n). */
export function liftDense(
  s: Synthetic,
  vectors: Float64Array | Float32Array,
  values: Float64Array,
): Float64Array[] {
  const n = s.N * s.M;
  return Array.from(values, (lam, k) => {
    const e = new Float64Array(s.D);
    for (let i = 0; i < n; i++) {
      const c = vectors[k * n + i] / Math.sqrt(lam * s.N);
      for (let a = 0; a < s.D; a++) e[a] += c * s.v[i][a];
    }
    return e;
  });
}
