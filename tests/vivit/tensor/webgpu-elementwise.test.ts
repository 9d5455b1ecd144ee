// The fused elementwise kernels (α·a, α·a + γ, α·a + β·b in one WebGPU kernel each) against
// float64 arithmetic, on webgpu (llvmpipe here, as in CI): every rank tfjs handles, a size whose
// dispatch exceeds one dimension's workgroup limit, non-finite values, and the optimizers that
// are built on them against their float64 reference loops.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initWebGpuBackend, webGpuDispatchCache } from '../../../src/vivit/backend-webgpu';
import { createAdam } from '../../../src/vivit/optim/adam';
import { createSgd } from '../../../src/vivit/optim/sgd';
import { Rng } from '../../../src/vivit/random';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { tfjsOps as ops } from '../../../src/vivit/tensor/tfjs-ops';
import { relError } from '../helpers';
import { problem, runEngine } from '../optim/harness';
import { adamReference, sgdReference } from '../optim/reference';

beforeAll(async () => {
  await initWebGpuBackend({ allowSoftware: true });
}, 120_000);
afterAll(() => tf.setBackend('cpu'));

const values = (size: number, seed: number) => {
  const rng = new Rng(seed, 'webgpu-elementwise');
  return Float32Array.from({ length: size }, () => rng.normal());
};

async function readAndDispose(t: tf.Tensor): Promise<Float32Array> {
  const data = (await ops.read(t)) as Float32Array;
  t.dispose();
  return data;
}

/** float32 operands, float64 arithmetic: the kernels may round once or twice. */
function expectNear(got: Float32Array, want: Float64Array): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  }
  expect(worst).toBeLessThan(1e-6);
}

