// Checks a dense symmetric input and writes its symmetric part into a working buffer that the
// eigensolvers may destroy. Done once, before either backend runs, so both see identical input
// and bad input fails with the same message whichever backend is active.

/** Default bound on |a[i,j] − a[j,i]| relative to max |a|. Loose enough for Gram matrices
 *  accumulated in float32 (tfjs has no float64), tight enough to catch a transposed or
 *  mis-strided matrix, whose asymmetry is of the order of the entries themselves. */
export const DEFAULT_SYMMETRY_TOLERANCE = 1e-4;

export function checkShape(a: Float64Array, n: number, caller: string): void {
  if (!(a instanceof Float64Array)) {
    throw new TypeError(`${caller}: the matrix must be a Float64Array`);
  }
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`${caller}: n must be a non-negative integer, got ${n}`);
  }
  if (a.length !== n * n) {
    throw new RangeError(
      `${caller}: the matrix has ${a.length} entries but n = ${n} needs n*n = ${n * n}`,
    );
  }
}

/** Writes (A + Aᵀ)/2 into `out` (row-major n×n) and returns max |a|. Throws a RangeError naming
 *  the first offending entry if A has a non-finite entry or is not symmetric within
 *  `tolerance · max|a|`. Walks A in square tiles so the transposed reads stay in cache. */
export function symmetrizeInto(
  a: Float64Array,
  n: number,
  out: Float64Array,
  tolerance: number,
  caller: string,
): number {
  if (!(tolerance >= 0)) {
    throw new RangeError(`${caller}: symmetryTolerance must be >= 0, got ${tolerance}`);
  }
  let maxAbs = 0;
  for (let idx = 0; idx < a.length; idx++) {
    const v = a[idx];
    if (!Number.isFinite(v)) {
      const i = Math.floor(idx / n);
      throw new RangeError(`${caller}: entry [${i}, ${idx - i * n}] of the matrix is ${v}`);
    }
    const m = v < 0 ? -v : v;
    if (m > maxAbs) maxAbs = m;
  }
  const bound = tolerance * maxAbs;
  const tile = 64;
  for (let i0 = 0; i0 < n; i0 += tile) {
    const i1 = Math.min(n, i0 + tile);
    for (let j0 = 0; j0 <= i0; j0 += tile) {
      const j1 = Math.min(n, j0 + tile);
      for (let i = i0; i < i1; i++) {
        const jEnd = Math.min(j1, i + 1);
        for (let j = j0; j < jEnd; j++) {
          const x = a[i * n + j];
          const y = a[j * n + i];
          const diff = x - y;
          if (diff > bound || -diff > bound) {
            throw new RangeError(
              `${caller}: the matrix is not symmetric: entry [${i}, ${j}] = ${x} but ` +
                `[${j}, ${i}] = ${y} (allowed difference ${tolerance} × max|a| = ${bound})`,
            );
          }
          const s = 0.5 * (x + y);
          out[i * n + j] = s;
          out[j * n + i] = s;
        }
      }
    }
  }
  return maxAbs;
}
