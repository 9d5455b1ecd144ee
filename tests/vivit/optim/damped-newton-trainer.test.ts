// The damped Newton optimizer inside the Trainer (float32 tfjs, cpu backend): a short run with
// bootstrap damping lowers the held-out loss; the step's report is consistent (actual change =
// loss after − before, recomputed here; the quadratic model's prediction matches a small step
// even with dropout, which needs the same masks before and after); no tensors leak.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec, OptimizerSpec } from '../../../src/protocol/definition';
import { createTrainer } from '../../../src/vivit/trainer';
import { Rng } from '../../../src/vivit/random';
import { liveTensorCount, useCpuBackend } from '../helpers';

beforeAll(useCpuBackend);

const F = 4;
const C = 3;

/** Three classes from a noisy linear rule on standard-normal features. */
function data(n: number, seed: number): { x: tf.Tensor; y: tf.Tensor } {
  const rng = new Rng(seed, 'damped-newton-trainer');
  const xs = Float32Array.from({ length: n * F }, () => rng.normal());
  const ys = Int32Array.from({ length: n }, (_, i) => {
    const s = xs[i * F] + xs[i * F + 1] - xs[i * F + 2] + 0.3 * rng.normal();
    return s > 0.5 ? 0 : s < -0.5 ? 1 : 2;
  });
  return { x: tf.tensor(xs, [n, F]), y: tf.tensor1d(ys, 'int32') };
}

const mlp = (dropout = false): LayerSpec[] => [
  { type: 'linear', in: F, out: 16, bias: true },
  { type: 'relu' },
  ...(dropout ? [{ type: 'dropout', p: 0.5 } as LayerSpec] : []),
  { type: 'linear', in: 16, out: C, bias: true },
];

const dampedNewton = (lr: number): OptimizerSpec => ({
  type: 'damped_newton',
  lr,
  damping: {
    type: 'bootstrap',
    grid: { min: 1e-3, max: 1e2, count: 100 },
    resamples: 100,
    quantile: 0.05,
    variant: 'shared_index',
  },
  eig_threshold: 1e-2,
  curvature: { mc_samples: 0, groups: 'whole' },
});

describe('damped Newton in the trainer', () => {
  it('a short run with bootstrap damping lowers the held-out loss; reports are consistent', async () => {
    const trainer = createTrainer({
      layers: mlp(),
      inputShape: [F],
      loss: 'cross_entropy',
      optimizer: dampedNewton(1),
      seed: 1,
    });
    const test = data(256, 99);
    const batches = Array.from({ length: 20 }, (_, i) => data(32, i));
    const before = (await trainer.evaluate(test.x, test.y)).loss;
    let tensors = -1;
    for (const [i, b] of batches.entries()) {
      // No dropout: the step's loss and accuracy are those of the batch before the update.
      const pre = await trainer.evaluate(b.x, b.y);
      const r = await trainer.trainStep(b.x, b.y);
      const d = r.damping!;
      expect(r.accuracy).toBeCloseTo(pre.accuracy!, 6);
      expect(r.loss).toBeCloseTo(pre.loss, 5);
      const total = d.groupSizes.reduce((a, v) => a + v, 0);
      for (const list of [d.lambdaMean, d.gammaMean, d.damping, d.stepLength]) {
        expect(list.length).toBe(total);
      }
      // No dropout, so evaluate (eval mode) sees the training forward: after − before.
      const after = (await trainer.evaluate(b.x, b.y)).loss;
      expect(Math.abs(d.actualChange - (after - r.loss))).toBeLessThan(1e-5);
      if (i === 0) tensors = liveTensorCount();
      else expect(liveTensorCount()).toBe(tensors);
    }
    const afterTraining = (await trainer.evaluate(test.x, test.y)).loss;
    expect(afterTraining).toBeLessThan(0.6 * before);
    trainer.dispose();
    tf.dispose([test.x, test.y, ...batches.flatMap((b) => [b.x, b.y])]);
  });

  it('a small step changes the loss as the quadratic model predicts, with dropout too', async () => {
    for (const dropout of [false, true]) {
      const trainer = createTrainer({
        layers: mlp(dropout),
        inputShape: [F],
        loss: 'cross_entropy',
        optimizer: dampedNewton(1e-3),
        seed: 2,
      });
      const b = data(64, 5);
      for (let i = 0; i < 3; i++) {
        const d = (await trainer.trainStep(b.x, b.y)).damping!;
        // First order: gᵀΔθ = Σ_k γ̄_k s_k exactly (Δθ lies in span{e_k}); the rest is O(lr²).
        // Different dropout masks before and after would change the loss by far more.
        expect(d.predictedChange).toBeLessThan(0);
        expect(Math.abs(d.actualChange / d.predictedChange - 1)).toBeLessThan(0.05);
      }
      trainer.dispose();
      tf.dispose([b.x, b.y]);
    }
  });
});
