// Eigenvectors are defined up to sign, and so are the directional gradients γ_nk = e_kᵀ g_n.
// Each call fixes one rule for every direction, and flips ẽ_k, e_k and the γ column together:
//  - 'largest-entry' (the curvature-case format's rule): the entry of e_k with the largest
//    magnitude is positive; among equal magnitudes the first in the group's flat order
//    (parameters ascending, each row-major in PyTorch layout) decides. Needs e_k itself, so
//    fixing it for every direction costs one pass of V over all K directions.
//  - 'gradient': e_k points uphill, γ̄_k = e_kᵀ ḡ ≥ 0 (free once the γ are known). Directions
//    with γ̄_k = 0 exactly keep the Gram eigensolver's sign (largest |ẽ_k| entry positive).

import type { Matrix } from './matrix';

export type SignRule = 'largest-entry' | 'gradient';

/** +1 / −1 per direction so that γ̄_k ≥ 0. */
export function gradientSigns(gammaMean: Float64Array): Int8Array {
  return Int8Array.from(gammaMean, (g) => (g < 0 ? -1 : 1));
}

/** The 'largest-entry' sign of one vector given as per-parameter arrays in flat order. */
export function largestEntrySign(parts: readonly Float64Array[]): 1 | -1 {
  let best = -1;
  let sign: 1 | -1 = 1;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const v = part[i];
      const mag = v < 0 ? -v : v;
      if (mag > best) {
        best = mag;
        sign = v < 0 ? -1 : 1;
      }
    }
  }
  return sign;
}

export interface Extremes {
  max: Float64Array;
  min: Float64Array;
}

/**
 * 'largest-entry' signs from per-row extremes of each parameter (in flat order), for rows whose
 * values never left the device. A row whose winning parameter holds +a and −a with the same
 * magnitude a cannot be decided from extremes: it is listed in `ties` (row, position of the
 * parameter in `perParam`) for an exact scan.
 */
export function signsFromExtremes(
  perParam: readonly Extremes[],
  rows: number,
): { signs: Int8Array; ties: { row: number; part: number }[] } {
  const signs = new Int8Array(rows).fill(1);
  const ties: { row: number; part: number }[] = [];
  for (let r = 0; r < rows; r++) {
    let best = -1;
    let tiePart = -1;
    perParam.forEach((e, q) => {
      const hi = e.max[r];
      const lo = -e.min[r];
      const mag = Math.max(hi, lo);
      if (mag > best) {
        best = mag;
        signs[r] = hi >= lo ? 1 : -1;
        tiePart = hi === lo && mag > 0 ? q : -1;
      }
    });
    if (tiePart >= 0) ties.push({ row: r, part: tiePart });
  }
  return { signs, ties };
}

/** Flips the columns of [N, K] (and a per-direction vector) where signs is −1, in place. */
export function flipColumns(m: Matrix, signs: Int8Array): void {
  for (let r = 0; r < m.rows; r++) {
    const row = r * m.cols;
    for (let c = 0; c < m.cols; c++) if (signs[c] < 0) m.data[row + c] = -m.data[row + c];
  }
}

export function flipEntries(v: Float64Array, signs: Int8Array): void {
  for (let c = 0; c < v.length; c++) if (signs[c] < 0) v[c] = -v[c];
}

/** Flips rows of a K × n row-major array (Gram eigenvectors ẽ_k) in place. */
export function flipRows(rows: Float64Array | Float32Array, n: number, signs: Int8Array): void {
  for (let k = 0; k < signs.length; k++) {
    if (signs[k] > 0) continue;
    for (let i = 0; i < n; i++) rows[k * n + i] = -rows[k * n + i];
  }
}
