import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mse } from '../../../src/vivit/loss/mse';
import { tfjsOps as ops } from '../../../src/vivit/tensor/tfjs-ops';
import { expectClose, randn, useCpuBackend } from '../helpers';

beforeAll(useCpuBackend);

describe('mse', () => {
  it('value is the mean over all N*C entries (float64 closed form)', () => {
    const z = randn([4, 3], 1);
    const y = randn([4, 3], 2);
    const zv = z.dataSync();
    const yv = y.dataSync();
    let expected = 0;
    for (let i = 0; i < zv.length; i++) expected += (zv[i] - yv[i]) ** 2 / zv.length;
    expect(ops.item(mse.value(ops, z, y))).toBeCloseTo(expected, 5);
    expect(ops.item(mse.valueAndGradient(ops, z, y).value)).toBeCloseTo(expected, 5);
  });

  it('gradient matches tf.grad of tf.losses.meanSquaredError', () => {
    const z = randn([5, 2], 3);
    const y = randn([5, 2], 4);
    const reference = tf.grad((zz: tf.Tensor) => tf.losses.meanSquaredError(y, zz))(z);
    expectClose(mse.valueAndGradient(ops, z, y).gradient, reference, 1e-5);
  });

  it('has no accuracy and needs [outputs] per sample', () => {
    expect(mse.accuracy).toBeUndefined();
    expect(mse.outputShapeProblem([3])).toBeNull();
    expect(mse.outputShapeProblem([1, 2, 2])).toMatch(/\[1, 2, 2\]/);
  });
});
