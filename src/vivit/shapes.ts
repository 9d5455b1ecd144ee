// Shapes through a model, checked layer by layer before anything is allocated.

import type { LayerSpec } from '../protocol/definition';
import { createLayer, inputSource } from './nn/registry';
import { formatShape } from './shape-error';

export { LayerShapeError } from './errors';

/** Checks a per-sample input shape (PyTorch layout): positive integers, [F] or [C,H,W]. */
export function checkInputShape(inputShape: readonly number[]): void {
  if (
    inputShape.length === 0 ||
    inputShape.length > 3 ||
    !inputShape.every((d) => Number.isInteger(d) && d > 0)
  ) {
    throw new Error(
      `input shape ${formatShape(inputShape)} must be a list of positive integers ([features] or [channels, height, width])`,
    );
  }
}

/**
 * Shape of each layer's output for a per-sample input shape (PyTorch layout, e.g. [1,28,28]).
 * Throws LayerShapeError { index, field?, message } for the first layer that does not fit.
 */
export function outputShapes(layers: LayerSpec[], inputShape: number[]): number[][] {
  checkInputShape(inputShape);
  const shapes: number[][] = [];
  let shape: readonly number[] = inputShape;
  layers.forEach((spec, index) => {
    shape = createLayer(spec, shape, { index, source: inputSource(layers, index) }).outShape;
    shapes.push([...shape]);
  });
  return shapes;
}
