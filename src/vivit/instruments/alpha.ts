// Local effective step size α (Cockpit's Alpha; Mahsereci & Hennig's noisy line-search model):
// where an update lands on the 1-D quadratic fitted along it. With the update d, t = ‖d‖ and the
// unit direction u = d/t, observe at the start (s = 0) and after the step (s = t)
//   f: the batch-mean loss,         var f:  the unbiased variance of the per-sample losses,
//   f′: the mean of g_nᵀu,          var f′: the unbiased variance of g_nᵀu over the batch,
// fit q(s) = c + b s + a s² to the four observations by weighted least squares (weights
// 1/variance; a zero variance counts as 1e-10), and report α = 2t / s̄ − 1 with s̄ = −b/a the far
// side of the quadratic: α = 0 stepped to the minimum, α = 1 to the same height on the other
// side, α < 0 not far enough, α > 1 overshot. A concave fit (a < 0) gives −1, as in Cockpit.

export interface LineObservation {
  loss: number;
  lossVariance: number;
  slope: number;
  slopeVariance: number;
}

const ZERO_VARIANCE = 1e-10;

/** [c, b, a] of the weighted least-squares quadratic through the observations at 0 and t, or
 *  null when they do not determine it (t = 0). */
export function fitLineQuadratic(
  t: number,
  start: LineObservation,
  end: LineObservation,
): [number, number, number] | null {
  if (!(t > 0) || !Number.isFinite(t)) return null;
  // Rows: how each observation sees (c, b, a): f(0), f(t), f′(0), f′(t).
  const rows = [
    [1, 0, 0],
    [1, t, t * t],
    [0, 1, 0],
    [0, 1, 2 * t],
  ];
  const values = [start.loss, end.loss, start.slope, end.slope];
  const variances = [start.lossVariance, end.lossVariance, start.slopeVariance, end.slopeVariance];
  const normal = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  const rhs = [0, 0, 0];
  rows.forEach((row, k) => {
    const w = 1 / (variances[k] > 0 ? variances[k] : ZERO_VARIANCE);
    for (let i = 0; i < 3; i++) {
      rhs[i] += w * row[i] * values[k];
      for (let j = 0; j < 3; j++) normal[i][j] += w * row[i] * row[j];
    }
  });
  return solve3(normal, rhs);
}

/** α of an update of length t between the two observations; null when no fit exists. */
export function localStepSize(
  t: number,
  start: LineObservation,
  end: LineObservation,
): number | null {
  const fit = fitLineQuadratic(t, start, end);
  if (fit === null) return t === 0 ? -1 : null;
  const [, b, a] = fit;
  if (a < 0) return -1;
  const farSide = -b / a;
  return (2 * t) / farSide - 1;
}

/** Mean and unbiased variance of per-sample values (losses, or projections g_nᵀu). */
export function meanAndVariance(values: ArrayLike<number>): { mean: number; variance: number } {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] / n;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (values[i] - mean) ** 2;
  return { mean, variance: n > 1 ? sum / (n - 1) : 0 };
}

/** Gaussian elimination with partial pivoting; null for a singular system. */
function solve3(m: number[][], v: number[]): [number, number, number] | null {
  const a = m.map((row, i) => [...row, v[i]]);
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    if (!(Math.abs(a[pivot][col]) > 0)) return null;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = col + 1; r < 3; r++) {
      const f = a[r][col] / a[col][col];
      for (let c = col; c < 4; c++) a[r][c] -= f * a[col][c];
    }
  }
  const x = [0, 0, 0];
  for (let r = 2; r >= 0; r--) {
    let s = a[r][3];
    for (let c = r + 1; c < 3; c++) s -= a[r][c] * x[c];
    x[r] = s / a[r][r];
  }
  return [x[0], x[1], x[2]];
}
