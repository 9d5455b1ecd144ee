// CABS batch size (Balles, Romero, Hennig 2017, eq. 22), as Cockpit computes it for plain SGD:
//   B_CABS = lr · Σ_j (Σ_n g_nj² − B ḡ_j²) / (B · L) = lr · (Σ_n ‖g_n‖² − B‖ḡ‖²) / (B · L),
// with L the batch-mean loss: the batch size at which the gradient noise matches the step.
import type { BatchGradientMoments } from './batch-statistics';

export function cabsBatchSize(m: BatchGradientMoments, lr: number, loss: number): number {
  if (!(loss > 0) || !(lr > 0)) return Number.NaN;
  let sum = 0;
  for (const v of m.normsSquared) sum += v;
  return (lr * (sum - m.batch * m.meanNormSquared)) / (m.batch * loss);
}
