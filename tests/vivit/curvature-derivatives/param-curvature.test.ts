// The parameterized layers' curvature products (linear, conv2d):
//  - paramJacTMatProd (V's blocks) against tf.grad of the layer forward on one sample, per
//    sample and per vector (tfjs cpu, float32);
//  - gram against V formed explicitly from those blocks and multiplied (float64), per
//    parameter, with different stacks, sample subsets and vector counts on the two sides,
//    and for conv2d each Gram route forced (and the 'patches' route chunked);
//  - apply against Σ_i c_i V_i formed explicitly (float64);
//  - the tfjs (float32) implementations of gram and apply against the float64 ones.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src/protocol/definition';
import {
  conv2dCurvature,
  conv2dGeometry,
  conv2dGramCost,
  type ConvCurvatureOptions,
} from '../../../src/vivit/nn/conv2d';
import type { ParamCurvature } from '../../../src/vivit/nn/layer';
import { Float64Tensor, float64Ops } from '../../../src/vivit/tensor/float64-ops';
import type { Ops } from '../../../src/vivit/tensor/ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { useCpuBackend } from '../helpers';
import {
  convCases,
  linearCases,
  makeSetup,
  outPerSample,
  randomStack,
  randomValues,
  relativeError,
  tensorsOf,
  type LayerCase,
  type Setup,
} from './setup';

beforeAll(useCpuBackend);

const N = 4;
const place = { index: 0, source: 'of the input' };

type Conv2dSpec = Extract<LayerSpec, { type: 'conv2d' }>;

/** The layer's own curvature, plus for conv2d every Gram route forced. */
function variants(c: LayerCase, s: Setup): { name: string; curvature: ParamCurvature }[] {
  const own = { name: 'layer', curvature: s.layer.curvature! };
  if (c.spec.type !== 'conv2d') return [own];
  const g = conv2dGeometry(c.spec as Conv2dSpec, c.inShape, place);
  const forced = (name: string, o: ConvCurvatureOptions) => ({
    name,
    curvature: conv2dCurvature(g, o),
  });
  return [
    own,
    forced('expand', { gram: 'expand' }),
    forced('patches', { gram: 'patches' }),
    // One b-sample per chunk: the chunked path with its concatenation.
    forced('patches, chunked', { gram: 'patches', patchChunkElements: 1 }),
  ];
}

/** Explicit Gram of two sets of V blocks [M, N, ...] (one parameter): rows n·Ma + m. */
function explicitGram(va: Float64Tensor, vb: Float64Tensor): Float64Array {
  const [ma, na] = va.shape;
  const [mb, nb] = vb.shape;
  const size = va.size / (ma * na);
  const g = new Float64Array(na * ma * nb * mb);
  for (let n = 0; n < na; n++) {
    for (let m = 0; m < ma; m++) {
      const a = (m * na + n) * size;
      for (let n2 = 0; n2 < nb; n2++) {
        for (let m2 = 0; m2 < mb; m2++) {
          const b = (m2 * nb + n2) * size;
          let acc = 0;
          for (let k = 0; k < size; k++) acc += va.data[a + k] * vb.data[b + k];
          g[(n * ma + m) * nb * mb + n2 * mb + m2] = acc;
        }
      }
    }
  }
  return g;
}

/** Σ_i coeff[k, i] V_i for V blocks [M, N, ...]: [K, ...]. */
function explicitApply(v: Float64Tensor, coeff: Float64Array, k: number): Float64Array {
  const [m, n] = v.shape;
  const size = v.size / (m * n);
  const out = new Float64Array(k * size);
  for (let kk = 0; kk < k; kk++) {
    for (let nn = 0; nn < n; nn++) {
      for (let mm = 0; mm < m; mm++) {
        const c = coeff[kk * n * m + nn * m + mm];
        const base = (mm * n + nn) * size;
        for (let j = 0; j < size; j++) out[kk * size + j] += c * v.data[base + j];
      }
    }
  }
  return out;
}

const curvedCases = [...linearCases, ...convCases];

/** Pairs of stacks the Gram is asked for: the S-stack with itself, two different stacks over
 *  different sub-samples and vector counts, and an S-stack against a one-vector stack. */
