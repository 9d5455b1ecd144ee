// Oracle loss and gradient against tfjs autodiff (float32, cpu backend) on every tiny network,
// both losses. This pins the layouts the shared examples do not exercise: conv weights, NCHW
// input, C-major flatten, pool padding (−∞ for max, counted zeros for avg), zeropad2d order.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bruteForceCurvature, randomCase, tinyNetworks } from './index';
import { relErr } from './compare';
import { tfjsLossAndGradient } from './tfjs-reference';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const cases = tinyNetworks().flatMap((net, i) =>
  (['cross_entropy', 'mse'] as const).map((loss) => ({
    name: `${net.name} ${loss}`,
    net,
    loss,
    seed: 40 + i,
  })),
);

describe('oracle gradient = tfjs tf.grads (float32)', () => {
  let worst = 0;
  it.each(cases)('$name', ({ net, loss, seed }) => {
    const c = randomCase({ model: net.model, inputShape: net.inputShape, N: 4, loss, seed });
    const oracle = bruteForceCurvature(c);
    const ref = tfjsLossAndGradient(c);
    expect(Math.abs(oracle.loss - ref.loss) / Math.abs(oracle.loss)).toBeLessThan(1e-5);
    const err = relErr(ref.gradient, oracle.gradient);
    worst = Math.max(worst, err);
    expect(err).toBeLessThan(1e-5);
  });

  afterAll(() =>
    console.log(`oracle vs tf.grads: worst gradient relative error ${worst.toExponential(2)}`),
  );

  it('detects a wrong flatten order (the comparison is sensitive to layout)', () => {
    const net = tinyNetworks().find((n) => n.name === 'cnn-maxpool')!;
    const c = randomCase({
      model: net.model,
      inputShape: net.inputShape,
      N: 4,
      loss: 'mse',
      seed: 7,
    });
    const oracle = bruteForceCurvature(c);
    // Permute the linear layer's input features from C-major to H,W,C-major order: the same
    // network read with a channels-last flatten. Its gradient must differ from the oracle's.
    const [ch, h, w] = [2, 3, 3];
    const W = c.params[2];
    const permuted = W.data.slice();
    for (let o = 0; o < 3; o++)
      for (let k = 0; k < ch; k++)
        for (let r = 0; r < h; r++)
          for (let s = 0; s < w; s++)
            permuted[o * 18 + (r * w + s) * ch + k] = W.data[o * 18 + (k * h + r) * w + s];
    const wrong = {
      ...c,
      params: c.params.map((p, i) => (i === 2 ? { ...p, data: permuted } : p)),
    };
    expect(Math.abs(bruteForceCurvature(wrong).loss - oracle.loss)).toBeGreaterThan(1e-3);
  });
});
