import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/vivit/random';
import { tfjsOps as ops } from '../../../src/vivit/tensor/tfjs-ops';
import { expectClose, randn, useCpuBackend } from '../helpers';
import { buildLayer } from './harness';

beforeAll(useCpuBackend);

describe('dropout', () => {
  const inShape = [4, 5, 3]; // engine layout of an image [C=4, H=5, W=3] is [5, 3, 4]

  it('keeps each element with probability 1-p, scaled by 1/(1-p), and backpropagates through the same mask', () => {
    const p = 0.4;
    const layer = buildLayer({ type: 'dropout', p }, inShape);
    const x = randn([100, 5, 3, 4], 1);
    const { out, cache } = layer.forward(ops, [], x, {
      training: true,
      rng: new Rng(7, 'dropout'),
    });
    const mask = cache.mask.dataSync();
    let dropped = 0;
    for (const m of mask) {
      expect(m === 0 || Math.abs(m - 1 / (1 - p)) < 1e-6).toBe(true);
      if (m === 0) dropped++;
    }
    expect(Math.abs(dropped / mask.length - p)).toBeLessThan(0.03);
    expectClose(out, tf.mul(x, cache.mask), 1e-7);

    const dy = randn(x.shape, 2);
    const reference = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.mul(xx, cache.mask), dy)))(x);
    expectClose(layer.backward(ops, [], cache, dy, true).dx!, reference, 1e-6);
  });

  it('draws the same masks from the same seed and new masks on the next step', () => {
    const layer = buildLayer({ type: 'dropout', p: 0.5 }, [20]);
    const x = tf.ones([4, 20]);
    const masks = (seed: number) => {
      const rng = new Rng(seed, 'dropout');
      const first = layer.forward(ops, [], x, { training: true, rng }).out.dataSync();
      const second = layer.forward(ops, [], x, { training: true, rng }).out.dataSync();
      return [Array.from(first), Array.from(second)];
    };
    const [a1, a2] = masks(3);
    const [b1, b2] = masks(3);
    const [c1] = masks(4);
    expect(b1).toEqual(a1);
    expect(b2).toEqual(a2);
    expect(a2).not.toEqual(a1);
    expect(c1).not.toEqual(a1);
  });

  it('is the identity in evaluation and for p = 0; p = 1 drops everything', () => {
    const x = randn([3, 6], 5);
    const rng = new Rng(1);
    const half = buildLayer({ type: 'dropout', p: 0.5 }, [6]);
    expectClose(half.forward(ops, [], x, { training: false }).out, x, 1e-12);
    expectClose(
      buildLayer({ type: 'dropout', p: 0 }, [6]).forward(ops, [], x, { training: true, rng }).out,
      x,
      1e-12,
    );
    const all = buildLayer({ type: 'dropout', p: 1 }, [6]).forward(ops, [], x, {
      training: true,
      rng,
    }).out;
    expect(Array.from(all.dataSync()).every((v) => v === 0)).toBe(true);
  });

  it('asks for a random stream in training', () => {
    const layer = buildLayer({ type: 'dropout', p: 0.5 }, [6]);
    expect(() => layer.forward(ops, [], tf.ones([1, 6]), { training: true })).toThrow(
      /random stream/,
    );
  });
});
