// Where each eigenvector lives: the share of ‖e_k‖² = 1 in each layer, for the K directions (or
// the leading maxRows of them) without forming any e_k. The GGN block of layer l is V_lV_lᵀ with V_l the layer's rows of V,
// and the Gram matrix splits as G̃ = Σ_l V_lᵀV_l = Σ_l G̃_l, so
//   ‖e_k|_l‖² = ẽ_kᵀ V_lᵀ V_l ẽ_k / λ_k = ẽ_kᵀ G̃_l ẽ_k / λ_k,   Σ_l = ẽ_kᵀG̃ẽ_k/λ_k = 1.
// Cost O(K·n²) per layer (n = N_S·M), on the Ops that hold the layer blocks.

import type { Ops } from '../tensor/ops';
import type { Matrix } from './matrix';
import { zerosMatrix } from './matrix';
import type { Spectrum } from './spectrum';

/**
 * @param layerGrams each layer's raw Gram block (unscaled), in the order of the result columns
 * @param scale factor turning a raw block into G̃_l (1/N_S)
 * @param maxRows only the leading directions (each costs a product with every n×n block)
 * @returns shares [min(K, maxRows), L]
 */
export async function gramLayerShares<T>(
  ops: Ops<T>,
  spectrum: Spectrum,
  layerGrams: readonly T[],
  scale: number,
  maxRows = Number.MAX_SAFE_INTEGER,
): Promise<Matrix> {
  const { n, values, vectors } = spectrum;
  const k = Math.min(values.length, maxRows);
  const out = zerosMatrix(k, layerGrams.length);
  if (k === 0 || layerGrams.length === 0) return out;
  if (!vectors) throw new Error('layer shares need the Gram eigenvectors');
  const quad = ops.tidy(() => {
    const e = ops.fromArray(vectors.subarray(0, k * n), [k, n]);
    const perLayer = layerGrams.map((g) => ops.sum(ops.mul(ops.matMul(e, g), e), [1], true));
    return ops.concat(perLayer, 1); // [K, L]
  });
  const raw = await ops.read(quad);
  ops.dispose(quad);
  for (let j = 0; j < k; j++) {
    const f = scale / values[j];
    for (let l = 0; l < layerGrams.length; l++) {
      out.data[j * layerGrams.length + l] = f * raw[j * layerGrams.length + l];
    }
  }
  return out;
}
