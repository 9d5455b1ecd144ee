// Runs an engine optimizer on tfjs (any backend) for a fixed sequence of gradients and returns
// the parameters after every step, checking that no tensors leak between steps.
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

export async function runEngine(
  optimizer: Optimizer<tf.Tensor>,
  params: Float64Array[],
  gradsPerStep: Float64Array[][],
): Promise<Float64Array[][]> {
  let current = params.map((p, i) => tf.tensor(Float32Array.from(p), shapes[i]));
  const history: Float64Array[][] = [];
  let baseline = -1;
  for (const grads of gradsPerStep) {
    const next = ops.tidy(() =>
      optimizer.step(
        current,
        grads.map((g, i) => tf.tensor(Float32Array.from(g), shapes[i])),
      ),
    );
    tf.dispose(current);
    current = next;
    // Read asynchronously: the same loop runs on webgpu, which cannot read synchronously.
    const step: Float64Array[] = [];
    for (const t of current) step.push(Float64Array.from(await ops.read(t)));
    history.push(step);
    if (baseline < 0) baseline = liveTensorCount();
    else expect(liveTensorCount()).toBe(baseline);
  }
  optimizer.dispose();
  tf.dispose(current);
  return history;
}
