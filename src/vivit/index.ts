// The engine's public surface for running it (see docs/architecture.md; definition-time checks
// that must not load tfjs go through ./spec.ts, the interop case format through ./interop).

export { createTrainer } from './trainer';
export type {
  BatchResult,
  DampingStepReport,
  TorchParameter,
  Trainer,
  TrainerOptions,
} from './trainer';
export { LayerShapeError, outputShapes } from './shapes';
export { initWasmBackend } from './backend-wasm';

// Curvature (ViViT): see docs/engine.md.
export {
  computeCurvature,
  DEFAULT_DAMPING,
  DEFAULT_EIG_RTOL,
  DEFAULT_EIGENVECTOR_COUNT,
} from './curvature';
export type {
  CurvatureBatch,
  CurvatureModel,
  CurvatureOptions,
  CurvatureQuantity,
  CurvatureResult,
  CurvatureTimings,
  Damping,
  DampingPolicy,
  DirectionStatistics,
  Eigenvector,
  GroupCurvature,
  Matrix,
  MemoryEstimate,
  NewtonStep,
  SignRule,
} from './curvature';
export { layerwiseGroups } from './ggn/groups';
// What a caller needs to hold a model outside a Trainer (float64 exact mode, the interop CLI).
export { Network } from './nn/network';
export { float64Ops } from './tensor/float64-ops';
export { tfjsOps } from './tensor/tfjs-ops';
export type { Ops } from './tensor/ops';
export { Rng } from './random';
// The inspector recomputes one direction's loss slice with the engine's losses and layout.
export { lossModule } from './loss/registry';
export { batchToEngine } from './nn/layout';
export { loadEigensolver } from './linalg/index';
export { CurvatureInputError, CurvatureMemoryError } from './errors';
export { DEFAULT_MEMORY_BUDGET_BYTES, estimateMemory } from './ggn/memory';

// Damped Newton in the GGN eigenbasis and its damping policies (paper §4.2).
export { createDampedNewton } from './optim/damped-newton';
export type { DampedNewton, DampedNewtonReport, DampedNewtonUpdate } from './optim/damped-newton';
export {
  bootstrapDamping,
  constantDamping,
  DEFAULT_BOOTSTRAP,
  dampingPolicy,
  logGrid,
  quantile,
  type BootstrapOptions,
  type BootstrapVariant,
  type DampingChoice,
  type DirectionalDamping,
} from './optim/damping/index';

// Cockpit's instruments from per-sample gradient signals (docs/instruments.md).
export {
  batchGradientMoments,
  cabsBatchSize,
  fitLineQuadratic,
  GSNR_EPSILON,
  innerProductTest,
  localStepSize,
  meanAndVariance,
  meanGsnr,
  normTest,
  orthogonalityTest,
  parameterDistance,
  perSampleGradientStatistics,
  TIC_EPSILON,
  ticTrace,
  type BatchGradientMoments,
  type GradientHistograms,
  type Histogram1d,
  type HistogramBins,
  type LayerHistogram2d,
  type LineObservation,
  type ParameterDistance,
  type PerSampleGradientStatistics,
  type PerSampleOptions,
} from './instruments/index';