const gramPairs: {
  name: string;
  ma: number;
  samplesA: number[] | null;
  mb: number;
  samplesB: number[] | null;
  same: boolean;
}[] = [
  { name: 'a = b, all samples, M = 2', ma: 2, samplesA: null, mb: 2, samplesB: null, same: true },
  {
    name: 'Ma = 2 on [3, 0], Mb = 3 on [1, 2, 0]',
    ma: 2,
    samplesA: [3, 0],
    mb: 3,
    samplesB: [1, 2, 0],
    same: false,
  },
  { name: 'Ma = 3 all, Mb = 1 all', ma: 3, samplesA: null, mb: 1, samplesB: null, same: false },
  {
    name: 'a = b on [2, 1, 2]',
    ma: 1,
    samplesA: [2, 1, 2],
    mb: 1,
    samplesB: [2, 1, 2],
    same: true,
  },
];

describe('paramJacTMatProd against tf.grad per sample and vector (tfjs, float32)', () => {
  for (const c of curvedCases) {
    it(c.name, () => {
      const s = makeSetup(c, N, 11);
      for (const samples of [null, [3, 1]]) {
        tf.tidy(() => {
          const rows = samples ?? [0, 1, 2, 3];
          const m = 2;
          const { params, x } = tensorsOf(tfjsOps, s);
          const { cache } = s.layer.forward(tfjsOps, params, x, s.ctx());
          const stack = randomStack(m, rows.length, outPerSample(s.layer), 21);
          const a = tfjsOps.fromArray(stack.data, stack.shape);
          const blocks = s.layer.curvature!.paramJacTMatProd(tfjsOps, params, cache, a, samples);
          expect(blocks.length).toBe(s.layer.params.length);
          blocks.forEach((b, i) =>
            expect(b.shape).toEqual([m, rows.length, ...s.layer.params[i].shape]),
          );
          rows.forEach((row, n) => {
            const xn = tf.slice(x, [row], [1]);
            for (let k = 0; k < m; k++) {
              const akn = tf.slice(a, [k, n], [1, 1]);
              const grads = tf.grads((...ps: tf.Tensor[]) => {
                const out = s.layer.forward(tfjsOps, ps, xn, s.ctx()).out;
                return tf.sum(tf.mul(out, tf.reshape(akn, out.shape)));
              })(params);
              grads.forEach((g, i) => {
                const got = tf.slice(blocks[i], [k, n], [1, 1]);
                const err = relativeError(got.dataSync(), g.dataSync());
                expect(err, `param ${i}, vector ${k}, sample ${row}`).toBeLessThan(1e-5);
              });
            }
          });
        });
      }
    });
  }
});

describe('gram against forming V and multiplying (float64)', () => {
  for (const c of curvedCases) {
    it(c.name, () => {
      const s = makeSetup(c, N, 13);
      const { params, x } = tensorsOf(float64Ops, s);
      const { cache } = s.layer.forward(float64Ops, params, x, s.ctx());
      const out = outPerSample(s.layer);
      const own = s.layer.curvature!;
      for (const pair of gramPairs) {
        const na = pair.samplesA?.length ?? N;
        const nb = pair.samplesB?.length ?? N;
        const sa = randomStack(pair.ma, na, out, 31);
        const a = new Float64Tensor(sa.data, sa.shape);
        const b = pair.same
          ? a
          : new Float64Tensor(randomStack(pair.mb, nb, out, 32).data, [pair.mb, nb, ...out]);
        const va = own.paramJacTMatProd(float64Ops, params, cache, a, pair.samplesA);
        const vb = own.paramJacTMatProd(float64Ops, params, cache, b, pair.samplesB);
        for (const variant of variants(c, s)) {
          const grams = variant.curvature.gram(
            float64Ops,
            params,
            cache,
            a,
            pair.samplesA,
            b,
            pair.samplesB,
          );
          expect(grams.length).toBe(s.layer.params.length);
          grams.forEach((g, i) => {
            expect(g.shape).toEqual([na * pair.ma, nb * pair.mb]);
            const err = relativeError(g.data, explicitGram(va[i], vb[i]));
            expect(err, `${variant.name}, ${pair.name}, param ${i}`).toBeLessThan(1e-12);
          });
        }
      }
    });
  }
});

