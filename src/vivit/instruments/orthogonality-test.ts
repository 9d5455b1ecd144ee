// Orthogonality test (Bollapragada, Byrd, Nocedal 2018, eq. 3.3), in Cockpit's practical form:
// the largest ν for which it passes,
//   ν = sqrt( Var⊥ / (B ‖ḡ‖²) ),
//   Var⊥ = (1/(B−1)) Σ_n ‖g_n − (g_nᵀḡ/‖ḡ‖²) ḡ‖² = (Σ‖g_n‖² − Σ (g_nᵀḡ)²/‖ḡ‖²)/(B−1).
import type { BatchGradientMoments } from './batch-statistics';

export function orthogonalityTest(m: BatchGradientMoments): number {
  const { batch: b, meanNormSquared: g2 } = m;
  if (b < 2 || !(g2 > 0)) return Number.NaN;
  let norms = 0;
  let projections = 0;
  for (let i = 0; i < b; i++) {
    norms += m.normsSquared[i];
    projections += m.projections[i] * m.projections[i];
  }
  const variance = (norms - projections / g2) / (b - 1);
  return Math.sqrt(Math.max(variance, 0) / (b * g2));
}
