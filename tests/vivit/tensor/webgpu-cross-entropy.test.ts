// The fused cross-entropy kernels on webgpu (llvmpipe here, as in CI) against float64
// arithmetic written out here: the batch-mean loss, its gradient, the correct/bad-label counts,
// for ordinary, huge (overflowing exp without the max shift) and invalid labels; then the
// trainer on webgpu, which uses them, against the reference step, and its error for a label
// that is not a class index.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src/protocol/definition';
import { initWebGpuBackend, webGpuDispatchCache } from '../../../src/vivit/backend-webgpu';
import { crossEntropy } from '../../../src/vivit/loss/cross-entropy';
import { Rng } from '../../../src/vivit/random';
import { createTrainer } from '../../../src/vivit/trainer';
import { tfjsOps as ops } from '../../../src/vivit/tensor/tfjs-ops';

beforeAll(async () => {
  await initWebGpuBackend({ allowSoftware: true });
}, 120_000);
afterAll(() => tf.setBackend('cpu'));

interface Reference {
  loss: number;
  gradient: Float64Array;
  correct: number;
  bad: number;
}

/** Float64 softmax cross-entropy: mean loss, gradient, correct predictions, bad labels. */
function reference(logits: Float32Array, labels: number[], classes: number): Reference {
  const n = labels.length;
  const gradient = new Float64Array(n * classes);
  let loss = 0;
  let correct = 0;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from(logits.subarray(i * classes, (i + 1) * classes));
    const m = Math.max(...row);
    const s = row.reduce((acc, z) => acc + Math.exp(z - m), 0);
    const y = labels[i];
    const valid = Number.isInteger(y) && y >= 0 && y < classes;
    if (!valid) bad++;
    if (valid) loss += (Math.log(s) + m - row[y]) / n;
    if (row.indexOf(m) === y) correct++;
    row.forEach((z, c) => {
      gradient[i * classes + c] = (Math.exp(z - m) / s - (c === y ? 1 : 0)) / n;
    });
  }
  return { loss, gradient, correct, bad };
}

/** Both fused entry points on the same batch: the loss module's (scalar loss, gradient) and
 *  the training step's (gradient, [loss, correct, bad]); they must agree exactly. */
async function fused(
  logits: Float32Array,
  labels: number[],
  classes: number,
  dtype: 'float32' | 'int32' = 'float32',
) {
  const z = tf.tensor2d(logits, [labels.length, classes]);
  const y = tf.tensor1d(labels, dtype);
  const parts = ops.fusedCrossEntropy!(z, y, true)!;
  const step = ops.fusedClassificationStep!(z, y)!;
  const summary = Array.from(await ops.read(step.summary));
  const out = {
    loss: (await ops.read(parts.value))[0],
    gradient: await ops.read(parts.gradient!),
    counts: summary.slice(1),
  };
  expect(ops.shape(parts.value)).toEqual([]);
  expect(summary[0]).toBe(out.loss);
  expect(await ops.read(step.gradient)).toEqual(out.gradient);
  tf.dispose([z, y, parts.value, parts.gradient!, step.summary, step.gradient]);
  return out;
}

function logitsOf(n: number, classes: number, scale: number, seed: number): Float32Array {
  const rng = new Rng(seed, 'webgpu-ce');
  return Float32Array.from({ length: n * classes }, () => scale * rng.normal());
}

