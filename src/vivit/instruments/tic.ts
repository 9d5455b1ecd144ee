// Takeuchi information criterion with a trace approximation (Thomas et al. 2019), as Cockpit's
// TICTrace: tr(C) / (tr(G) + ε) with C the uncentered second moment of the per-sample
// gradients, tr(C) = (1/B) Σ_n ‖g_n‖², and G the GGN, whose trace ViViT has for free: it is the
// trace of the Gram matrix G̃ = VᵀV.
import type { BatchGradientMoments } from './batch-statistics';

export const TIC_EPSILON = 1e-7;

export function ticTrace(m: BatchGradientMoments, ggnTrace: number, epsilon = TIC_EPSILON): number {
  let sum = 0;
  for (const v of m.normsSquared) sum += v;
  return sum / m.batch / (ggnTrace + epsilon);
}
