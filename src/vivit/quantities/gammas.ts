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
  const [, nGrad] = ops.shape(projections);
  if (spectrum.values.length === 0) return zerosMatrix(nGrad, 0);
  const product = gammaProduct(ops, spectrum, projections, vectorsOnDevice);
  let raw: ArrayLike<number>;
  try {
    raw = await ops.read(product);
  } finally {
    ops.dispose(product);
  }
  return gammasFromProduct(raw, spectrum.values, nGrad, scale);
}

/** Ẽ P_raw [K, N_grad] on the device holding P (Ẽ: the K Gram eigenvectors as rows, from
 *  `vectorsOnDevice` or else uploaded from spectrum.vectors). K ≥ 1. */
export function gammaProduct<T>(
  ops: Ops<T>,
  spectrum: Spectrum,
  projections: T,
  vectorsOnDevice: T | null,
): T {
  const { n, values } = spectrum;
  const k = values.length;
  const [rows] = ops.shape(projections);
  if (rows !== n) throw new Error(`projections have ${rows} rows, the Gram matrix has ${n}`);
  const vectors = spectrum.vectors;
  if (vectorsOnDevice === null && !vectors) {
    throw new Error('directional gradients need the Gram eigenvectors');
  }
  return ops.tidy(() =>
    ops.matMul(vectorsOnDevice ?? ops.fromArray(vectors!.subarray(0, k * n), [k, n]), projections),
  );
}

/** γ [N_grad, K] from the product's values [K, N_grad]: γ_nk = scale · (ẼP)_kn / √λ_k. */
export function gammasFromProduct(
  raw: ArrayLike<number>,
  values: Float64Array,
  nGrad: number,
  scale: number,
): Matrix {
  const k = values.length;
  const out = zerosMatrix(nGrad, k);
  for (let j = 0; j < k; j++) {
    const f = scale / Math.sqrt(values[j]);
    for (let s = 0; s < nGrad; s++) out.data[s * k + j] = f * raw[j * nGrad + s];
  }
  return out;
}
