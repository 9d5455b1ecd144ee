import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import type { LayerSpec, Padding, Pair } from '../../../src/protocol/definition';
import { useCpuBackend } from '../helpers';
import { checkLayer, nchw, nhwc, type Reference } from './harness';
import { poolCases } from './pool-cases';

beforeAll(useCpuBackend);

/** PyTorch MaxPool2d (-inf padding) / TensorFlow 'same', through tf.maxPool. */
function reference(kernel: Pair, stride: Pair, padding: Padding): Reference {
  return (x) => {
    if (padding === 'same' || padding === 'valid')
      return nchw(tf.maxPool(nhwc(x), kernel, stride, padding));
    const [ph, pw] = Array.isArray(padding) ? padding : [padding, padding];
    const padded = tf.pad(
      nhwc(x),
      [
        [0, 0],
        [ph, ph],
        [pw, pw],
        [0, 0],
      ],
      -Infinity,
    ) as tf.Tensor4D;
    return nchw(tf.maxPool(padded, kernel, stride, 'valid'));
  };
}

const pool = (kernel: Pair, stride: Pair, padding: Padding): LayerSpec => ({
  type: 'maxpool2d',
  kernel_size: kernel,
  stride,
  padding,
});

describe('maxpool2d', () => {
  for (const c of poolCases) {
    it(`forward and backward: ${c.name}`, () => {
      checkLayer({
        name: c.name,
        spec: pool(c.kernel, c.stride, c.padding),
        inShape: c.inShape,
        outShape: c.outShape,
        reference: reference(c.kernel, c.stride, c.padding),
      });
    });
  }
});
