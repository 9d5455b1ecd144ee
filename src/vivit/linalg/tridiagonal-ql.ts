// The implicit QL iteration on a symmetric tridiagonal matrix (Golub & Van Loan §8.3.3, the
// textbook `tqli` scheme), in float64. It only computes eigenvalues; the plane rotations it
// performs are handed to a sink (eigen-js.ts applies them to Qᵀ in batches).

const EPS = 2 ** -52;
/** QL iterations allowed per eigenvalue; LAPACK's dsteqr allows 30 on average. */
const MAX_ITERATIONS_PER_VALUE = 60;

/** Receives the rotations of the QL sweeps: rows i, i+1 ← (c·x − s·y, s·x + c·y) for
 *  x = row i, y = row i+1 of Qᵀ (equivalently, columns i, i+1 of Q). Within a sweep the
 *  indices fall by one from rotation to rotation. */
export interface RotationSink {
  push(i: number, c: number, s: number): void;
}

/** Implicit QL iteration with Wilkinson-type shifts on the tridiagonal (d, e); on return d holds
 *  the eigenvalues (unsorted). Every plane rotation of indices (i, i+1) is handed to `rotations`
 *  (when given), in order: applied to rows i, i+1 of Qᵀ it turns them into eigenvectors.
 *  Deflation: e_i counts as zero when |e_i| ≤ ε‖T‖∞. The test is absolute on purpose: every
 *  sweep through the large part of T leaves roundoff of size ε‖T‖ in the entries it passes, so
 *  a cluster of (numerically) zero eigenvalues — the trivial part of a rank-deficient Gram
 *  matrix — never gets its couplings below that, and a relative test (|e_i| against |d_i|)
 *  would iterate forever. Neglecting ε‖T‖ is within the backward error of the tridiagonal
 *  reduction anyway. */
export function qlImplicit(
  d: Float64Array,
  e: Float64Array,
  n: number,
  rotations: RotationSink | null,
): void {
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const rowSum = Math.abs(d[i]) + Math.abs(e[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0);
    if (rowSum > norm) norm = rowSum;
  }
  const negligible = EPS * norm;
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        if (Math.abs(e[m]) <= negligible) break;
      }
      if (m === l) break;
      if (++iterations > MAX_ITERATIONS_PER_VALUE) {
        throw new Error(
          `symmetricEigen: the QL iteration did not converge for eigenvalue ${l} of ${n} ` +
            `within ${MAX_ITERATIONS_PER_VALUE} iterations`,
        );
      }
      // Shift: the eigenvalue of the leading 2×2 block of the unreduced part closer to d[l].
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let split = false;
      for (let i = m - 1; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // The bulge vanished: the matrix split at i+1; undo the partial shift and restart.
          d[i + 1] -= p;
          e[m] = 0;
          split = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        if (rotations !== null) rotations.push(i, c, s);
      }
      if (split) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}
