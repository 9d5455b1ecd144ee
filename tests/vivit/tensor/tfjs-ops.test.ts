// tfjs-ops against independent oracles on the cpu backend: tfjs's own kernels and autodiff
// (tf.grad of the same forward op) and naive loops written here.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tfjsOps as ops } from '../../../src/vivit/tensor/tfjs-ops';
import type { Window2d } from '../../../src/vivit/tensor/ops';
import { expectClose, randn, useCpuBackend } from '../helpers';

beforeAll(useCpuBackend);

interface Case {
  name: string;
  input: [number, number, number, number]; // N,H,W,C
  win: Window2d;
}

const convCases: Case[] = [
  {
    name: '3x3 s1 p1',
    input: [2, 6, 5, 3],
    win: { kernel: [3, 3], stride: [1, 1], pad: [1, 1, 1, 1] },
  },
  {
    name: '3x3 s2 p1',
    input: [2, 7, 8, 2],
    win: { kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1] },
  },
  {
    name: '2x3 s(2,1) asym pad',
    input: [1, 6, 5, 2],
    win: { kernel: [2, 3], stride: [2, 1], pad: [0, 1, 1, 0] },
  },
  {
    name: '3x3 s2 valid, unused tail',
    input: [2, 8, 7, 1],
    win: { kernel: [3, 3], stride: [2, 2], pad: [0, 0, 0, 0] },
  },
  {
    name: '1x1 s2 on odd size',
    input: [2, 5, 5, 3],
    win: { kernel: [1, 1], stride: [2, 2], pad: [0, 0, 0, 0] },
  },
  {
    name: '2x2 s3 pad beyond kernel',
    input: [1, 4, 5, 2],
    win: { kernel: [2, 2], stride: [3, 3], pad: [2, 2, 2, 1] },
  },
  {
    name: "'same' 4x4 s2 (0,1 pads)",
    input: [2, 6, 6, 2],
    win: { kernel: [4, 4], stride: [2, 2], pad: [1, 1, 1, 1] },
  },
];

const poolCases: Case[] = [
  {
    name: '2x2 s2',
    input: [2, 6, 6, 3],
    win: { kernel: [2, 2], stride: [2, 2], pad: [0, 0, 0, 0] },
  },
  {
    name: '3x3 s2 p1 (overlapping)',
    input: [2, 7, 6, 2],
    win: { kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1] },
  },
  {
    name: '3x3 s1 p1 (overlapping)',
    input: [1, 5, 5, 2],
    win: { kernel: [3, 3], stride: [1, 1], pad: [1, 1, 1, 1] },
  },
  {
    name: '3x2 s(2,1) asym',
    input: [2, 6, 5, 2],
    win: { kernel: [3, 2], stride: [2, 1], pad: [1, 1, 0, 1] },
  },
  {
    name: '3x3 s3 unused tail',
    input: [1, 8, 7, 3],
    win: { kernel: [3, 3], stride: [3, 3], pad: [0, 0, 0, 0] },
  },
];

function padded(x: tf.Tensor, win: Window2d, value: number): tf.Tensor4D {
  const [t, b, l, r] = win.pad;
  return tf.pad(
    x,
    [
      [0, 0],
      [t, b],
      [l, r],
      [0, 0],
    ],
    value,
  ) as tf.Tensor4D;
}

function outHW(c: Case): [number, number] {
  const [, h, w] = c.input;
  const { kernel, stride, pad } = c.win;
  return [
    Math.floor((h + pad[0] + pad[1] - kernel[0]) / stride[0]) + 1,
    Math.floor((w + pad[2] + pad[3] - kernel[1]) / stride[1]) + 1,
  ];
}

describe('tfjs-ops convolution', () => {
  // conv2dWeightGrad takes im2col + matMul when kh*kw*Cin <= Cout and a swapped-axes
  // convolution otherwise: both routes are exercised.
  for (const c of convCases) {
    for (const route of ['swapped conv', 'im2col'] as const) {
      const cout = route === 'im2col' ? c.win.kernel[0] * c.win.kernel[1] * c.input[3] : 2;
      it(`conv2d, input and weight gradients (${route}): ${c.name}`, () => {
        const x = randn(c.input, 1);
        const w = randn([...c.win.kernel, c.input[3], cout], 2);
        const [ho, wo] = outHW(c);
        const dy = randn([c.input[0], ho, wo, cout], 3);
        const reference = (xx: tf.Tensor, ww: tf.Tensor) =>
          tf.conv2d(padded(xx, c.win, 0), ww as tf.Tensor4D, c.win.stride, 'valid');

        expectClose(ops.conv2d(x, w, c.win), reference(x, w));
        const [gx, gw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
          tf.sum(tf.mul(reference(xx, ww), dy)),
        )([x, w]);
        expectClose(ops.conv2dInputGrad(dy, w, c.input, c.win), gx);
        expectClose(ops.conv2dWeightGrad!(x, dy, c.win), gw);
        // The unfold + matMul route gives the same weight gradient.
        const u = ops.reshape(ops.unfold(x, c.win), [c.input[0] * ho * wo, -1]);
        const viaUnfold = ops.matMul(u, ops.reshape(dy, [-1, cout]), true, false);
        expectClose(ops.reshape(viaUnfold, gw.shape), gw);
      });
    }
  }

  it('unfold matches a naive im2col with (kh, kw, C) ordering', () => {
    const c = convCases[2];
    const x = randn(c.input, 4);
    const [n, h, w, ch] = c.input;
    const [kh, kw] = c.win.kernel;
    const [sh, sw] = c.win.stride;
    const [pt, , pl] = c.win.pad;
    const [ho, wo] = outHW(c);
    const xv = x.dataSync();
    const expected = new Float32Array(n * ho * wo * kh * kw * ch);
    let k = 0;
    for (let b = 0; b < n; b++)
      for (let oy = 0; oy < ho; oy++)
        for (let ox = 0; ox < wo; ox++)
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++)
              for (let cc = 0; cc < ch; cc++) {
                const y = oy * sh + i - pt;
                const xx = ox * sw + j - pl;
                const inside = y >= 0 && y < h && xx >= 0 && xx < w;
                expected[k++] = inside ? xv[((b * h + y) * w + xx) * ch + cc] : 0;
              }
    const u = ops.unfold(x, c.win);
    expect(u.shape).toEqual([n, ho * wo, kh * kw * ch]);
    expectClose(u.dataSync(), expected, 1e-7);
  });
});

