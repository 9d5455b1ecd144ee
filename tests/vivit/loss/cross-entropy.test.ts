import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { classOneHot, crossEntropy } from '../../../src/vivit/loss/cross-entropy';
import { tfjsOps as ops } from '../../../src/vivit/tensor/tfjs-ops';
import { expectClose, randn, useCpuBackend } from '../helpers';

beforeAll(useCpuBackend);

const labels = [3, 0, 4, 4, 1, 2];
const logits = () => randn([6, 5], 1, 2);

describe('cross_entropy', () => {
  it('value is the mean negative log-softmax of the true class (float64 closed form)', () => {
    const z = logits();
    const rows = z.arraySync() as number[][];
    let expected = 0;
    rows.forEach((row, n) => {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      expected += (lse - row[labels[n]]) / rows.length;
    });
    const y = tf.tensor1d(labels);
    expect(ops.item(crossEntropy.value(ops, z, y))).toBeCloseTo(expected, 5);
    const { value } = crossEntropy.valueAndGradient(ops, z, y);
    expect(ops.item(value)).toBeCloseTo(expected, 5);
  });

  it('gradient matches tf.grad of tfjs softmax cross-entropy', () => {
    const z = logits();
    const y = tf.tensor1d(labels);
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), 5);
    const reference = tf.grad((zz: tf.Tensor) => tf.losses.softmaxCrossEntropy(oneHot, zz))(z);
    expectClose(crossEntropy.valueAndGradient(ops, z, y).gradient, reference, 1e-5);
  });

  it('stays finite for huge logits', () => {
    const z = tf.tensor2d([
      [1000, -1000, 0],
      [-500, 500, 499],
    ]);
    const { value, gradient } = crossEntropy.valueAndGradient(ops, z, tf.tensor1d([0, 2]));
    expect(ops.item(value)).toBeCloseTo((0 + 1 + Math.log(1 + Math.exp(-1))) / 2, 4);
    expect(Array.from(gradient.dataSync()).every(Number.isFinite)).toBe(true);
  });

  it('accuracy counts argmax hits', () => {
    const z = logits();
    const rows = z.arraySync() as number[][];
    const hits = rows.filter((row, n) => row.indexOf(Math.max(...row)) === labels[n]).length;
    expect(hits).toBeGreaterThan(0);
    expect(hits).toBeLessThan(labels.length);
    expect(ops.item(crossEntropy.accuracy!(ops, z, tf.tensor1d(labels)))).toBeCloseTo(
      hits / labels.length,
      6,
    );
  });

  it('builds one-hot rows from float class indices', () => {
    expect(classOneHot(ops, tf.tensor1d([2, 0]), 3).arraySync()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
  });

  it('needs [classes] outputs', () => {
    expect(crossEntropy.outputShapeProblem([10])).toBeNull();
    expect(crossEntropy.outputShapeProblem([4, 3, 3])).toMatch(/\[classes\].*\[4, 3, 3\]/);
  });
});
