// The engine's public surface for the worker (see DESIGN.md, "The engine").

export { createTrainer } from './trainer';
export type { BatchResult, TorchParameter, Trainer, TrainerOptions } from './trainer';
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
export { CurvatureInputError, CurvatureMemoryError } from './ggn/errors';
export { DEFAULT_MEMORY_BUDGET_BYTES, estimateMemory } from './ggn/memory';
