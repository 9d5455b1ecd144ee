// A curvature request resolved before anything is computed: options checked (messages name the
// field), defaults applied, and what each requested quantity needs from the sweep, the
// eigensolver and the lift (see docs/engine.md, "cost per quantity") — including the memory
// request the guard estimates.

import type { CurvatureOptions } from '../curvature-types';
import type { LossModule } from '../loss/loss';
import type { Network } from '../nn/network';
import type { Damping, SignRule } from '../quantities/index';
import { CurvatureInputError } from '../errors';
import { resolveGroups, type ParamGroup } from './groups';
import { DEFAULT_MEMORY_BUDGET_BYTES, SIGN_CHUNK_BYTES, type MemoryRequest } from './memory';
import {
  checkInteger,
  checkNonNegative,
  checkQuantities,
  checkSamples,
  type CurvatureQuantity,
} from './options';

/** Default nontrivial-eigenvalue tolerance per precision (see quantities/spectrum.ts). */
export const DEFAULT_EIG_RTOL = { float64: 1e-10, float32: 1e-5 } as const;
export const DEFAULT_EIGENVECTOR_COUNT = 3;
export const DEFAULT_DAMPING = 1;

export interface CurvaturePlan {
  want: Set<CurvatureQuantity>;
  groups: ParamGroup[];
  batch: number;
  /** Batch rows of the GGN samples / γ samples (null = all, in order). */
  ggnSamples: number[] | null;
  gradSamples: number[] | null;
  nS: number;
  nG: number;
  mcSamples: number;
  seed: number;
  topK: number | undefined;
  eigRtol: number;
  /** The ops' arithmetic: float32 Gram matrices only need float32-level eigenvector
   *  orthogonality from the host solver (linalg/index.ts, vectorAccuracy). */
  precision: 'float64' | 'float32';
  /** Where the Gram eigenproblem is solved ('auto' decides per group, see curvature.ts). */
  eigensolver: 'auto' | 'host' | 'device';
  signs: SignRule;
  eigenvectorCount: number;
  layerSharesCount: number;
  eigenvectorIndices: readonly number[] | undefined;
  damping: Damping;
  budget: number;
  // What the quantities need.
  needGammas: boolean;
  needLambdas: boolean;
  gramVectors: boolean;
  /** The Gram eigenvectors are needed on the host (eigenvectors, the Newton step, layer shares,
   *  the all-directions sign pass); γ and λ alone can be formed where the vectors are. */
  gramVectorsOnHost: boolean;
  /** 'largest-entry' signs for every direction (γ requested): all e_k pass through V. */
  signPassAll: boolean;
  keepStacks: boolean;
  gradientGram: boolean;
  /** Directions per chunk of the all-directions sign pass. */
  signChunk: number;
  memory: MemoryRequest;
}