/** Naive max pooling with -inf padding: the first maximum in row-major window order. */
function naiveArgmax(x: tf.Tensor, c: Case): Float32Array {
  const [n, h, w, ch] = c.input;
  const [kh, kw] = c.win.kernel;
  const [sh, sw] = c.win.stride;
  const [pt, , pl] = c.win.pad;
  const [ho, wo] = outHW(c);
  const xv = x.dataSync();
  const out = new Float32Array(n * ho * wo * ch);
  let k = 0;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let cc = 0; cc < ch; cc++) {
          let best = -Infinity;
          let arg = -1;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const y = oy * sh + i - pt;
              const xx = ox * sw + j - pl;
              if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
              const v = xv[((b * h + y) * w + xx) * ch + cc];
              if (v > best) {
                best = v;
                arg = y * w + xx;
              }
            }
          out[k++] = arg;
        }
  return out;
}

describe('tfjs-ops pooling', () => {
  for (const c of poolCases) {
    it(`maxPool, argmax and input gradient: ${c.name}`, () => {
      const x = randn(c.input, 5);
      const [ho, wo] = outHW(c);
      const dy = randn([c.input[0], ho, wo, c.input[3]], 6);
      const reference = (xx: tf.Tensor) =>
        tf.maxPool(padded(xx, c.win, -Infinity), c.win.kernel, c.win.stride, 'valid');
      const { out, argmax } = ops.maxPool(x, c.win);
      expectClose(out, reference(x));
      expect(Array.from(argmax.dataSync())).toEqual(Array.from(naiveArgmax(x, c)));
      const gx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(reference(xx), dy)))(x);
      expectClose(ops.maxPoolInputGrad(dy, argmax, c.input), gx);
    });

    it(`avgPool (padding counted) and input gradient: ${c.name}`, () => {
      const x = randn(c.input, 7);
      const [ho, wo] = outHW(c);
      const dy = randn([c.input[0], ho, wo, c.input[3]], 8);
      const reference = (xx: tf.Tensor) =>
        tf.avgPool(padded(xx, c.win, 0), c.win.kernel, c.win.stride, 'valid');
      expectClose(ops.avgPool(x, c.win), reference(x));
      const gx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(reference(xx), dy)))(x);
      expectClose(ops.avgPoolInputGrad(dy, c.input, c.win), gx);
    });
  }

  it('maxPoolInputGrad adds up where overlapping windows pick the same element', () => {
    // A single large value in the middle wins all four overlapping 2x2 windows (stride 1).
    const x = tf.tensor4d([0, 0, 0, 0, 9, 0, 0, 0, 0], [1, 3, 3, 1]);
    const win: Window2d = { kernel: [2, 2], stride: [1, 1], pad: [0, 0, 0, 0] };
    const { argmax } = ops.maxPool(x, win);
    expect(Array.from(argmax.dataSync())).toEqual([4, 4, 4, 4]);
    const dx = ops.maxPoolInputGrad(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), argmax, [1, 3, 3, 1]);
    expect(Array.from(dx.dataSync())).toEqual([0, 0, 0, 0, 10, 0, 0, 0, 0]);
  });
});

describe('tfjs-ops dense helpers', () => {
  it('matMul with transpose flags equals tf.matMul', () => {
    const a = randn([5, 3], 9);
    const b = randn([5, 4], 10);
    expectClose(ops.matMul(a, b, true, false), tf.matMul(a, b, true, false));
    expectClose(ops.matMul(b, a, true, false), tf.matMul(b, a, true, false));
    const c = randn([4, 3], 11);
    expectClose(ops.matMul(c, a, false, true), tf.matMul(c, a, false, true));
    expectClose(ops.matMul(a, b, true, false), tf.transpose(tf.matMul(b, a, true, false)));
  });

  it('softmax along a non-last axis normalizes that axis', () => {
    const a = randn([3, 4], 12);
    const s = ops.softmax(a, 0);
    expectClose(s, tf.transpose(tf.softmax(tf.transpose(a))));
    expectClose(tf.sum(s, 0), tf.ones([4]));
  });

  it('stepMask is strict and where selects by a float mask', () => {
    const a = tf.tensor1d([-1, 0, 0.5, 2]);
    expect(Array.from(ops.stepMask(a, 0).dataSync())).toEqual([0, 0, 1, 1]);
    expect(Array.from(ops.stepMask(a, 0.5).dataSync())).toEqual([0, 0, 0, 1]);
    const w = ops.where(ops.stepMask(a, 0), a, tf.scalar(-7));
    expect(Array.from(w.dataSync())).toEqual([-7, -7, 0.5, 2]);
  });

  it('toArray copies and item reads scalars', () => {
    const t = tf.tensor1d([1, 2, 3]);
    const arr = ops.toArray(t);
    arr[0] = 100;
    expect(t.dataSync()[0]).toBe(1);
    expect(ops.item(tf.scalar(4.5))).toBe(4.5);
    expect(() => ops.item(t)).toThrow(/not a scalar/);
  });
});
