// Shared check of the float32 (tfjs) path against the float64 engine on the same case, at
// tolerances that float32 arithmetic supports. Used by the cpu- and wasm-backend test files.

import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import {
  computeCurvature,
  type CurvatureOptions,
  type CurvatureResult,
} from '../../../src/vivit/curvature';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { randomCase, tinyNetworks, type CurvatureCase } from '../../oracle';
import { caseModel, flat, relErr, separated } from './case-model';
import { liveTensorCount } from '../helpers';

export const FLOAT32_CASES = [
  'mlp-relu',
  'mlp-deep-nobias',
  'cnn-maxpool',
  'cnn-avgpool-padded',
].flatMap((name) => (['cross_entropy', 'mse'] as const).map((loss) => ({ name, loss })));

export interface Float32Errors {
  eigenvalues: number;
  gammas: number;
  lambdas: number;
  eigenvectors: number;
  newtonStep: number;
  gradient: number;
}

/** Runs one tiny-network case on tfjs (active backend) and on float64; relative errors.
 *  `eigensolver` 'device' solves the tfjs run's Gram matrices by the full device solver (and
 *  checks that it did). */
export async function compareFloat32(
  name: string,
  loss: 'cross_entropy' | 'mse',
  eigensolver: 'auto' | 'device' = 'auto',
  more: Partial<CurvatureOptions> = {},
): Promise<Float32Errors> {
  const net = tinyNetworks().find((n) => n.name === name)!;
  const c = randomCase({ model: net.model, inputShape: net.inputShape, N: 6, loss, seed: 4 });
  return compareCaseFloat32(c, { damping: 1, eigenvectorCount: 3, eigensolver, ...more });
}

/** Runs a curvature case on tfjs (active backend) and on float64; relative errors (0 for a
 *  quantity not asked for: by default all of them are). */
export async function compareCaseFloat32(
  c: CurvatureCase,
  caseOptions: Omit<CurvatureOptions, 'quantities'> & Partial<Pick<CurvatureOptions, 'quantities'>>,
  expectedRoute?: CurvatureResult['eigensolver'],
): Promise<Float32Errors> {
  const options: CurvatureOptions = {
    quantities: ['eigenvalues', 'eigenvectors', 'gammas', 'lambdas', 'newtonStep'],
    ...caseOptions,
    // float32 Gram matrices: roundoff-level eigenvalues are cut (docs/linalg.md).
    ...(caseOptions.eigRtol !== undefined && { eigRtol: Math.max(caseOptions.eigRtol, 1e-5) }),
  };
  const exact = caseModel(float64Ops, c);
  const ref = await computeCurvature(exact.model, exact.batch, { ...options, eigensolver: 'host' });
  const before = liveTensorCount();
  const f32 = caseModel(tfjsOps, c);
  const res = await computeCurvature(f32.model, f32.batch, options);
  tf.dispose([...f32.model.params, f32.batch.x, f32.batch.y]);
  const route = expectedRoute ?? (options.eigensolver === 'device' ? 'device' : undefined);
  if (route !== undefined) expect(res.eigensolver).toBe(route);
  // Every tensor the engine made is released.
  expect(liveTensorCount()).toBe(before);
  return errorsAgainst(res, ref);
}

function errorsAgainst(res: CurvatureResult, ref: CurvatureResult): Float32Errors {
  const g = res.groups[0];
  const r = ref.groups[0];
  const max = r.eigenvalues[0];
  // Directions that float32 resolves: eigenvalue ≥ 1e-3 λ_max and separated by ≥ 1e-2 λ_max.
  const sep = separated(Array.from(r.eigenvalues), 1e-2);
  const kept = Array.from(r.eigenvalues, (v, k) => v >= 1e-3 * max && sep[k]);
  const strong = Array.from(r.eigenvalues).filter((v) => v >= 1e-4 * max).length;
  expect(g.eigenvalues.length).toBeGreaterThanOrEqual(strong);
  const k32 = g.gammas!.cols;
  const columnsErr = (a: Float64Array, b: Float64Array, rows: number, kRef: number) => {
    let diff = 0;
    let scale = 0;
    for (let n = 0; n < rows; n++) {
      for (let k = 0; k < kRef; k++) {
        if (!kept[k]) continue;
        diff = Math.max(diff, Math.abs(a[n * k32 + k] - b[n * kRef + k]));
        scale = Math.max(scale, Math.abs(b[n * kRef + k]));
      }
    }
    return diff / scale;
  };
  const kRef = r.eigenvalues.length;
  let vecErr = 0;
  g.eigenvectors?.forEach((v, i) => {
    if (kept[v.index])
      vecErr = Math.max(vecErr, relErr(flat(v.parameters), flat(r.eigenvectors![i].parameters)));
  });
  return {
    eigenvalues: relErr(g.eigenvalues.subarray(0, strong), r.eigenvalues.subarray(0, strong)),
    gammas: columnsErr(g.gammas!.data, r.gammas!.data, r.gammas!.rows, kRef),
    lambdas: columnsErr(g.lambdas!.data, r.lambdas!.data, r.lambdas!.rows, kRef),
    eigenvectors: vecErr,
    newtonStep: res.newtonStep ? relErr(flat(res.newtonStep), flat(ref.newtonStep!)) : 0,
    gradient: relErr(flat(res.gradient), flat(ref.gradient)),
  };
}

/** Float32 tolerances (relative to the largest reference value of each quantity). */
export const FLOAT32_TOL: Float32Errors = {
  eigenvalues: 2e-6,
  gammas: 2e-5,
  lambdas: 2e-5,
  eigenvectors: 2e-5,
  newtonStep: 1e-4,
  gradient: 2e-6,
};
