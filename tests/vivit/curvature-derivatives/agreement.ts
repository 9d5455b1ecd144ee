// The layer and loss derivatives on a tfjs backend agree with the float64 implementation that
// the other tests check against autodiff, finite differences and the brute-force oracle: the
// forward pass, the hand-written backward (input and parameter gradients), the Jacobian products
// of the curvature sweep and the loss factors. Run for every backend the app trains on (wasm,
// webgpu): it catches kernels that are missing or differ there. Reads go through `ops.read`,
// the only way GPU backends read back.
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src/protocol/definition';
import { lossModules } from '../../../src/vivit/loss/registry';
import { conv2dCurvature, conv2dGeometry } from '../../../src/vivit/nn/conv2d';
import type { ParamCurvature } from '../../../src/vivit/nn/layer';
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

const N = 4;
/** float32 against float64, relative to the largest entry. */
const TOL = 1e-4;
const place = { index: 0, source: 'of the input' };

/** Runs `fn` on a fresh forward and reads every returned tensor back. */
function run<T>(
  ops: Ops<T>,
  s: Setup,
  fn: (params: T[], cache: Record<string, T>, out: T) => T[],
): Promise<Float64Array[]> {
  const tensors = ops.tidy(() => {
    const params = s.params.map((p) => ops.fromArray(p.data, p.shape));
    const x = ops.fromArray(s.x, s.xShape);
    const { out, cache } = s.layer.forward(ops, params, x, s.ctx());
    return fn(params, cache, out);
  });
  return readAll(ops, tensors);
}

async function readAll<T>(ops: Ops<T>, tensors: T[]): Promise<Float64Array[]> {
  try {
    return await Promise.all(tensors.map(async (t) => Float64Array.from(await ops.read(t))));
  } finally {
    ops.dispose(tensors);
  }
}

async function expectAgree(
  singlePromise: Promise<Float64Array[]>,
  doublePromise: Promise<Float64Array[]>,
  what: string,
) {
  const [single, double] = await Promise.all([singlePromise, doublePromise]);
  expect(single.length).toBe(double.length);
  single.forEach((v, i) => expect(relativeError(v, double[i]), `${what} [${i}]`).toBeLessThan(TOL));
}

/** The agreement suite for the active tfjs backend (`backend` names it in the titles). */
export function backendAgreementSuite(backend: string): void {
  describe(`forward and backward on ${backend}`, () => {
    for (const c of layerCases) {
      it(c.name, async () => {
        const s = makeSetup(c, N, 17);
        const dy = randomValues(N * outPerSample(s.layer).reduce((a, b) => a * b, 1), 53);
        const both = <T>(ops: Ops<T>) =>
          run(ops, s, (params, cache, out) => {
            const { dx, dparams } = s.layer.backward(
              ops,
              params,
              cache,
              ops.fromArray(dy, ops.shape(out)),
              true,
            );
            return [out, ...(dx ? [dx] : []), ...dparams];
          });
        await await expectAgree(both(tfjsOps), both(float64Ops), 'forward/backward');
      });
    }
  });

  describe(`jacTMatProd on ${backend}`, () => {
    for (const c of layerCases) {
      it(c.name, async () => {
        const s = makeSetup(c, N, 23);
        const st = randomStack(2, 2, outPerSample(s.layer), 61);
        const both = <T>(ops: Ops<T>) =>
          run(ops, s, (params, cache) => [
            s.layer.jacTMatProd(ops, params, cache, ops.fromArray(st.data, st.shape), [3, 1]),
          ]);
        await expectAgree(both(tfjsOps), both(float64Ops), 'jacTMatProd');
      });
    }
  });

  describe(`parameter curvature on ${backend}`, () => {
    for (const c of [...linearCases, ...convCases]) {
      it(c.name, async () => {
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
          await expectAgree(both(tfjsOps), both(float64Ops), 'curvature');
        }
      });
    }
  });

  describe(`loss factors on ${backend}`, () => {
    for (const [name, loss] of Object.entries(lossModules)) {
      it(name, async () => {
        const logits = randomValues(5 * 3, 81, 1.5);
        const target =
          name === 'cross_entropy' ? Float64Array.from([2, 0, 1, 1, 0]) : randomValues(15, 82);
        const targetShape = name === 'cross_entropy' ? [5] : [5, 3];
        const both = <T>(ops: Ops<T>) => {
          const tensors = ops.tidy(() => {
            const z = ops.fromArray(logits, [5, 3]);
            const y = ops.fromArray(target, targetShape);
            // (The Monte-Carlo factor is drawn on the host in float64, ggn/factor.ts.)
            return [loss.perSampleGradient(ops, z, y), loss.sqrtHessian(ops, z, y)];
          });
          return readAll(ops, tensors);
        };
        await expectAgree(both(tfjsOps), both(float64Ops), name);
      });
    }
  });
}
