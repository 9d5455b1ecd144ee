/** Fixes the sign of each eigenvector (column k of the row-major n×cols `vectors`, in place;
 *  cols defaults to n) so that its entry of largest magnitude is positive; among entries of
 *  equal magnitude the one in the lowest row decides. Eigenvectors are defined up to sign only; this makes results
 *  reproducible across the two backends (except for vectors whose two largest entries are
 *  equal in magnitude up to rounding, where the backends may pick different rows). */
export function normalizeEigenvectorSigns(vectors: Float64Array, n: number, cols = n): void {
  const largest = new Float64Array(cols);
  const negative = new Uint8Array(cols);
  // Row by row, so the scan runs along contiguous memory.
  for (let i = 0; i < n; i++) {
    const row = i * cols;
    for (let k = 0; k < cols; k++) {
      const x = vectors[row + k];
      const m = x < 0 ? -x : x;
      if (m > largest[k]) {
        largest[k] = m;
        negative[k] = x < 0 ? 1 : 0;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const row = i * cols;
    for (let k = 0; k < cols; k++) if (negative[k] === 1) vectors[row + k] = -vectors[row + k];
  }
}
