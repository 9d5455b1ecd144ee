// What a loss module provides. Losses take the network output [N, C] and a target, and
// reduce by the mean as PyTorch's default reduction does. The curvature engine adds the
// symmetric factorization of the output Hessian (sqrtHessian, MC-sampled) in the same files.

import type { LossName } from '../../protocol/definition';
import type { Rng } from '../random';
import type { Ops } from '../tensor/ops';

export interface LossModule {
  readonly name: LossName;
  /** Why a per-sample network output shape cannot feed this loss, or null when it can. */
  outputShapeProblem(outShape: readonly number[]): string | null;
  /** Scalar mean loss and its gradient w.r.t. the output (already divided by the mean's count). */
  valueAndGradient<T>(ops: Ops<T>, out: T, target: T): { value: T; gradient: T };
  value<T>(ops: Ops<T>, out: T, target: T): T;
  /** Fraction of samples classified correctly (classification losses only). */
  accuracy?<T>(ops: Ops<T>, out: T, target: T): T;
  /** Per-sample gradients w.r.t. the output, of ℓ_n alone (NOT divided by N): [N, C]. */
  perSampleGradient<T>(ops: Ops<T>, out: T, target: T): T;
  /** Exact symmetric factor of each sample's output Hessian: S [C, N, C] with
   *  Σ_c S[c,n,:] S[c,n,:]ᵀ = ∇²_{f_n} ℓ_n (ℓ_n the per-sample loss; the mean's 1/N enters V
   *  as 1/√N in the sweep). */
  sqrtHessian<T>(ops: Ops<T>, out: T, target: T): T;
  /** Monte-Carlo factor [M, N, C], each vector scaled 1/√M, so E[Σ_m s sᵀ] = ∇²_{f_n} ℓ_n. */
  sqrtHessianSampled<T>(ops: Ops<T>, out: T, target: T, mcSamples: number, rng: Rng): T;
}