describe('apply against Σ_i c_i V_i formed explicitly (float64)', () => {
  for (const c of curvedCases) {
    it(c.name, () => {
      const s = makeSetup(c, N, 17);
      const { params, x } = tensorsOf(float64Ops, s);
      const { cache } = s.layer.forward(float64Ops, params, x, s.ctx());
      const curvature = s.layer.curvature!;
      for (const { m, samples } of [
        { m: 2, samples: [2, 0, 3] },
        { m: 1, samples: null },
        { m: 3, samples: null },
      ]) {
        const n = samples?.length ?? N;
        const st = randomStack(m, n, outPerSample(s.layer), 41);
        const a = new Float64Tensor(st.data, st.shape);
        const k = 3;
        const coeff = randomValues(k * n * m, 43);
        const got = curvature.apply(
          float64Ops,
          params,
          cache,
          a,
          samples,
          new Float64Tensor(coeff, [k, n * m]),
        );
        const v = curvature.paramJacTMatProd(float64Ops, params, cache, a, samples);
        got.forEach((g, i) => {
          expect(g.shape).toEqual([k, ...s.layer.params[i].shape]);
          const err = relativeError(g.data, explicitApply(v[i], coeff, k));
          expect(err, `M=${m}, samples ${JSON.stringify(samples)}, param ${i}`).toBeLessThan(1e-12);
        });
      }
    });
  }

  it('rejects coefficients that do not match the stack', () => {
    const s = makeSetup(linearCases[0], N, 1);
    const { params, x } = tensorsOf(float64Ops, s);
    const { cache } = s.layer.forward(float64Ops, params, x, s.ctx());
    const a = float64Ops.zeros([2, N, 4]);
    expect(() =>
      s.layer.curvature!.apply(float64Ops, params, cache, a, null, float64Ops.zeros([3, 7])),
    ).toThrow(/linear\.apply: coefficients must be \[K, 8\].*got \[3, 7\]/);
  });
});

describe('tfjs (float32) gram and apply agree with float64', () => {
  for (const c of curvedCases) {
    it(c.name, () => {
      const s = makeSetup(c, N, 19);
      const out = outPerSample(s.layer);
      const sa = randomStack(2, 3, out, 51);
      const sb = randomStack(3, N, out, 52);
      const coeff = randomValues(2 * 6, 53);
      const run = <T>(ops: Ops<T>, curvature: ParamCurvature) => {
        const count = s.layer.params.length;
        const tensors = ops.tidy(() => {
          const { params, x } = tensorsOf(ops, s);
          const { cache } = s.layer.forward(ops, params, x, s.ctx());
          const a = ops.fromArray(sa.data, sa.shape);
          const b = ops.fromArray(sb.data, sb.shape);
          const c2 = ops.fromArray(coeff, [2, 6]);
          return [
            ...curvature.gram(ops, params, cache, a, [3, 1, 2], b, null),
            ...curvature.apply(ops, params, cache, a, [3, 1, 2], c2),
          ];
        });
        const values = tensors.map((t) => Float64Array.from(ops.toArray(t)));
        ops.dispose(tensors);
        return { grams: values.slice(0, count), applied: values.slice(count) };
      };
      for (const variant of variants(c, s)) {
        const single = run(tfjsOps, variant.curvature);
        const double = run(float64Ops, variant.curvature);
        single.grams.forEach((g, i) =>
          expect(relativeError(g, double.grams[i]), `${variant.name} gram ${i}`).toBeLessThan(1e-5),
        );
        single.applied.forEach((g, i) =>
          expect(relativeError(g, double.applied[i]), `${variant.name} apply ${i}`).toBeLessThan(
            1e-5,
          ),
        );
      }
    });
  }
});

describe('conv2d Gram route choice', () => {
  it('expands V when the output has many positions, uses patches when it has few', () => {
    const early = conv2dGeometry(convCases[0].spec as Conv2dSpec, convCases[0].inShape, place);
    const oneSpot = conv2dGeometry(convCases[3].spec as Conv2dSpec, convCases[3].inShape, place);
    const costEarly = conv2dGramCost(early, 8, 4, 8, 4, true);
    const costOne = conv2dGramCost(oneSpot, 8, 4, 8, 4, true);
    expect(costEarly.expand).toBeLessThan(costEarly.patches);
    expect(costOne.patches).toBeLessThan(costOne.expand);
    // A 3x3 conv of a 28x28 image, 1 -> 16 channels, N = 128, M = 10: expand by far.
    const mnist = conv2dGeometry(
      {
        type: 'conv2d',
        in_channels: 1,
        out_channels: 16,
        kernel_size: 3,
        stride: 1,
        padding: 1,
        bias: true,
      },
      [1, 28, 28],
      place,
    );
    const c = conv2dGramCost(mnist, 128, 10, 128, 10, true);
    expect(c.patches / c.expand).toBeGreaterThan(100);
  });
});
