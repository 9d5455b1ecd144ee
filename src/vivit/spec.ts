// The engine's definition-time door: what reading and checking a model needs before anything
// runs — layer shapes and their errors, the layer registry, PyTorch ↔ engine layout, the
// neutral layer-field readers, default damping settings, the seeded generator. None of it
// loads tfjs, so the host (which validates definitions) can import it; src/vivit/index.ts is
// the door for running the engine.

export { LayerShapeError } from './errors';
export { formatShape } from './shape-error';
export { outputShapes } from './shapes';
export { createLayer, inputSource } from './nn/registry';
export { permute } from './nn/layout';
export {
  LAYER_FIELDS,
  LAYER_TYPES,
  readLayerFields,
  type LayerFieldReaders,
  type ScalarField,
} from './interop/layer-spec';
export { DEFAULT_BOOTSTRAP } from './optim/damping/bootstrap';
export { Rng } from './random';