export function planCurvature(
  network: Network,
  loss: LossModule,
  elementBytes: number,
  precision: 'float64' | 'float32',
  batch: number,
  options: CurvatureOptions,
): CurvaturePlan {
  const want = checkQuantities(options.quantities);
  const outputs = network.outputShape[0];
  const ggnSamples = checkSamples(options.subsampling, batch, 'options.subsampling');
  const gradSamples = checkSamples(options.subsamplingGrad, batch, 'options.subsamplingGrad');
  const nS = ggnSamples?.length ?? batch;
  const nG = gradSamples?.length ?? batch;
  const mcSamples = checkInteger(options.mcSamples ?? 0, 'options.mcSamples', 0);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) {
    throw new CurvatureInputError('options.seed', `must be a number, got ${seed}`);
  }
  const topK =
    options.topK === undefined ? undefined : checkInteger(options.topK, 'options.topK', 1);
  const eigensolver = options.eigensolver ?? 'auto';
  if (!['auto', 'host', 'device'].includes(eigensolver)) {
    throw new CurvatureInputError(
      'options.eigensolver',
      `must be 'auto', 'host' or 'device', got ${JSON.stringify(eigensolver)}`,
    );
  }
  const eigRtol = checkNonNegative(
    options.eigRtol ?? DEFAULT_EIG_RTOL[precision],
    'options.eigRtol',
  );
  const signs: SignRule = options.signs ?? 'largest-entry';
  if (signs !== 'largest-entry' && signs !== 'gradient') {
    throw new CurvatureInputError(
      'options.signs',
      `must be 'largest-entry' or 'gradient', got ${String(signs)}`,
    );
  }
  const eigenvectorCount = checkInteger(
    options.eigenvectorCount ?? DEFAULT_EIGENVECTOR_COUNT,
    'options.eigenvectorCount',
    0,
  );
  const layerSharesCount = checkInteger(
    options.layerSharesCount ?? Number.MAX_SAFE_INTEGER,
    'options.layerSharesCount',
    0,
  );
  options.eigenvectorIndices?.forEach((k, i) =>
    checkInteger(k, `options.eigenvectorIndices[${i}]`, 0),
  );
  const budget = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
  if (!(budget > 0)) {
    throw new CurvatureInputError('options.memoryBudgetBytes', `must be positive, got ${budget}`);
  }
  const groups = resolveGroups(network, options.groups);

  const wantsEigenvectors = want.has('eigenvectors');
  const needLambdas = want.has('lambdas') || want.has('snr') || want.has('newtonStep');
  const needGammas =
    want.has('gammas') ||
    want.has('snr') ||
    want.has('overlap') ||
    want.has('newtonStep') ||
    (signs === 'gradient' && wantsEigenvectors);
  const gramVectors = needGammas || needLambdas || wantsEigenvectors || want.has('layerShares');
  const signPassAll = signs === 'largest-entry' && want.has('gammas');
  const gramVectorsOnHost =
    wantsEigenvectors || want.has('newtonStep') || want.has('layerShares') || signPassAll;
  const keepStacks = wantsEigenvectors || want.has('newtonStep') || signPassAll;
  const gradientGram = want.has('overlap') && gradSamples !== null;
  const maxFormed = wantsEigenvectors
    ? (options.eigenvectorIndices?.length ?? eigenvectorCount)
    : 0;
  // Vectors per sample, an upper bound before the factor is built (cross-entropy's exact
  // factor compresses to C − 1).
  const mUpper =
    mcSamples > 0 ? mcSamples : loss.name === 'cross_entropy' ? Math.max(1, outputs - 1) : outputs;
  const maxParam = Math.max(...network.params.map((p) => p.shape.reduce((a, b) => a * b, 1)));
  // There are at most N_S·M directions.
  const signChunk = Math.max(
    1,
    Math.min(nS * mUpper, Math.floor(SIGN_CHUNK_BYTES / (elementBytes * maxParam))),
  );

  return {
    want,
    groups,
    batch,
    ggnSamples,
    gradSamples,
    nS,
    nG,
    mcSamples,
    seed,
    topK,
    eigRtol,
    precision,
    eigensolver,
    signs,
    eigenvectorCount,
    eigenvectorIndices: options.eigenvectorIndices,
    layerSharesCount,
    damping: options.damping ?? DEFAULT_DAMPING,
    budget,
    needGammas,
    needLambdas,
    gramVectors,
    gramVectorsOnHost,
    signPassAll,
    keepStacks,
    gradientGram,
    signChunk,
    memory: {
      network,
      elementBytes,
      batch,
      ggnSamples: nS,
      gradSamples: nG,
      vectorsPerSample: mUpper,
      groups,
      projections: needGammas,
      gradientGram,
      layerGrams: want.has('layerShares'),
      keepStacks,
      gramVectors,
      liftRows: Math.max(maxFormed, signPassAll ? signChunk : 0, want.has('newtonStep') ? 1 : 0),
    },
  };
}
