// Pieces shared by the losses' symmetric factors of the output Hessian (sqrtHessian and its
// Monte-Carlo version). Factors are stacks [M, N, C]: M vectors s per sample with
// Σ_m s sᵀ = ∇²_{f_n} ℓ_n (exactly, or in expectation for the sampled ones).

import type { Ops } from '../tensor/ops';

/** The unit vectors e_c as a stack [C, 1, C] (broadcasts over the samples). */
export function unitVectors<T>(ops: Ops<T>, classes: number): T {
  const eye = ops.oneHot(
    Array.from({ length: classes }, (_, c) => c),
    classes,
  );
  return ops.reshape(eye, [classes, 1, classes]);
}

/** Checks the number of Monte-Carlo vectors per sample. */
export function checkMcSamples(mcSamples: number, loss: string): void {
  if (!Number.isInteger(mcSamples) || mcSamples < 1) {
    throw new Error(
      `${loss}: the number of Monte-Carlo samples must be a positive integer, got ${mcSamples}`,
    );
  }
}
