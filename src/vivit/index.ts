// The engine's public surface for the worker (see DESIGN.md, "The engine").

export { createTrainer } from './trainer';
export type { BatchResult, TorchParameter, Trainer, TrainerOptions } from './trainer';
export { LayerShapeError, outputShapes } from './shapes';
export { initWasmBackend } from './backend-wasm';
