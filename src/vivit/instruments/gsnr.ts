// Gradient signal-to-noise ratio per parameter element (Liu et al. 2020), as Cockpit's MeanGSNR:
//   GSNR_j = ḡ_j² / (σ_j² + ε),   σ_j² = (1/B) Σ_n g_nj² − ḡ_j²  (biased variance),  ε = 1e-5,
// and its mean over all elements of the network.
import type { PerSampleGradientStatistics } from './per-sample';

export const GSNR_EPSILON = 1e-5;

export function meanGsnr(s: PerSampleGradientStatistics, epsilon = GSNR_EPSILON): number {
  let total = 0;
  let count = 0;
  s.gradient.forEach((mean, p) => {
    const squares = s.sumOfSquares[p];
    for (let j = 0; j < mean.length; j++) {
      const g2 = mean[j] * mean[j];
      total += g2 / (squares[j] / s.batch - g2 + epsilon);
      count++;
    }
  });
  return count > 0 ? total / count : Number.NaN;
}
