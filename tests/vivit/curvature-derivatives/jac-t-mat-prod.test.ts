// jacTMatProd of every layer type: a stack of M vectors per sample backpropagated through the
// layer equals, vector by vector, the vector-Jacobian product of the layer's own forward
// (tf.grad, tfjs cpu backend, float32) and, in float64, the contraction with the Jacobian
// from central finite differences of the float64 forward. Both with the whole cached batch
// and with a sub-sample of its rows (curvature sub-sampling).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Float64Tensor, float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { useCpuBackend } from '../helpers';
import {
  inPerSample,
  layerCases,
  makeSetup,
  outPerSample,
  randomStack,
  relativeError,
  sizeOf,
  tensorsOf,
  type LayerCase,
  type Setup,
} from './setup';

beforeAll(useCpuBackend);

const N = 4;

/** The forward as tf.grad sees it. leaky_relu and elu select branches with a mask computed
 *  from x by NotEqual, which has no gradient in tfjs, so for them the same formula is written
 *  with the mask taken from a constant copy of x (no path for tf.grad through it). */
function differentiableForward(c: LayerCase, s: Setup, params: tf.Tensor[], x: tf.Tensor) {
  const positive = () => tf.greater(tf.tensor(x.dataSync(), x.shape), 0);
  if (c.spec.type === 'leaky_relu') {
    const slope = c.spec.negative_slope;
    return (xx: tf.Tensor) => tf.where(positive(), xx, tf.mul(xx, slope));
  }
  if (c.spec.type === 'elu') {
    const alpha = c.spec.alpha;
    return (xx: tf.Tensor) => tf.where(positive(), xx, tf.mul(tf.sub(tf.exp(xx), 1), alpha));
  }
  return (xx: tf.Tensor) => s.layer.forward(tfjsOps, params, xx, s.ctx()).out;
}

describe('jacTMatProd against tf.grad of the forward (tfjs, float32)', () => {
  for (const c of layerCases) {
    it(c.name, () => {
      const s = makeSetup(c, N, 3);
      const inShape = inPerSample(s.layer);
      const outShape = outPerSample(s.layer);
      for (const samples of [null, [3, 1]]) {
        for (const m of [1, 2, 3]) {
          tf.tidy(() => {
            const ns = samples?.length ?? N;
            const { params, x } = tensorsOf(tfjsOps, s);
            const { cache } = s.layer.forward(tfjsOps, params, x, s.ctx());
            const stack = randomStack(m, ns, outShape, 100 + m);
            const v = tfjsOps.fromArray(stack.data, stack.shape);
            const got = s.layer.jacTMatProd(tfjsOps, params, cache, v, samples);
            expect(got.shape).toEqual([m, ns, ...inShape]);
            const rows = (t: tf.Tensor) => (samples ? tf.gather(t, samples) : t);
            for (let k = 0; k < m; k++) {
              const vk = tf.squeeze(tf.slice(v, [k], [1]), [0]);
              const f = differentiableForward(c, s, params, x);
              const vjp = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(rows(f(xx)), vk)))(x);
              const gotK = tf.squeeze(tf.slice(got, [k], [1]), [0]);
              const err = relativeError(gotK.dataSync(), rows(vjp).dataSync());
              expect(err, `M=${m} vector ${k} samples ${JSON.stringify(samples)}`).toBeLessThan(
                1e-5,
              );
            }
          });
        }
      }
    });
  }
});

describe('jacTMatProd in float64 against central finite differences', () => {
  const eps = 1e-6;
  for (const c of layerCases) {
    it(c.name, () => {
      const s = makeSetup(c, N, 5);
      const { params, x } = tensorsOf(float64Ops, s);
      const { cache } = s.layer.forward(float64Ops, params, x, s.ctx());
      const inSize = sizeOf(inPerSample(s.layer));
      const outSize = sizeOf(outPerSample(s.layer));
      const forwardAt = (data: Float64Array) =>
        s.layer.forward(float64Ops, params, new Float64Tensor(data, s.xShape), s.ctx()).out.data;
      // Repeated sample indices are allowed: each stack row stands on its own.
      for (const samples of [null, [2, 0, 2]]) {
        const rows = samples ?? Array.from({ length: N }, (_, i) => i);
        const m = 2;
        const stack = randomStack(m, rows.length, outPerSample(s.layer), 7);
        const v = new Float64Tensor(stack.data, stack.shape);
        const got = s.layer.jacTMatProd(float64Ops, params, cache, v, samples);
        expect(got.shape).toEqual([m, rows.length, ...inPerSample(s.layer)]);
        const expected = new Float64Array(got.size);
        rows.forEach((row, n) => {
          for (let j = 0; j < inSize; j++) {
            const plus = Float64Array.from(s.x);
            const minus = Float64Array.from(s.x);
            plus[row * inSize + j] += eps;
            minus[row * inSize + j] -= eps;
            const fp = forwardAt(plus);
            const fm = forwardAt(minus);
            for (let k = 0; k < m; k++) {
              let acc = 0;
              for (let o = 0; o < outSize; o++) {
                const dfdx = (fp[row * outSize + o] - fm[row * outSize + o]) / (2 * eps);
                acc += stack.data[(k * rows.length + n) * outSize + o] * dfdx;
              }
              expected[(k * rows.length + n) * inSize + j] = acc;
            }
          }
        });
        expect(
          relativeError(got.data, expected),
          `samples ${JSON.stringify(samples)}`,
        ).toBeLessThan(1e-7);
      }
    });
  }
});

describe('jacTMatProd input checks', () => {
  const s = makeSetup(
    layerCases.find((c) => c.spec.type === 'relu')!,
    N,
    1,
  );
  const { params, x } = tensorsOf(float64Ops, s);
  const { cache } = s.layer.forward(float64Ops, params, x, s.ctx());
  const stack = (n: number) => float64Ops.zeros([2, n, ...outPerSample(s.layer)]);

  it('asks for sample indices when the stack is smaller than the cached batch', () => {
    expect(() => s.layer.jacTMatProd(float64Ops, params, cache, stack(2), null)).toThrow(
      /relu\.jacTMatProd: the stack has 2 samples but the cached batch has 4; pass the sample indices/,
    );
  });

  it('rejects sample indices outside the cached batch, or of the wrong count', () => {
    expect(() => s.layer.jacTMatProd(float64Ops, params, cache, stack(2), [1, 4])).toThrow(
      /sample index 4 is outside the cached batch of 4/,
    );
    expect(() => s.layer.jacTMatProd(float64Ops, params, cache, stack(2), [1])).toThrow(
      /the stack has 2 samples but 1 sample indices were given/,
    );
  });

  it('rejects a stack of the wrong per-sample shape', () => {
    expect(() =>
      s.layer.jacTMatProd(float64Ops, params, cache, float64Ops.zeros([N, 3, 2, 4]), null),
    ).toThrow(/expected a stack \[M, N, 2, 4, 3\], got \[4, 3, 2, 4\]/);
  });
});
