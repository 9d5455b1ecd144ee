// The image ops build filter banks and index grids from shapes alone; they are made once per
// backend and shape and kept, so a repeated step adds no tensors and gets the same results.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tfjsKeptTensorCount, tfjsOps as ops } from '../../../src/vivit/tensor/tfjs-ops';
import type { Window2d } from '../../../src/vivit/tensor/ops';
import { randn, useCpuBackend } from '../helpers';

beforeAll(useCpuBackend);

const win: Window2d = { kernel: [2, 3], stride: [2, 1], pad: [1, 0, 0, 1] };

function imageStep(x: tf.Tensor): Float32Array[] {
  return ops.tidy(() => {
    const { out, argmax } = ops.maxPool(x, win);
    const back = ops.maxPoolInputGrad(out, argmax, x.shape);
    const unfolded = ops.unfold(x, win);
    const avg = ops.avgPool(x, win);
    const avgBack = ops.avgPoolInputGrad(avg, x.shape, win);
    return [out, argmax, back, unfolded, avg, avgBack].map((t) => t.dataSync() as Float32Array);
  });
}

describe('constants kept by the image ops', () => {
  it('are made on first use only, and change no result', () => {
    const x = randn([3, 5, 6, 4], 1);
    const first = imageStep(x);
    const kept = tfjsKeptTensorCount();
    expect(kept).toBeGreaterThan(0);
    const tensors = tf.memory().numTensors;
    const second = imageStep(x);
    expect(tfjsKeptTensorCount()).toBe(kept);
    expect(tf.memory().numTensors).toBe(tensors);
    second.forEach((values, i) => expect(values).toEqual(first[i]));
    // Another shape gets its own.
    const y = randn([2, 5, 6, 3], 2);
    imageStep(y);
    expect(tfjsKeptTensorCount()).toBeGreaterThan(kept);
    tf.dispose([x, y]);
  });
});
