// Directions in parameter space from Gram eigenvectors: forming the requested eigenvectors
// e_k = V ẽ_k / √λ_k, and the 'largest-entry' sign of every direction without bringing all
// e_k to the host (chunks of directions are lifted through V; only per-parameter extremes come
// back, with an exact scan for the rare rows where +a and −a tie).

import {
  eigenvectorCoefficients,
  largestEntrySign,
  signsFromExtremes,
  type Extremes,
  type Spectrum,
} from '../quantities/index';
import type { ParamGroup } from './groups';
import { liftRows, rowExtremes, torchRows, torchRowsAll, type LiftContext } from './lift';

/** Eigenvectors e_k (PyTorch layout per group parameter) for `indices`, signs as the Gram
 *  vectors have them. */
export async function formEigenvectors<T>(
  ctx: LiftContext<T>,
  group: ParamGroup,
  spectrum: Spectrum,
  indices: number[],
  samples: number,
): Promise<{ index: number; parameters: Float64Array[] }[]> {
  if (indices.length === 0) return [];
  const coeff = eigenvectorCoefficients(spectrum, indices, samples);
  const lifted = liftRows(ctx, group, coeff, indices.length, spectrum.n);
  const perParam = await torchRowsAll(ctx.ops, ctx.network, group.params, lifted, indices.length);
  ctx.ops.dispose(lifted);
  return indices.map((index, r) => ({ index, parameters: perParam.map((rows) => rows[r]) }));
}

/** 'largest-entry' signs of the directions `indices` without bringing e_k to the host:
 *  chunks of directions are lifted and only their per-parameter extremes come back. */
export async function largestEntrySigns<T>(
  ctx: LiftContext<T>,
  group: ParamGroup,
  spectrum: Spectrum,
  indices: number[],
  samples: number,
  chunk: number,
): Promise<Int8Array> {
  const out = new Int8Array(indices.length).fill(1);
  for (let start = 0; start < indices.length; start += chunk) {
    const part = indices.slice(start, start + chunk);
    const coeff = eigenvectorCoefficients(spectrum, part, samples);
    const lifted = liftRows(ctx, group, coeff, part.length, spectrum.n);
    const extremes: Extremes[] = await rowExtremes(ctx.ops, lifted, part.length);
    const { signs, ties } = signsFromExtremes(extremes, part.length);
    for (const { row, part: q } of ties) {
      // +a and −a both present: the first in PyTorch flat order decides.
      const rows = await torchRows(ctx.ops, ctx.network, group.params[q], lifted[q], part.length);
      signs[row] = largestEntrySign([rows[row]]);
    }
    ctx.ops.dispose(lifted);
    out.set(signs, start);
  }
  return out;
}
