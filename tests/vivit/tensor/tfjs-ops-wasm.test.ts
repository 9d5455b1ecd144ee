// The same tfjs-ops image and matrix routines on the wasm backend (the one training uses)
// agree with the cpu backend (the one the autodiff oracles in tfjs-ops.test.ts run on).
// This catches wasm kernels that are missing or behave differently (padding, dilation,
// scatter accumulation, argmax layout).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initWasmBackend } from '../../../src/vivit/backend-wasm';
import { tfjsOps as ops } from '../../../src/vivit/tensor/tfjs-ops';
import type { Window2d } from '../../../src/vivit/tensor/ops';
import { randn, relError } from '../helpers';

type Named = Record<string, Float32Array>;

/** Every routine under test, on whichever backend is active; values copied out. */
function runAll(): Named {
  const results: Named = {};
  const record = (name: string, t: tf.Tensor) => {
    results[name] = Float32Array.from(t.dataSync());
  };
  tf.tidy(() => {
    const conv: Window2d = { kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1] };
    const same: Window2d = { kernel: [4, 4], stride: [1, 1], pad: [1, 2, 1, 2] };
    const x = randn([3, 9, 8, 4], 1);
    for (const [name, win] of [
      ['s2p1', conv],
      ['same', same],
    ] as const) {
      const w = randn([...win.kernel, 4, 5], 2);
      const y = ops.conv2d(x, w, win);
      record(`conv2d ${name}`, y);
      const dy = randn(y.shape, 4);
      record(`conv2dInputGrad ${name}`, ops.conv2dInputGrad(dy, w, x.shape, win));
      record(`conv2dWeightGrad ${name}`, ops.conv2dWeightGrad!(x, dy, win));
      record(`unfold ${name}`, ops.unfold(x, win));
    }
    // Narrow patches: the im2col route of conv2dWeightGrad.
    const x1 = randn([4, 10, 9, 1], 11);
    const w1 = randn([3, 3, 1, 12], 12);
    const y1 = ops.conv2d(x1, w1, conv);
    record('conv2dWeightGrad im2col', ops.conv2dWeightGrad!(x1, randn(y1.shape, 13), conv));
    const pool: Window2d = { kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1] };
    const { out, argmax } = ops.maxPool(x, pool);
    record('maxPool', out);
    record('maxPool argmax', argmax);
    const dp = randn(out.shape, 5);
    record('maxPoolInputGrad', ops.maxPoolInputGrad(dp, argmax, x.shape));
    record('avgPool', ops.avgPool(x, pool));
    record('avgPoolInputGrad', ops.avgPoolInputGrad(dp, x.shape, pool));
    const a = randn([64, 30], 6);
    const b = randn([64, 20], 7);
    const c = randn([20, 30], 8);
    record('matMul tA', ops.matMul(a, b, true, false));
    record('matMul tB', ops.matMul(c, a, false, true));
    record('matMul plain', ops.matMul(ops.transpose(a, [1, 0]), b));
  });
  return results;
}

let wasm: Named;
let cpu: Named;

beforeAll(async () => {
  await initWasmBackend();
  expect(tf.getBackend()).toBe('wasm');
  wasm = runAll();
  await tf.setBackend('cpu');
  cpu = runAll();
});

afterAll(() => tf.disposeVariables());

describe('tfjs-ops on wasm vs cpu', () => {
  const names = [
    'conv2d s2p1',
    'conv2dInputGrad s2p1',
    'conv2dWeightGrad s2p1',
    'conv2dWeightGrad im2col',
    'unfold s2p1',
    'conv2d same',
    'conv2dInputGrad same',
    'conv2dWeightGrad same',
    'unfold same',
    'maxPool',
    'maxPool argmax',
    'maxPoolInputGrad',
    'avgPool',
    'avgPoolInputGrad',
    'matMul tA',
    'matMul tB',
    'matMul plain',
  ];
  for (const name of names) {
    it(name, () => {
      expect(wasm[name].length).toBeGreaterThan(0);
      expect(wasm[name].length).toBe(cpu[name].length);
      expect(relError(wasm[name], cpu[name])).toBeLessThan(1e-5);
    });
  }

  it('scatter accumulation of overlapping max-pool windows works on wasm', async () => {
    await initWasmBackend();
    const x = tf.tensor4d([0, 0, 0, 0, 9, 0, 0, 0, 0], [1, 3, 3, 1]);
    const win: Window2d = { kernel: [2, 2], stride: [1, 1], pad: [0, 0, 0, 0] };
    const { argmax } = ops.maxPool(x, win);
    const dx = ops.maxPoolInputGrad(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), argmax, [1, 3, 3, 1]);
    expect(Array.from(dx.dataSync())).toEqual([0, 0, 0, 0, 10, 0, 0, 0, 0]);
    await tf.setBackend('cpu');
  });
});

describe('degenerate inputs on wasm', () => {
  it('max pooling over NaN and -inf keeps gradients inside the tensor (no out-of-bounds scatter)', async () => {
    await initWasmBackend();
    const x = tf.tensor4d(
      [NaN, -Infinity, -Infinity, -Infinity, 1, NaN, 2, 3, -Infinity],
      [1, 3, 3, 1],
    );
    const win: Window2d = { kernel: [2, 2], stride: [2, 2], pad: [1, 1, 1, 1] };
    const { argmax } = ops.maxPool(x, win);
    const plane = Array.from(argmax.dataSync());
    expect(plane.every((i) => i >= 0 && i < 9)).toBe(true);
    const dx = ops.maxPoolInputGrad(tf.ones([1, 2, 2, 1]), argmax, [1, 3, 3, 1]);
    expect(dx.shape).toEqual([1, 3, 3, 1]);
    expect(Array.from(dx.dataSync()).reduce((a, b) => a + b, 0)).toBe(4);
    await tf.setBackend('cpu');
  });
});
