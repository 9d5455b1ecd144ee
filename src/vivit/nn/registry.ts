// LayerSpec.type -> the module that implements it.

import type { LayerSpec, LayerType } from '../../protocol/definition';
import { avgpool2d } from './avgpool2d';
import { conv2d } from './conv2d';
import { dropout } from './dropout';
import { elu } from './elu';
import { flatten } from './flatten';
import { identity } from './identity';
import type { Layer, LayerModule, LayerPlace } from './layer';
import { leakyRelu } from './leaky-relu';
import { linear } from './linear';
import { maxpool2d } from './maxpool2d';
import { relu } from './relu';
import { sigmoid } from './sigmoid';
import { tanh } from './tanh';
import { zeropad2d } from './zeropad2d';

type ModuleFor<K extends LayerType> = LayerModule<Extract<LayerSpec, { type: K }>>;

export const layerModules: { [K in LayerType]: ModuleFor<K> } = {
  linear,
  conv2d,
  maxpool2d,
  avgpool2d,
  zeropad2d,
  relu,
  sigmoid,
  tanh,
  flatten,
  identity,
  leaky_relu: leakyRelu,
  elu,
  dropout,
};

/** Builds the layer for a spec (throws LayerShapeError when it does not fit its input). */
export function createLayer(spec: LayerSpec, inShape: readonly number[], place: LayerPlace): Layer {
  const module = layerModules[spec.type] as LayerModule | undefined;
  if (!module) throw new Error(`model[${place.index}]: unknown layer type '${String(spec.type)}'`);
  return module.create(spec, inShape, place);
}

/** "coming out of model[2] (flatten)", or "of the input" for the first layer. */
export function inputSource(layers: readonly LayerSpec[], index: number): string {
  return index === 0
    ? 'of the input'
    : `coming out of model[${index - 1}] (${layers[index - 1].type})`;
}
