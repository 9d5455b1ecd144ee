/** Number of nontrivial eigenvalues: those with λ > rtol · max λ (the curvature-case format's
 *  `eig_rtol` rule; see docs/linalg.md). The paper's nontrivial Gram spectrum is λ ≠ 0; in
 *  floating point the zero eigenvalues of a rank-deficient Gram matrix come out as roundoff of
 *  either sign, of size about n·ε·max λ, so they are cut relative to the largest eigenvalue.
 *  For descending `values` (as `symmetricEigen` returns them) the nontrivial eigenvalues are
 *  the first K = nontrivialCount(values, rtol) entries. A spectrum whose maximum is not
 *  positive has no nontrivial eigenvalues. */
export function nontrivialCount(values: ArrayLike<number>, rtol: number): number {
  if (!Number.isFinite(rtol) || rtol < 0) {
    throw new RangeError(`nontrivialCount: rtol must be a finite number >= 0, got ${rtol}`);
  }
  let max = -Infinity;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (Number.isNaN(v)) throw new RangeError(`nontrivialCount: eigenvalue ${k} is NaN`);
    if (v > max) max = v;
  }
  if (!(max > 0)) return 0;
  const threshold = rtol * max;
  let count = 0;
  for (let k = 0; k < values.length; k++) if (values[k] > threshold) count++;
  return count;
}
