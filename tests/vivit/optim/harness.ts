// Runs an engine optimizer on tfjs for a fixed sequence of gradients and returns the
// parameters after every step, checking that no tensors leak between steps.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { Optimizer } from '../../../src/vivit/optim/optimizer';
import { Rng } from '../../../src/vivit/random';
import { tfjsOps as ops } from '../../../src/vivit/tensor/tfjs-ops';
import { liveTensorCount } from '../helpers';

export const shapes = [[3, 2], [4]];

export function problem(steps: number, seed: number) {
  const rng = new Rng(seed, 'optim-test');
  const draw = (n: number) => Float64Array.from({ length: n }, () => rng.normal());
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  return {
    params: sizes.map(draw),
    grads: Array.from({ length: steps }, () => sizes.map(draw)),
  };
}

export function runEngine(
  optimizer: Optimizer<tf.Tensor>,
  params: Float64Array[],
  gradsPerStep: Float64Array[][],
): Float64Array[][] {
  let current = params.map((p, i) => tf.tensor(Float32Array.from(p), shapes[i]));
  const history: Float64Array[][] = [];
  let baseline = -1;
  gradsPerStep.forEach((grads) => {
    const next = ops.tidy(() =>
      optimizer.step(
        current,
        grads.map((g, i) => tf.tensor(Float32Array.from(g), shapes[i])),
      ),
    );
    tf.dispose(current);
    current = next;
    history.push(current.map((t) => Float64Array.from(t.dataSync())));
    if (baseline < 0) baseline = liveTensorCount();
    else expect(liveTensorCount()).toBe(baseline);
  });
  optimizer.dispose();
  tf.dispose(current);
  return history;
}
