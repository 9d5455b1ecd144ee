// Norm test (Byrd, Chin, Nocedal, Wu 2012, eq. 3.9), in Cockpit's practical form: the largest θ
// for which the test passes,
//   θ = sqrt( Var₁ / (B ‖ḡ‖²) ),   Var₁ = (1/(B−1)) Σ_n ‖g_n − ḡ‖² = (Σ‖g_n‖² − B‖ḡ‖²)/(B−1).
// θ < 1 says the batch is large enough for the gradient's noise; Cockpit draws the unit circle.
import type { BatchGradientMoments } from './batch-statistics';

export function normTest(m: BatchGradientMoments): number {
  const { batch: b, meanNormSquared: g2 } = m;
  if (b < 2 || !(g2 > 0)) return Number.NaN;
  let sum = 0;
  for (const v of m.normsSquared) sum += v;
  const variance = (sum - b * g2) / (b - 1);
  return Math.sqrt(Math.max(variance, 0) / (b * g2));
}
