// Per-sample pieces of the loss that the instruments need inside their one pass, built from
// tensor ops only (nothing is read back before the pass's single read):
//   - the per-sample losses ℓ_n (whose mean is the loss module's value);
//   - one Monte-Carlo loss-Hessian factor column s_n per sample, E[s_n s_nᵀ] = ∇²_{f_n} ℓ_n,
//     drawn as the loss module's `sqrtHessianSampled` draws it with M = 1 from the same stream
//     (the curvature engine seeds it Rng(seed, 'curvature-mc')). Cross-entropy's module reads
//     the probabilities to the host to draw ŷ ~ Categorical(p); here the same inverse-CDF draw
//     (one uniform u_n per sample, in sample order; ŷ_n = the first class whose cumulative
//     probability exceeds u_n) runs on the device, so the classes equal the module's for the same
//     stream up to the rounding of the cumulative sums. Other losses (mse: Rademacher signs,
//     independent of the output) are drawn by their module directly.

import type { LossModule } from '../loss/loss';
import { classOneHot } from '../loss/cross-entropy';
import type { Rng } from '../random';
import type { Ops } from '../tensor/ops';

/** ℓ_n for each sample: [N]. */
export function perSampleLosses<T>(ops: Ops<T>, loss: LossModule, out: T, target: T): T {
  const [, classes] = ops.shape(out);
  switch (loss.name) {
    case 'cross_entropy': {
      // ℓ_n = logsumexp(z_n) − z_n[y_n]
      const logProbs = ops.sub(out, ops.logSumExp(out, 1, true));
      return ops.neg(ops.sum(ops.mul(classOneHot(ops, target, classes), logProbs), [1]));
    }
    case 'mse':
      // ℓ_n = (1/C) ‖z_n − y_n‖² (PyTorch's mean over N·C entries = mean of these)
      return ops.scale(ops.sum(ops.square(ops.sub(out, target)), [1]), 1 / classes);
    default:
      throw new Error(`per-sample losses: unknown loss ${String((loss as LossModule).name)}`);
  }
}

/** One sampled factor column per sample, [1, N, C] (M = 1). */
export function sampledLossFactor<T>(
  ops: Ops<T>,
  loss: LossModule,
  out: T,
  target: T,
  rng: Rng,
): T {
  if (loss.name !== 'cross_entropy') return loss.sqrtHessianSampled(ops, out, target, 1, rng);
  const [n, classes] = ops.shape(out);
  const p = ops.softmax(out, 1);
  // Cumulative probabilities P[n, c] = Σ_{a ≤ c} p[n, a] as a product with a triangle of ones.
  const triangle = new Float64Array(classes * classes);
  for (let a = 0; a < classes; a++) for (let c = a; c < classes; c++) triangle[a * classes + c] = 1;
  const cumulative = ops.matMul(p, ops.fromArray(triangle, [classes, classes]));
  const u = ops.fromArray(
    Float64Array.from({ length: n }, () => rng.next()),
    [n, 1],
  );
  // ŷ = #{c : P[n, c] ≤ u_n} = C − #{c : P[n, c] > u_n}, at most C − 1 (rounding can leave
  // P[n, C − 1] just below u_n).
  const above = ops.sum(ops.stepMask(ops.sub(cumulative, u), 0), [1]);
  const drawn = ops.addScalar(ops.neg(above), classes);
  const clamped = ops.sub(drawn, ops.stepMask(drawn, classes - 0.5));
  const s = ops.sub(classOneHot(ops, clamped, classes), p);
  return ops.reshape(s, [1, n, classes]);
}
