// Inner-product test (Bollapragada, Byrd, Nocedal 2018, eq. 2.6), in Cockpit's practical form:
// the largest θ for which it passes,
//   θ = sqrt( Var / (B ‖ḡ‖⁴) ),   Var = (1/(B−1)) Σ_n (g_nᵀḡ − ‖ḡ‖²)²
//                                   = (Σ (g_nᵀḡ)² − B‖ḡ‖⁴)/(B−1).
import type { BatchGradientMoments } from './batch-statistics';

export function innerProductTest(m: BatchGradientMoments): number {
  const { batch: b, meanNormSquared: g2 } = m;
  if (b < 2 || !(g2 > 0)) return Number.NaN;
  let sum = 0;
  for (const p of m.projections) sum += p * p;
  const variance = (sum - b * g2 * g2) / (b - 1);
  return Math.sqrt(Math.max(variance, 0) / (b * g2 * g2));
}