describe('fused elementwise kernels on webgpu', () => {
  it('runs on webgpu', () => expect(tf.getBackend()).toBe('webgpu'));

  it.each([
    [[]],
    [[7]],
    [[3, 5]],
    [[2, 3, 4]],
    [[2, 3, 2, 5]],
    [[2, 1, 3, 2, 2]],
    [[2, 1, 3, 1, 2, 3]],
  ])('scale, addScalar and axpby on shape %j', async (shape: number[]) => {
    const size = shape.reduce((p, d) => p * d, 1);
    const a = values(size, 1);
    const b = values(size, 2);
    const ta = tf.tensor(a, shape);
    const tb = tf.tensor(b, shape);
    const scaled = ops.scale(ta, -0.37);
    expect(scaled.shape).toEqual(shape);
    expectNear(
      await readAndDispose(scaled),
      Float64Array.from(a, (x) => -0.37 * x),
    );
    expectNear(
      await readAndDispose(ops.addScalar(ta, 2.5)),
      Float64Array.from(a, (x) => x + 2.5),
    );
    expectNear(
      await readAndDispose(ops.axpby(ta, 0.9, tb, -1.25)),
      Float64Array.from(a, (x, i) => 0.9 * x - 1.25 * b[i]),
    );
    tf.dispose([ta, tb]);
  });

  it.each([
    [[4, 6], [4, 6], 0],
    [[1, 5, 3], [5, 3], 0],
    [[3, 5, 4], [5, 1], 0.25],
    [[2, 3, 2, 2], [1, 3, 1, 2], -0.5],
  ])('mulStepMask of %j by %j above %d as float64', async (vShape, xShape, threshold) => {
    const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
    const v = values(size(vShape), 5);
    const x = values(size(xShape), 6);
    // Some entries on each side of the threshold (and one exactly on it).
    x[0] = threshold + 1;
    x[1] = threshold - 1;
    x[x.length - 1] = threshold;
    const tv = tf.tensor(v, vShape);
    const tx = tf.tensor(x, xShape);
    const got = ops.mulStepMask(tv, tx, threshold);
    expect(got.shape).toEqual(vShape);
    const exact = float64Ops.mulStepMask(
      float64Ops.fromArray(v, vShape),
      float64Ops.fromArray(x, xShape),
      threshold,
    );
    const want = Float64Array.from(await float64Ops.read(exact));
    expect(want.some((w) => w === 0) && want.some((w) => w !== 0)).toBe(true);
    expectNear(await readAndDispose(got), want);
    tf.dispose([tv, tx]);
  });

  it('mulStepMask keeps tf.step’s NaN, as the composed ops on webgpu', async () => {
    const tv = tf.tensor1d([1, 2, Infinity, 3, -4]);
    const tx = tf.tensor1d([NaN, -1, -1, 0, 2]);
    const composed = tf.mul(tv, tf.step(tx));
    expect(Array.from(await readAndDispose(ops.mulStepMask(tv, tx, 0)))).toEqual(
      Array.from(await readAndDispose(composed)),
    );
    tf.dispose([tv, tx]);
  });

  it('is one GPU kernel each', async () => {
    const ta = tf.tensor1d(values(5000, 3));
    const tb = tf.tensor1d(values(5000, 4));
    const cache = webGpuDispatchCache()!;
    for (const op of [
      () => ops.scale(ta, 3),
      () => ops.addScalar(ta, 3),
      () => ops.axpby(ta, 2, tb, 3),
      () => ops.mulStepMask(ta, tb, 0),
    ]) {
      const before = cache.dispatches;
      const out = op();
      expect(cache.dispatches - before).toBe(1);
      await readAndDispose(out);
    }
    tf.dispose([ta, tb]);
  });

  it('covers every element of a dispatch beyond 65535 workgroups', async () => {
    const size = 65535 * 128 + 777; // one more workgroup than a single dimension allows
    const a = new Float32Array(size).fill(1);
    const b = Float32Array.from({ length: size }, (_, i) => i % 1000);
    const ta = tf.tensor1d(a);
    const tb = tf.tensor1d(b);
    const got = await readAndDispose(ops.axpby(ta, 3, tb, 2));
    let wrong = 0;
    for (let i = 0; i < size; i++) if (got[i] !== 3 + 2 * (i % 1000)) wrong++;
    expect(wrong).toBe(0);
    tf.dispose([ta, tb]);
  }, 60_000);

  it('propagates NaN and infinities as the arithmetic says', async () => {
    const ta = tf.tensor1d([NaN, Infinity, -Infinity, 1]);
    const tb = tf.tensor1d([1, 1, 1, Infinity]);
    expect(Array.from(await readAndDispose(ops.scale(ta, 2)))).toEqual([
      NaN,
      Infinity,
      -Infinity,
      2,
    ]);
    expect(Array.from(await readAndDispose(ops.axpby(ta, 1, tb, 1)))).toEqual([
      NaN,
      Infinity,
      -Infinity,
      Infinity,
    ]);
    tf.dispose([ta, tb]);
  });

  it('falls back to broadcasting ops when the shapes differ', async () => {
    const ta = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const tb = tf.tensor1d([10, 20, 30]);
    expect(Array.from(await readAndDispose(ops.axpby(ta, 2, tb, 0.5)))).toEqual([
      7, 14, 21, 13, 20, 27,
    ]);
    tf.dispose([ta, tb]);
  });
});

describe('optimizers on webgpu (fused updates) against their float64 reference loops', () => {
  it('SGD with momentum, Nesterov and weight decay', async () => {
    const o = { lr: 0.05, momentum: 0.8, weightDecay: 0.01, nesterov: true };
    const { params, grads } = problem(6, 1);
    const sgd = createSgd(ops, {
      type: 'sgd',
      lr: o.lr,
      momentum: o.momentum,
      weight_decay: o.weightDecay,
      nesterov: o.nesterov,
    });
    const actual = await runEngine(sgd, params, grads);
    const expected = sgdReference(params, grads, o);
    actual.forEach((step, t) =>
      step.forEach((p, i) => expect(relError(p, expected[t][i])).toBeLessThan(1e-5)),
    );
    expect(relError(actual[5][0], params[0])).toBeGreaterThan(1e-2);
  });

  it('Adam with weight decay', async () => {
    const o = { lr: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1 };
    const { params, grads } = problem(8, 2);
    const adam = createAdam(ops, {
      type: 'adam',
      lr: o.lr,
      betas: [o.beta1, o.beta2],
      eps: o.eps,
      weight_decay: o.weightDecay,
    });
    const actual = await runEngine(adam, params, grads);
    const expected = adamReference(params, grads, o);
    actual.forEach((step, t) =>
      step.forEach((p, i) => {
        const moved = p.map((value, k) => value - params[i][k]);
        const expectedMoved = expected[t][i].map((value, k) => value - params[i][k]);
        expect(relError(moved, expectedMoved)).toBeLessThan(2e-3);
      }),
    );
  });
});
