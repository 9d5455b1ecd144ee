// Per-sample directional curvatures along the GGN eigenvectors (paper Eq. 8b), read off the
// Gram eigenvectors alone.
//
// Derivation. V = (1/√N_S)[v_nm], G_n = Σ_m v_nm v_nmᵀ = N_S V_n V_nᵀ with V_n the M columns of
// sample n. With e_k = V ẽ_k / √λ_k,
//   λ_nk = e_kᵀ G_n e_k = (N_S / λ_k) ‖V_nᵀ V ẽ_k‖².
// V_nᵀ V is the block of rows n·M … n·M+M−1 of G̃ = VᵀV, and G̃ ẽ_k = λ_k ẽ_k, so
// V_nᵀ V ẽ_k = λ_k ẽ_k[n·M : n·M+M] and
//   λ_nk = N_S · λ_k · Σ_m ẽ_k[n·M + m]².
// This only uses G̃ẽ = λẽ and Σ_m v v ᵀ = G_n, so it holds for the exact factor and for MC
// factors alike (then G_n is the sampled per-sample GGN), and for any factor with the same
// Σ_m s sᵀ (e.g. the rank-compressed one). Check: (1/N_S) Σ_n λ_nk = λ_k ‖ẽ_k‖² = λ_k.
// Cost O(K · N_S · M).

import type { Ops } from '../tensor/ops';
import type { Matrix } from './matrix';
import { zerosMatrix } from './matrix';
import type { Spectrum } from './spectrum';

/** λ [N_S, K] for a Gram matrix over N_S samples with M vectors each (index n·M + m). */
export function directionalCurvatures(spectrum: Spectrum, samples: number, m: number): Matrix {
  const { n, values } = spectrum;
  const k = values.length;
  if (samples * m !== n) {
    throw new Error(`${samples} samples × ${m} vectors do not make a Gram matrix of size ${n}`);
  }
  const out = zerosMatrix(samples, k);
  if (k === 0) return out;
  if (!spectrum.vectors) throw new Error('directional curvatures need the Gram eigenvectors');
  const e = spectrum.vectors;
  for (let j = 0; j < k; j++) {
    const f = samples * values[j];
    const row = j * n;
    for (let s = 0; s < samples; s++) {
      let sq = 0;
      for (let v = 0; v < m; v++) {
        const x = e[row + s * m + v];
        sq += x * x;
      }
      out.data[s * k + j] = f * sq;
    }
  }
  return out;
}

/** Σ_m ẽ_k[n·M + m]² [K, N_S] on the device, from the eigenvector rows held there (K × n):
 *  λ's only use of the vectors, so they need not come to the host. */
export function blockSquares<T>(ops: Ops<T>, rows: T, samples: number, m: number): T {
  const [k, n] = ops.shape(rows);
  if (samples * m !== n) {
    throw new Error(`${samples} samples × ${m} vectors do not make a Gram matrix of size ${n}`);
  }
  return ops.tidy(() => ops.sum(ops.reshape(ops.square(rows), [k, samples, m]), [2]));
}

/** λ [N_S, K] from blockSquares' values: λ_nk = N_S · λ_k · Σ_m ẽ_k[n·M + m]². */
export function lambdasFromBlockSquares(
  raw: ArrayLike<number>,
  values: Float64Array,
  samples: number,
): Matrix {
  const k = values.length;
  const out = zerosMatrix(samples, k);
  for (let j = 0; j < k; j++) {
    const f = samples * values[j];
    for (let s = 0; s < samples; s++) out.data[s * k + j] = f * raw[j * samples + s];
  }
  return out;
}
