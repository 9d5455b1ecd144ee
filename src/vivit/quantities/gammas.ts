// Per-sample directional gradients along the GGN eigenvectors (paper Eq. 8a):
//   γ_nk = e_kᵀ g_n = ẽ_kᵀ (Vᵀ g_n) / √λ_k,
// from the projections P = Vᵀ[g_1 … g_N] ∈ R^{N_S·M × N_grad} that the sweep accumulates layer
// by layer, without ever forming e_k. One K×n by n×N_grad product, done by the Ops that hold P
// (float32 on tfjs, float64 on the float64 ops): O(K·N_S·M·N_grad).

import type { Ops } from '../tensor/ops';
import type { Matrix } from './matrix';
import { zerosMatrix } from './matrix';
import type { Spectrum } from './spectrum';

/**
 * @param projections P_raw [n, N_grad] as the sweep returns it (unscaled sums)
 * @param scale factor turning P_raw into Vᵀg_n (the sweep's sums use ∇_f of the MEAN loss and
 *   unscaled V columns: scale = N / √N_S)
 * @param vectorsOnDevice the rows of spectrum.vectors already held by `ops` (K × n), which
 *   then need not be uploaded (the device eigensolver leaves them there)
 * @returns γ [N_grad, K]
 */
export async function directionalGradients<T>(
  ops: Ops<T>,
  spectrum: Spectrum,
  projections: T,
  scale: number,
  vectorsOnDevice: T | null = null,
): Promise<Matrix> {
  const { n, values } = spectrum;
  const k = values.length;
  const [rows, nGrad] = ops.shape(projections);
  if (rows !== n) throw new Error(`projections have ${rows} rows, the Gram matrix has ${n}`);
  const out = zerosMatrix(nGrad, k);
  if (k === 0) return out;
  if (!spectrum.vectors) throw new Error('directional gradients need the Gram eigenvectors');
  const vectors = spectrum.vectors;
  const product = ops.tidy(() =>
    ops.matMul(vectorsOnDevice ?? ops.fromArray(vectors, [k, n]), projections),
  );
  const raw = await ops.read(product); // [K, N_grad]
  ops.dispose(product);
  for (let j = 0; j < k; j++) {
    const f = scale / Math.sqrt(values[j]);
    for (let s = 0; s < nGrad; s++) out.data[s * k + j] = f * raw[j * nGrad + s];
  }
  return out;
}
