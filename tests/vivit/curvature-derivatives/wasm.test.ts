// The curvature derivatives on tfjs's wasm backend (the one training uses) agree with the
// float64 implementation that the other tests check against autodiff, finite differences and
// the brute-force oracle. This catches wasm kernels that are missing (e.g. for 5-d transposes,
// batched products) or differ.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src/protocol/definition';
import { initWasmBackend } from '../../../src/vivit/backend-wasm';
import { lossModules } from '../../../src/vivit/loss/registry';
import { conv2dCurvature, conv2dGeometry } from '../../../src/vivit/nn/conv2d';
import type { ParamCurvature } from '../../../src/vivit/nn/layer';
import { Rng } from '../../../src/vivit/random';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import type { Ops } from '../../../src/vivit/tensor/ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import {
  convCases,
  layerCases,
  linearCases,
  makeSetup,
  outPerSample,
  randomStack,
  randomValues,
  relativeError,
  type Setup,
} from './setup';

beforeAll(initWasmBackend);

it('runs on the wasm backend', () => expect(tf.getBackend()).toBe('wasm'));

const N = 4;
const TOL = 1e-4;
const place = { index: 0, source: 'of the input' };

/** Runs `fn` on a fresh forward and reads every returned tensor back. */
function run<T>(ops: Ops<T>, s: Setup, fn: (params: T[], cache: Record<string, T>) => T[]) {
  const tensors = ops.tidy(() => {
    const params = s.params.map((p) => ops.fromArray(p.data, p.shape));
    const x = ops.fromArray(s.x, s.xShape);
    const { cache } = s.layer.forward(ops, params, x, s.ctx());
    return fn(params, cache);
  });
  const values = tensors.map((t) => Float64Array.from(ops.toArray(t)));
  ops.dispose(tensors);
  return values;
}

function expectAgree(single: Float64Array[], double: Float64Array[], what: string) {
  expect(single.length).toBe(double.length);
  single.forEach((v, i) => expect(relativeError(v, double[i]), `${what} [${i}]`).toBeLessThan(TOL));
}

describe('batched matMul on wasm (split into single products above a size)', () => {
  for (const { name, a, b, ta, tb } of [
    { name: 'large batch entries', a: [3, 70, 60], b: [3, 60, 80], ta: false, tb: false },
    { name: 'rank 4, transposed A', a: [2, 2, 60, 70], b: [2, 2, 60, 80], ta: true, tb: false },
    { name: 'transposed B', a: [3, 70, 60], b: [3, 80, 60], ta: false, tb: true },
    { name: 'small entries (kernel loop)', a: [5, 4, 3], b: [5, 3, 6], ta: false, tb: false },
  ]) {
    it(name, () => {
      const da = randomValues(
        a.reduce((x, y) => x * y, 1),
        91,
      );
      const db = randomValues(
        b.reduce((x, y) => x * y, 1),
        92,
      );
      const both = <T>(ops: Ops<T>) => {
        const t = ops.tidy(() => ops.matMul(ops.fromArray(da, a), ops.fromArray(db, b), ta, tb));
        const shape = ops.shape(t);
        const values = Float64Array.from(ops.toArray(t));
        ops.dispose(t);
        return { shape, values };
      };
      const single = both(tfjsOps);
      const double = both(float64Ops);
      expect(single.shape).toEqual(double.shape);
      expect(relativeError(single.values, double.values)).toBeLessThan(1e-5);
    });
  }
});

describe('jacTMatProd on wasm', () => {
  for (const c of layerCases) {
    it(c.name, () => {
      const s = makeSetup(c, N, 23);
      const st = randomStack(2, 2, outPerSample(s.layer), 61);
      const both = <T>(ops: Ops<T>) =>
        run(ops, s, (params, cache) => [
          s.layer.jacTMatProd(ops, params, cache, ops.fromArray(st.data, st.shape), [3, 1]),
        ]);
      expectAgree(both(tfjsOps), both(float64Ops), 'jacTMatProd');
    });
  }
});

describe('parameter curvature on wasm', () => {
  for (const c of [...linearCases, ...convCases]) {
    it(c.name, () => {
      const s = makeSetup(c, N, 29);
      const out = outPerSample(s.layer);
      const sa = randomStack(3, 2, out, 71);
      const sb = randomStack(2, N, out, 72);
      const coeff = randomValues(4 * 6, 73);
      const curvatures: ParamCurvature[] = [s.layer.curvature!];
      if (c.spec.type === 'conv2d') {
        const g = conv2dGeometry(
          c.spec as Extract<LayerSpec, { type: 'conv2d' }>,
          c.inShape,
          place,
        );
        curvatures.push(
          conv2dCurvature(g, { gram: 'expand' }),
          conv2dCurvature(g, { gram: 'patches', patchChunkElements: 1 }),
        );
      }
      for (const curvature of curvatures) {
        const both = <T>(ops: Ops<T>) =>
          run(ops, s, (params, cache) => {
            const a = ops.fromArray(sa.data, sa.shape);
            const b = ops.fromArray(sb.data, sb.shape);
            return [
              ...curvature.paramJacTMatProd(ops, params, cache, a, [2, 0]),
              ...curvature.gram(ops, params, cache, a, [2, 0], b, null),
              ...curvature.gram(ops, params, cache, b, null, b, null),
              ...curvature.apply(ops, params, cache, a, [2, 0], ops.fromArray(coeff, [4, 6])),
            ];
          });
        expectAgree(both(tfjsOps), both(float64Ops), 'curvature');
      }
    });
  }
});

describe('loss factors on wasm', () => {
  for (const [name, loss] of Object.entries(lossModules)) {
    it(name, () => {
      const logits = randomValues(5 * 3, 81, 1.5);
      const target =
        name === 'cross_entropy' ? Float64Array.from([2, 0, 1, 1, 0]) : randomValues(15, 82);
      const targetShape = name === 'cross_entropy' ? [5] : [5, 3];
      const both = <T>(ops: Ops<T>) => {
        const tensors = ops.tidy(() => {
          const z = ops.fromArray(logits, [5, 3]);
          const y = ops.fromArray(target, targetShape);
          return [
            loss.perSampleGradient(ops, z, y),
            loss.sqrtHessian(ops, z, y),
            loss.sqrtHessianSampled(ops, z, y, 4, new Rng(2, 'mc')),
          ];
        });
        const values = tensors.map((t) => Float64Array.from(ops.toArray(t)));
        ops.dispose(tensors);
        return values;
      };
      expectAgree(both(tfjsOps), both(float64Ops), name);
    });
  }
});
