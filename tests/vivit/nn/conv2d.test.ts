import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec, Padding, Pair } from '../../../src/protocol/definition';
import { batchToEngine, batchToTorch } from '../../../src/vivit/nn/layout';
import type { Ops } from '../../../src/vivit/tensor/ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { expectClose, randn, useCpuBackend } from '../helpers';
import {
  buildLayer,
  checkLayer,
  nchw,
  nhwc,
  toEngineParam,
  torchParams,
  type Reference,
} from './harness';

beforeAll(useCpuBackend);

/** PyTorch Conv2d through tf.conv2d: NCHW -> NHWC, weight [out,in,kh,kw] -> [kh,kw,in,out]. */
function convReference(stride: Pair, padding: Padding): Reference {
  return (x, [w, b]) => {
    const filter = tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D;
    let input = nhwc(x);
    let pad: 'same' | 'valid' = 'valid';
    if (padding === 'same') pad = 'same';
    else if (padding !== 'valid') {
      const [ph, pw] = Array.isArray(padding) ? padding : [padding, padding];
      input = tf.pad(input, [
        [0, 0],
        [ph, ph],
        [pw, pw],
        [0, 0],
      ]) as tf.Tensor4D;
    }
    const y = tf.conv2d(input, filter, stride, pad);
    return nchw(b ? tf.add(y, b) : y);
  };
}

function conv(
  inChannels: number,
  outChannels: number,
  kernel: Pair,
  stride: Pair,
  padding: Padding,
  bias = true,
): LayerSpec {
  return {
    type: 'conv2d',
    in_channels: inChannels,
    out_channels: outChannels,
    kernel_size: kernel,
    stride,
    padding,
    bias,
  };
}

const cases: { name: string; spec: LayerSpec; inShape: number[]; outShape: number[] }[] = [
  {
    name: '3x3 stride 1 padding 1',
    spec: conv(3, 4, 3, 1, 1),
    inShape: [3, 6, 5],
    outShape: [4, 6, 5],
  },
  {
    name: '3x3 stride 2 padding 1',
    spec: conv(2, 3, 3, 2, 1),
    inShape: [2, 7, 8],
    outShape: [3, 4, 4],
  },
  {
    name: '2x3 stride (2,1) padding (1,0)',
    spec: conv(2, 3, [2, 3], [2, 1], [1, 0]),
    inShape: [2, 6, 5],
    outShape: [3, 4, 3],
  },
  {
    name: "3x3 stride 2 'same' (asymmetric)",
    spec: conv(2, 2, 3, 2, 'same'),
    inShape: [2, 8, 7],
    outShape: [2, 4, 4],
  },
  {
    name: "4x4 stride 1 'same' (even kernel)",
    spec: conv(1, 3, 4, 1, 'same'),
    inShape: [1, 6, 6],
    outShape: [3, 6, 6],
  },
  {
    name: "3x3 'valid' without bias",
    spec: conv(3, 2, 3, 1, 'valid', false),
    inShape: [3, 5, 6],
    outShape: [2, 3, 4],
  },
  {
    name: '1x1 stride 2 on an odd size',
    spec: conv(3, 4, 1, 2, 0),
    inShape: [3, 5, 5],
    outShape: [4, 3, 3],
  },
];

describe('conv2d', () => {
  for (const c of cases) {
    const s = c.spec as Extract<LayerSpec, { type: 'conv2d' }>;
    it(`forward and backward: ${c.name}`, () => {
      checkLayer({ ...c, reference: convReference(s.stride, s.padding), n: 2 });
    });
  }

  it('backward without the fast weight-gradient path (unfold + matMul) agrees', () => {
    const plain: Ops<tf.Tensor> = { ...tfjsOps };
    delete plain.conv2dWeightGrad;
    expect(plain.conv2dWeightGrad).toBeUndefined();
    for (const c of cases.slice(0, 4)) {
      const s = c.spec as Extract<LayerSpec, { type: 'conv2d' }>;
      checkLayer({ ...c, reference: convReference(s.stride, s.padding) }, plain);
    }
  });

  it('matches a naive PyTorch-layout convolution loop (independent of tfjs conv layouts)', () => {
    const spec = conv(2, 3, [3, 2], [2, 1], [1, 1]);
    const layer = buildLayer(spec, [2, 5, 4]);
    const [w, b] = torchParams(layer, 3);
    const x = randn([2, 2, 5, 4], 4);
    const xv = x.arraySync() as number[][][][];
    const wv = w.arraySync() as number[][][][];
    const bv = b.arraySync() as number[];
    const [co, ci, kh, kw] = w.shape;
    const [, ho, wo] = layer.outShape;
    const expected: number[] = [];
    for (let n = 0; n < 2; n++)
      for (let o = 0; o < co; o++)
        for (let y = 0; y < ho; y++)
          for (let xx = 0; xx < wo; xx++) {
            let acc = bv[o];
            for (let i = 0; i < ci; i++)
              for (let dy = 0; dy < kh; dy++)
                for (let dx = 0; dx < kw; dx++) {
                  const r = y * 2 + dy - 1;
                  const col = xx * 1 + dx - 1;
                  if (r >= 0 && r < 5 && col >= 0 && col < 4)
                    acc += xv[n][i][r][col] * wv[o][i][dy][dx];
                }
            expected.push(acc);
          }
    const params = [w, b].map((t, i) => toEngineParam(layer, i, t));
    const { out } = layer.forward(tfjsOps, params, batchToEngine(tfjsOps, x), { training: false });
    expectClose(batchToTorch(tfjsOps, out).dataSync(), expected, 1e-5);
  });
});