describe('fused cross-entropy on webgpu', () => {
  it.each([
    ['10 classes, 37 samples', 37, 10, 2],
    ['2 classes', 16, 2, 1],
    ['1000 classes', 9, 1000, 3],
    ['logits of ±1e4 (exp overflows without the max shift)', 12, 7, 1e4],
    // More samples than the summing workgroup's 256 threads: each sums several.
    ['1000 samples', 1000, 10, 2],
  ])('%s: loss, gradient and counts as float64', async (_name, n, classes, scale) => {
    const logits = logitsOf(n, classes, scale, n + classes);
    const labels = Array.from({ length: n }, (_, i) => (i * 7 + 3) % classes);
    const got = await fused(logits, labels, classes);
    const want = reference(logits, labels, classes);
    expect(Math.abs(got.loss - want.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want.loss)));
    let worst = 0;
    want.gradient.forEach((g, i) => (worst = Math.max(worst, Math.abs(got.gradient[i] - g))));
    expect(worst).toBeLessThan(1e-6 / n);
    expect(got.counts).toEqual([want.correct, 0]);
    if (classes <= 10) expect(want.correct).toBeGreaterThan(0); // the count is not trivially 0
  });

  it('takes int32 labels as they come (no cast)', async () => {
    const classes = 6;
    const labels = Array.from({ length: 40 }, (_, i) => (i * 5) % classes);
    const logits = logitsOf(labels.length, classes, 2, 11);
    const asFloat = await fused(logits, labels, classes, 'float32');
    const asInt = await fused(logits, labels, classes, 'int32');
    expect(asInt).toEqual(asFloat);
    const out = [7, -1, 3]; // int32 labels outside [0, C) are bad
    const bad = await fused(logitsOf(3, classes, 1, 12), out, classes, 'int32');
    expect(bad.counts[1]).toBe(2);
  });

  it('counts labels that are not class indices as bad and leaves them out of the loss', async () => {
    const classes = 5;
    const labels = [0, 5, -1, 2.5, 4, 1, 3.0000005];
    const logits = logitsOf(labels.length, classes, 1, 9);
    const got = await fused(logits, labels, classes);
    const want = reference(logits, labels, classes);
    expect(got.counts[1]).toBe(want.bad);
    expect(want.bad).toBe(4); // 5, -1, 2.5 and 3.0000005 (in float32: not an integer)
    expect(Math.abs(got.loss - want.loss)).toBeLessThan(1e-6);
  });

  it('is the loss module on webgpu, in fewer kernels than the composed ops', async () => {
    const n = 64;
    const classes = 10;
    const logits = tf.tensor2d(logitsOf(n, classes, 2, 4), [n, classes]);
    const labels = tf.tensor1d(
      Array.from({ length: n }, (_, i) => i % classes),
      'float32',
    );
    const cache = webGpuDispatchCache()!;
    const before = cache.dispatches;
    const { value, gradient } = crossEntropy.valueAndGradient(ops, logits, labels);
    expect(cache.dispatches - before).toBe(2); // the loss (one summing workgroup), the gradient
    const want = reference(
      (await ops.read(logits)) as Float32Array,
      Array.from(await ops.read(labels)),
      classes,
    );
    expect(Math.abs((await ops.read(value))[0] - want.loss)).toBeLessThan(1e-5);
    tf.dispose([logits, labels, value, gradient]);
  });
});

describe('training on webgpu with the fused loss', () => {
  const layers: LayerSpec[] = [
    { type: 'linear', in: 6, out: 8, bias: true },
    { type: 'relu' },
    { type: 'linear', in: 8, out: 4, bias: true },
  ];
  const sgd = { type: 'sgd' as const, lr: 0.1, momentum: 0, weight_decay: 0, nesterov: false };

  it('one step: loss, accuracy and update as the tfjs reference on the same parameters', async () => {
    const trainer = createTrainer({
      layers,
      inputShape: [6],
      loss: 'cross_entropy',
      optimizer: sgd,
      seed: 5,
    });
    const before = await trainer.readParameters();
    const rng = new Rng(2, 'webgpu-ce-train');
    const xs = Float32Array.from({ length: 20 * 6 }, () => rng.normal());
    const labels = Array.from({ length: 20 }, (_, i) => i % 4);
    // The reference on the cpu backend with tfjs's own loss and autodiff.
    await tf.setBackend('cpu');
    const p = before.map((q) => tf.tensor(q.data, q.shape));
    const x = tf.tensor2d(xs, [20, 6]);
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
    const forward = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) =>
      tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1, false, true), b1)), w2, false, true), b2);
    const lossOf = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) =>
      tf.losses.softmaxCrossEntropy(oneHot, forward(w1, b1, w2, b2));
    const expectedLoss = lossOf(p[0], p[1], p[2], p[3]).dataSync()[0];
    const grads = tf.grads(lossOf)(p);
    const logits = forward(p[0], p[1], p[2], p[3]).arraySync() as number[][];
    const hits = logits.filter((row, i) => row.indexOf(Math.max(...row)) === labels[i]).length;
    const expected = p.map((q, i) =>
      Float32Array.from(tf.sub(q, tf.mul(grads[i], 0.1)).dataSync()),
    );
    await tf.setBackend('webgpu');

    const xg = tf.tensor2d(xs, [20, 6]);
    const yg = tf.tensor1d(labels, 'int32');
    const result = await trainer.trainStep(xg, yg);
    expect(result.loss).toBeCloseTo(expectedLoss, 5);
    expect(result.accuracy).toBeCloseTo(hits / 20, 6);
    const after = await trainer.readParameters();
    after.forEach((q, i) => {
      let worst = 0;
      q.data.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - expected[i][k]))));
      expect(worst).toBeLessThan(1e-5);
    });
    tf.dispose([xg, yg]);
    trainer.dispose();
  });

  it('names a label that is not a class index', async () => {
    const trainer = createTrainer({
      layers,
      inputShape: [6],
      loss: 'cross_entropy',
      optimizer: sgd,
      seed: 5,
    });
    const x = tf.ones([3, 6]);
    const y = tf.tensor1d([1, 7, 0], 'int32');
    await expect(trainer.trainStep(x, y)).rejects.toThrow(
      /label 7 of sample 1 is not a class index in \[0, 3\]/,
    );
    tf.dispose([x, y]);
    trainer.dispose();
  });
});
