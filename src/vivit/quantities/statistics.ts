// Means over samples and signal-to-noise ratios of per-sample directional derivatives
// (paper §4.1): SNR(x_k) = x̄_k² / var_n(x_nk).
//
// Convention: the variance divides by N (the number of rows), as in the arXiv version of the
// paper; its later version divides by N − 1 (multiply our SNR by (N − 1)/N to convert).
// A column with zero variance has SNR +∞ when its mean is nonzero and 0 when it is all zeros.

import type { Matrix } from './matrix';

/** Column means of [N, K] (over the N samples). */
export function columnMeans(m: Matrix): Float64Array {
  const out = new Float64Array(m.cols);
  if (m.rows === 0) return out;
  for (let r = 0; r < m.rows; r++) {
    const row = r * m.cols;
    for (let c = 0; c < m.cols; c++) out[c] += m.data[row + c];
  }
  for (let c = 0; c < m.cols; c++) out[c] /= m.rows;
  return out;
}

/** Column variances of [N, K], dividing by N. */
export function columnVariances(m: Matrix, means: Float64Array): Float64Array {
  const out = new Float64Array(m.cols);
  if (m.rows === 0) return out;
  for (let r = 0; r < m.rows; r++) {
    const row = r * m.cols;
    for (let c = 0; c < m.cols; c++) {
      const d = m.data[row + c] - means[c];
      out[c] += d * d;
    }
  }
  for (let c = 0; c < m.cols; c++) out[c] /= m.rows;
  return out;
}

/** SNR per column: mean² / variance (variance over N). */
export function signalToNoise(m: Matrix, means: Float64Array = columnMeans(m)): Float64Array {
  const variances = columnVariances(m, means);
  return Float64Array.from(means, (mean, c) => {
    const signal = mean * mean;
    const noise = variances[c];
    if (noise > 0) return signal / noise;
    return signal > 0 ? Infinity : 0;
  });
}
