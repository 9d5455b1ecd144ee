// GGN eigenvectors in parameter space (paper Eq. 5): e_k = V ẽ_k / √λ_k. With the 1/√N_S of
// V = (1/√N_S)[v_nm] folded in, direction k is the coefficient row ẽ_k / (√λ_k √N_S) applied to
// the unscaled backpropagated vectors (ggn/lift.ts). Cost O(N_S·M·D) per direction; nothing
// else in the engine needs V itself.

import type { Spectrum } from './spectrum';

/** Coefficient rows (len × n, row-major) for the directions `indices`. */
export function eigenvectorCoefficients(
  spectrum: Spectrum,
  indices: readonly number[],
  samples: number,
): Float64Array {
  const { n, values, vectors } = spectrum;
  if (!vectors) throw new Error('eigenvectors need the Gram eigenvectors');
  const out = new Float64Array(indices.length * n);
  indices.forEach((k, r) => {
    const f = 1 / Math.sqrt(values[k] * samples);
    for (let i = 0; i < n; i++) out[r * n + i] = f * vectors[k * n + i];
  });
  return out;
}

/** Share of a vector's squared norm in each of `layers`, from its per-parameter parts
 *  (`partLayers[q]` is the layer of part q). Sums to 1 over the layers. */
export function normSharesByLayer(
  parts: readonly Float64Array[],
  partLayers: readonly number[],
  layers: readonly number[],
): Float64Array {
  const shares = new Float64Array(layers.length);
  let total = 0;
  parts.forEach((part, q) => {
    let sq = 0;
    for (let i = 0; i < part.length; i++) sq += part[i] * part[i];
    shares[layers.indexOf(partLayers[q])] += sq;
    total += sq;
  });
  if (total > 0) for (let l = 0; l < shares.length; l++) shares[l] /= total;
  return shares;
}
