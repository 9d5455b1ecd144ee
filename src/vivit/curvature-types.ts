// The engine's curvature request and result types (computeCurvature's options and what it
// returns), in a module of their own so that ggn/ and the callers can name them without
// importing the computation (curvature.ts imports ggn/, which would make a cycle).

import type { LossName } from '../protocol/definition';
import type { MemoryEstimate } from './ggn/memory';
import type { CurvatureQuantity } from './ggn/options';
import type { LossModule } from './loss/loss';
import type { Network } from './nn/network';
import type { Damping, Matrix, SignRule } from './quantities/index';
import type { Rng } from './random';
import type { Ops } from './tensor/ops';

export type { CurvatureQuantity } from './ggn/options';
export type {
  Damping,
  DampingPolicy,
  DirectionStatistics,
  Matrix,
  SignRule,
} from './quantities/index';
export type { MemoryEstimate } from './ggn/memory';

/** A network with its parameters on one Ops implementation, and its loss. */
export interface CurvatureModel<T> {
  ops: Ops<T>;
  network: Network;
  /** Engine layout, `network.params` order. Read only; never disposed here. */
  params: readonly T[];
  loss: LossName | LossModule;
}

export interface CurvatureBatch<T> {
  /** Inputs in PyTorch layout: [N, ...network.inputShape] (images NCHW). */
  x: T;
  /** Class indices [N] (cross_entropy) or targets [N, C] (mse). */
  y: T;
}

export interface CurvatureOptions {
  quantities: readonly CurvatureQuantity[];
  /** Parameter groups (indices into network.params); default one group of all. */
  groups?: readonly (readonly number[])[] | null;
  /** Batch rows for the GGN (curvature sub-sampling); default all. */
  subsampling?: readonly number[] | null;
  /** Batch rows for the directional gradients γ_nk; default all. */
  subsamplingGrad?: readonly number[] | null;
  /** 0 (default): exact loss-Hessian factor; M > 0: M Monte-Carlo vectors per sample. */
  mcSamples?: number;
  /** Seeds the MC draws (and the dropout masks when no dropoutRng is given). Default 0. */
  seed?: number;
  /** Stream for dropout masks (e.g. the trainer's); default Rng(seed, 'curvature-dropout'). */
  dropoutRng?: Rng;
  /** Keep at most the K largest nontrivial directions. */
  topK?: number;
  /** Where the Gram eigenproblem is solved: 'host' (float64 on the CPU, every eigenvalue),
   *  'device' (the topK leading pairs by subspace iteration where the Gram matrix lives, in
   *  float32; needs topK), or 'auto' (default): 'device' on a GPU backend when topK is set and
   *  small against the Gram size, else 'host'. See docs/linalg.md. */
  eigensolver?: 'auto' | 'host' | 'device';
  /** λ is nontrivial when λ > eigRtol · max λ. Default 1e-10 (float64), 1e-5 (float32). */
  eigRtol?: number;
  /** How many leading eigenvectors to form (default 3), or which ones (0-based indices;
   *  indices ≥ K are skipped). */
  eigenvectorCount?: number;
  eigenvectorIndices?: readonly number[];
  /** Directions (the leading ones) whose per-layer shares are computed; default all K. Each
   *  costs a product with every layer's n×n Gram block, so large K wants a cap. */
  layerSharesCount?: number;
  /** Newton-step damping: constant δ (default 1), per direction, or a policy. */
  damping?: Damping;
  /** Sign convention for eigenvectors and γ (default 'largest-entry'). */
  signs?: SignRule;
  /** Refuse requests estimated above this (default 4 GiB; pass e.g. 25% of os.totalmem()). */
  memoryBudgetBytes?: number;
}

export interface Eigenvector {
  /** Direction index k (0 = largest eigenvalue). */
  index: number;
  /** e_k restricted to the group, one array per group parameter, PyTorch layout. */
  parameters: Float64Array[];
  /** Share of ‖e_k‖² in each of the group's layers (group.layers order). */
  layerShares: Float64Array;
}

export interface NewtonStep {
  /** Σ_k τ_k e_k on the group, one array per group parameter, PyTorch layout. */
  parameters: Float64Array[];
  /** δ_k used. */
  damping: Float64Array;
  /** τ_k = −γ̄_k / (λ̄_k + δ_k). */
  stepLengths: Float64Array;
}

export interface GroupCurvature {
  /** Parameter indices, ascending. */
  params: number[];
  /** Layers owning them, ascending. */
  layers: number[];
  /** Gram matrix size N_S · M. */
  gramSize: number;
  /** Eigenvalues passing eigRtol (before topK). */
  nontrivialCount: number;
  /** The K kept nontrivial eigenvalues, descending. */
  eigenvalues: Float64Array;
  /** tr G̃ = Σ of ALL eigenvalues of the group's GGN (also those that eigRtol or topK leave
   *  out): the trace of the group's diagonal block of G = (1/N_S) Σ_n J_nᵀ H_n J_n (its MC
   *  estimate when mcSamples > 0), in the normalization of `eigenvalues`. */
  ggnTrace: number;
  /** γ_nk [N_grad, K]. */
  gammas?: Matrix;
  gammaMean?: Float64Array;
  /** λ_nk [N_ggn, K] (rows in subsampling order). */
  lambdas?: Matrix;
  lambdaMean?: Float64Array;
  snrGamma?: Float64Array;
  snrLambda?: Float64Array;
  /** γ̄_k² / ‖g‖² with g the group's gradient over the γ samples. */
  overlap?: Float64Array;
  flatRemainder?: number;
  gradientNormSquared?: number;
  eigenvectors?: Eigenvector[];
  /** Share of ‖e_k‖² per layer for the leading min(K, layerSharesCount) directions:
   *  [rows, layers.length]. */
  layerShares?: Matrix;
  newtonStep?: NewtonStep;
}

/** Where the Gram eigenproblems were solved: on the host (float64, every eigenvalue), by the
 *  full device eigensolver (WebGPU; every eigenvalue, float32), or by subspace iteration for
 *  the topK leading pairs on the device (docs/linalg.md, "On the GPU"). */
export type EigenRoute = 'host' | 'device' | 'device-leading';

export interface CurvatureTimings {
  forward: number;
  sweep: number;
  eigen: number;
  quantities: number;
  lift: number;
  total: number;
  /** Where `eigen` went when the device eigensolver ran (ms, summed over groups): the
   *  reduction on the device with its read, the host's tridiagonal solve, the
   *  back-transformation (with its read where the vectors came back). */
  deviceEigen?: { reduce: number; tridiagonal: number; backTransform: number };
}

export interface CurvatureResult {
  /** Mean loss over the batch (dropout masks as drawn). */
  loss: number;
  /** Mean gradient over the whole batch, per parameter, PyTorch layout. */
  gradient: Float64Array[];
  /** All groups' Newton steps per parameter (zeros outside the groups), when asked. */
  newtonStep?: Float64Array[];
  groups: GroupCurvature[];
  samples: {
    batch: number;
    ggn: number[];
    grad: number[];
    /** Vectors per sample in V (C − 1 for exact cross-entropy after rank compression). */
    vectorsPerSample: number;
    mcSamples: number;
  };
  signs: SignRule;
  eigRtol: number;
  /** Where the eigenproblems were solved (options.eigensolver resolved for this backend). */
  eigensolver: EigenRoute;
  timings: CurvatureTimings;
  memory: { estimate: MemoryEstimate; budgetBytes: number; sweepHeldBytes: number };
}
