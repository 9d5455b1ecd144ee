// The trainer end to end on the cpu backend: one step against tf.grad of a PyTorch-layout
// reference network, learning on a small problem, determinism, evaluation, errors, memory.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec, OptimizerSpec } from '../../src/protocol/definition';
import { LayerShapeError, createTrainer } from '../../src/vivit/index';
import { Rng } from '../../src/vivit/random';
import { expectClose, liveTensorCount, randn, useCpuBackend } from './helpers';

beforeAll(useCpuBackend);

const sgd = (lr: number, momentum = 0): OptimizerSpec => ({
  type: 'sgd',
  lr,
  momentum,
  weight_decay: 0,
  nesterov: false,
});

const cnn: LayerSpec[] = [
  {
    type: 'conv2d',
    in_channels: 2,
    out_channels: 3,
    kernel_size: 3,
    stride: 1,
    padding: 1,
    bias: true,
  },
  { type: 'relu' },
  { type: 'maxpool2d', kernel_size: 2, stride: 2, padding: 0 },
  { type: 'flatten' },
  { type: 'linear', in: 48, out: 5, bias: true },
];

/** The same CNN written directly in tfjs ops on NCHW input with PyTorch-layout weights. */
function cnnReference(x: tf.Tensor, [w1, b1, w2, b2]: tf.Tensor[]): tf.Tensor {
  const h = tf.conv2d(
    tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D,
    tf.transpose(w1, [2, 3, 1, 0]) as tf.Tensor4D,
    1,
    1,
  );
  const pooled = tf.maxPool(tf.relu(tf.add(h, b1)) as tf.Tensor4D, 2, 2, 'valid');
  const flat = tf.reshape(tf.transpose(pooled, [0, 3, 1, 2]), [x.shape[0], -1]); // PyTorch's C-major flatten
  return tf.add(tf.matMul(flat, w2, false, true), b2);
}

function torchTensors(params: { shape: number[]; data: Float32Array }[]): tf.Tensor[] {
  return params.map((p) => tf.tensor(p.data, p.shape));
}

