import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchToEngine } from '../../../src/vivit/nn/layout';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { useCpuBackend } from '../helpers';
import { buildLayer, checkLayer } from './harness';

beforeAll(useCpuBackend);

describe('flatten', () => {
  for (const inShape of [[3, 4, 5], [1, 4, 5], [3, 1, 1], [6], [2, 3]]) {
    it(`forward and backward on [${inShape}] in PyTorch's order`, () => {
      // PyTorch's flatten of an NCHW batch is a plain reshape.
      checkLayer({
        name: 'flatten',
        spec: { type: 'flatten' },
        inShape,
        reference: (x) => tf.reshape(x, [x.shape[0], -1]),
      });
    });
  }

  it('puts an image feature (c, h, w) at index c*H*W + h*W + w', () => {
    const layer = buildLayer({ type: 'flatten' }, [2, 2, 3]);
    // x[0, c, h, w] = 100c + 10h + w, laid out NCHW.
    const values: number[] = [];
    for (let c = 0; c < 2; c++)
      for (let h = 0; h < 2; h++) for (let w = 0; w < 3; w++) values.push(100 * c + 10 * h + w);
    const x = tf.tensor4d(values, [1, 2, 2, 3]);
    const { out } = layer.forward(tfjsOps, [], batchToEngine(tfjsOps, x), { training: false });
    expect(Array.from(out.dataSync())).toEqual(values);
  });
});
