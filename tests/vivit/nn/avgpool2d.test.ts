import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import type { LayerSpec, Padding, Pair } from '../../../src/protocol/definition';
import { expectClose, randn, useCpuBackend } from '../helpers';
import { buildLayer, checkLayer, nchw, nhwc, type Reference } from './harness';
import { poolCases } from './pool-cases';

beforeAll(useCpuBackend);

/** TensorFlow's 'same' padding amounts (before, after) for one axis. */
function samePads(size: number, kernel: number, stride: number): [number, number] {
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * Explicit padding: PyTorch's AvgPool2d (zeros counted, count_include_pad=True) as tf.avgPool
 * of the zero-padded input. 'same': TensorFlow's semantics (padding not counted), written as
 * window sums over the zero-padded input divided by the count of real elements — because
 * tfjs's own AvgPoolGrad for 'same' divides by the full window area, which is not the
 * derivative of its forward (checked below against finite differences).
 */
function reference(kernel: Pair, stride: Pair, padding: Padding): Reference {
  const [kh, kw] = Array.isArray(kernel) ? kernel : [kernel, kernel];
  return (x) => {
    if (padding === 'valid') return nchw(tf.avgPool(nhwc(x), kernel, stride, 'valid'));
    if (padding === 'same') {
      const [, , h, w] = x.shape;
      const [sh, sw] = Array.isArray(stride) ? stride : [stride, stride];
      const pads: [number, number][] = [[0, 0], samePads(h, kh, sh), samePads(w, kw, sw), [0, 0]];
      const sums = (t: tf.Tensor) =>
        tf.mul(tf.avgPool(tf.pad(t, pads) as tf.Tensor4D, kernel, stride, 'valid'), kh * kw);
      return nchw(tf.div(sums(nhwc(x)), sums(tf.ones([1, h, w, 1]))));
    }
    const [ph, pw] = Array.isArray(padding) ? padding : [padding, padding];
    const padded = tf.pad(nhwc(x), [
      [0, 0],
      [ph, ph],
      [pw, pw],
      [0, 0],
    ]) as tf.Tensor4D;
    return nchw(tf.avgPool(padded, kernel, stride, 'valid'));
  };
}

const pool = (kernel: Pair, stride: Pair, padding: Padding): LayerSpec => ({
  type: 'avgpool2d',
  kernel_size: kernel,
  stride,
  padding,
});

describe('avgpool2d', () => {
  it("'same' forward equals tf.avgPool, whose own 'same' gradient is off at the border", () => {
    const layer = buildLayer(pool(2, 2, 'same'), [2, 5, 5]);
    const x = randn([2, 2, 5, 5], 9);
    const { out } = layer.forward(tfjsOps, [], nhwc(x), { training: false });
    expectClose(out, tf.avgPool(nhwc(x), 2, 2, 'same'));
    // Corner element (4,4) is alone in its window: d(sum of outputs)/dx = 1, tfjs says 1/4.
    const f = (t: tf.Tensor) => tf.sum(tf.avgPool(t as tf.Tensor4D, 2, 2, 'same'));
    const ones = tf.ones([1, 5, 5, 1]);
    expect(tf.grad(f)(ones).dataSync()[24]).toBeCloseTo(0.25, 6);
    const bump = tf.mul(tf.reshape(tf.oneHot([24], 25), [1, 5, 5, 1]), 0.01);
    const numeric = (f(tf.add(ones, bump)).dataSync()[0] - f(ones).dataSync()[0]) / 0.01;
    expect(numeric).toBeCloseTo(1, 3);
    const dx = layer.backward(tfjsOps, [], {}, tf.ones([1, 3, 3, 1]), true).dx!;
    expect(dx.dataSync()[24]).toBeCloseTo(1, 6);
  });

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