describe('trainer', () => {
  it('one SGD step of a CNN equals p - lr * tf.grad of a PyTorch-layout reference', async () => {
    const trainer = createTrainer({
      layers: cnn,
      inputShape: [2, 8, 8],
      loss: 'cross_entropy',
      optimizer: sgd(0.1),
      seed: 3,
    });
    expect(trainer.parameterCount).toBe(3 * 2 * 9 + 3 + 48 * 5 + 5);
    const before = await trainer.readParameters();
    expect(before.map((p) => [p.name, p.shape])).toEqual([
      ['model[0].weight', [3, 2, 3, 3]],
      ['model[0].bias', [3]],
      ['model[4].weight', [5, 48]],
      ['model[4].bias', [5]],
    ]);
    const x = randn([6, 2, 8, 8], 1);
    const labels = [0, 4, 2, 2, 1, 3];
    const y = tf.tensor1d(labels, 'int32');
    const p0 = torchTensors(before);
    const oneHot = tf.oneHot(y, 5);
    const lossOf = (...ps: tf.Tensor[]) =>
      tf.losses.softmaxCrossEntropy(oneHot, cnnReference(x, ps));
    const expectedLoss = lossOf(...p0).dataSync()[0];
    const grads = tf.grads(lossOf)(p0);

    const result = await trainer.trainStep(x, y);
    expect(result.loss).toBeCloseTo(expectedLoss, 5);
    const logits = cnnReference(x, p0).arraySync() as number[][];
    const hits = logits.filter((row, n) => row.indexOf(Math.max(...row)) === labels[n]).length;
    expect(result.accuracy).toBeCloseTo(hits / labels.length, 6);

    const after = await trainer.readParameters();
    after.forEach((p, i) => {
      const expected = tf.sub(p0[i], tf.mul(grads[i], 0.1));
      expectClose(p.data, expected.dataSync(), 1e-5);
      // The step is not negligible next to the tolerance.
      expect(
        tf.max(tf.abs(tf.sub(p0[i], tf.tensor(p.data, p.shape)))).dataSync()[0],
      ).toBeGreaterThan(1e-4);
    });
    trainer.dispose();
  });

  it('one step of an MSE regression MLP (sigmoid, tanh, bias-free layer) matches too', async () => {
    const layers: LayerSpec[] = [
      { type: 'linear', in: 4, out: 6, bias: true },
      { type: 'sigmoid' },
      { type: 'linear', in: 6, out: 5, bias: false },
      { type: 'tanh' },
      { type: 'linear', in: 5, out: 3, bias: true },
    ];
    const trainer = createTrainer({
      layers,
      inputShape: [4],
      loss: 'mse',
      optimizer: sgd(0.5, 0.9),
      seed: 1,
    });
    const x = randn([7, 4], 2);
    const y = randn([7, 3], 3);
    const p0 = torchTensors(await trainer.readParameters());
    const reference = (
      w1: tf.Tensor,
      b1: tf.Tensor,
      w2: tf.Tensor,
      w3: tf.Tensor,
      b3: tf.Tensor,
    ) => {
      const h1 = tf.sigmoid(tf.add(tf.matMul(x, w1, false, true), b1));
      const h2 = tf.tanh(tf.matMul(h1, w2, false, true));
      return tf.losses.meanSquaredError(y, tf.add(tf.matMul(h2, w3, false, true), b3));
    };
    const grads = tf.grads((...ps: tf.Tensor[]) => reference(ps[0], ps[1], ps[2], ps[3], ps[4]))(
      p0,
    );
    const expectedLoss = reference(p0[0], p0[1], p0[2], p0[3], p0[4]).dataSync()[0];
    const result = await trainer.trainStep(x, y);
    expect(result.loss).toBeCloseTo(expectedLoss, 5);
    expect(result.accuracy).toBeUndefined();
    (await trainer.readParameters()).forEach((p, i) => {
      expectClose(p.data, tf.sub(p0[i], tf.mul(grads[i], 0.5)).dataSync(), 1e-5);
    });
    trainer.dispose();
  });

  it('lowers the loss on a small classification problem', async () => {
    // Three Gaussian blobs in 10 dimensions.
    const rng = new Rng(9, 'blobs');
    const centers = Array.from({ length: 3 }, () =>
      Array.from({ length: 10 }, () => 2 * rng.normal()),
    );
    const labels = Array.from({ length: 96 }, (_, i) => i % 3);
    const points = labels.flatMap((c) => centers[c].map((m) => m + rng.normal()));
    const x = tf.tensor2d(points, [96, 10]);
    const y = tf.tensor1d(labels, 'int32');
    const trainer = createTrainer({
      layers: [
        { type: 'linear', in: 10, out: 16, bias: true },
        { type: 'relu' },
        { type: 'dropout', p: 0.1 },
        { type: 'linear', in: 16, out: 3, bias: true },
      ],
      inputShape: [10],
      loss: 'cross_entropy',
      optimizer: { type: 'adam', lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0 },
      seed: 4,
    });
    const start = await trainer.evaluate(x, y);
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) losses.push((await trainer.trainStep(x, y)).loss);
    const end = await trainer.evaluate(x, y);
    expect(losses[29]).toBeLessThan(0.5 * losses[0]);
    expect(end.loss).toBeLessThan(0.5 * start.loss);
    expect(end.accuracy).toBeGreaterThan(0.9);
    trainer.dispose();
  });

  it('is deterministic for a seed (dropout included) and differs between seeds', async () => {
    const layers: LayerSpec[] = [...cnn.slice(0, 4), { type: 'dropout', p: 0.3 }, cnn[4]];
    const x = randn([8, 2, 8, 8], 5);
    const y = tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2], 'int32');
    const run = async (seed: number) => {
      const trainer = createTrainer({
        layers,
        inputShape: [2, 8, 8],
        loss: 'cross_entropy',
        optimizer: sgd(0.05, 0.9),
        seed,
      });
      const losses: number[] = [];
      for (let i = 0; i < 4; i++) losses.push((await trainer.trainStep(x, y)).loss);
      trainer.dispose();
      return losses;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });

  it('evaluates in chunks without dropout or updates', async () => {
    const layers: LayerSpec[] = [
      { type: 'flatten' },
      { type: 'dropout', p: 0.5 },
      { type: 'linear', in: 12, out: 4, bias: true },
    ];
    const trainer = createTrainer({
      layers,
      inputShape: [3, 2, 2],
      loss: 'cross_entropy',
      optimizer: sgd(0.1),
      seed: 2,
    });
    const n = 600; // more than one evaluation chunk
    const x = randn([n, 3, 2, 2], 6);
    const labelValues = Array.from({ length: n }, (_, i) => (i * 7) % 4);
    const y = tf.tensor1d(labelValues, 'int32');
    const [w, b] = torchTensors(await trainer.readParameters());
    const logits = tf.add(tf.matMul(tf.reshape(x, [n, 12]), w, false, true), b);
    const expectedLoss = tf.losses.softmaxCrossEntropy(tf.oneHot(y, 4), logits).dataSync()[0];
    const predicted = tf.argMax(logits, 1).dataSync();
    const expectedAccuracy = labelValues.filter((c, i) => predicted[i] === c).length / n;
    const result = await trainer.evaluate(x, y);
    expect(result.loss).toBeCloseTo(expectedLoss, 5);
    expect(result.accuracy).toBeCloseTo(expectedAccuracy, 6);
    expect(await trainer.evaluate(x, y)).toEqual(result);
    trainer.dispose();
  });

  it('does not leak tensors across steps and evaluations', async () => {
    const trainer = createTrainer({
      layers: cnn,
      inputShape: [2, 8, 8],
      loss: 'cross_entropy',
      optimizer: { type: 'adam', lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.01 },
      seed: 1,
    });
    const x = randn([4, 2, 8, 8], 7);
    const y = tf.tensor1d([1, 2, 3, 4], 'int32');
    await trainer.trainStep(x, y);
    const count = liveTensorCount();
    for (let i = 0; i < 3; i++) {
      await trainer.trainStep(x, y);
      await trainer.evaluate(x, y);
    }
    expect(liveTensorCount()).toBe(count);
    trainer.dispose();
    expect(liveTensorCount()).toBe(count - 4 - 8); // 4 parameters, 8 Adam moments
  });

  it('round-trips parameters in PyTorch layout', async () => {
    const trainer = createTrainer({
      layers: cnn,
      inputShape: [2, 8, 8],
      loss: 'cross_entropy',
      optimizer: sgd(0.1),
      seed: 1,
    });
    const other = createTrainer({
      layers: cnn,
      inputShape: [2, 8, 8],
      loss: 'cross_entropy',
      optimizer: sgd(0.1),
      seed: 2,
    });
    other.loadParameters((await trainer.readParameters()).map((p) => p.data));
    const x = randn([3, 2, 8, 8], 8);
    const y = tf.tensor1d([0, 1, 2], 'int32');
    expect(await other.evaluate(x, y)).toEqual(await trainer.evaluate(x, y));
    expect(() => other.loadParameters([new Float32Array(3)])).toThrow(
      /expected 4 parameter arrays/,
    );
    trainer.dispose();
    other.dispose();
  });

  it('rejects bad batches and unusable models with clear messages', async () => {
    const trainer = createTrainer({
      layers: cnn,
      inputShape: [2, 8, 8],
      loss: 'cross_entropy',
      optimizer: sgd(0.1),
      seed: 1,
    });
    const x = randn([2, 2, 8, 8], 9);
    await expect(
      trainer.trainStep(randn([2, 8, 8, 2], 1), tf.tensor1d([0, 1], 'int32')),
    ).rejects.toThrow('input batch has shape [2, 8, 8, 2], expected [N, 2, 8, 8]');
    await expect(trainer.trainStep(x, tf.tensor1d([0, 5], 'int32'))).rejects.toThrow(
      /label 5 of sample 1 is not a class index in \[0, 4\]/,
    );
    await expect(trainer.trainStep(x, tf.tensor1d([0, 1, 2], 'int32'))).rejects.toThrow(
      /labels have shape \[3\], expected \[2\]/,
    );
    trainer.dispose();
    await expect(trainer.trainStep(x, tf.tensor1d([0, 1], 'int32'))).rejects.toThrow(/disposed/);

    const regression = createTrainer({
      layers: [{ type: 'linear', in: 3, out: 2, bias: true }],
      inputShape: [3],
      loss: 'mse',
      optimizer: sgd(0.1),
      seed: 1,
    });
    await expect(regression.trainStep(randn([4, 3], 1), randn([4, 3], 2))).rejects.toThrow(
      /targets have shape \[4, 3\], expected \[4, 2\]/,
    );
    regression.dispose();

    expect(() =>
      createTrainer({
        layers: cnn.slice(0, 3),
        inputShape: [2, 8, 8],
        loss: 'cross_entropy',
        optimizer: sgd(0.1),
        seed: 1,
      }),
    ).toThrow(LayerShapeError);
    expect(() =>
      createTrainer({
        layers: [cnn[0], { type: 'linear', in: 10, out: 2, bias: true }],
        inputShape: [2, 8, 8],
        loss: 'mse',
        optimizer: sgd(0.1),
        seed: 1,
      }),
    ).toThrow(/add a flatten/);
  });
});
