// The float32 path on tfjs's WebGPU backend (dawn.node) against the float64 engine: the tiny
// networks of float32.ts and the two shared example cases (whose float64 results match an
// independent implementation of the paper to 1e-8, examples.test.ts). Without a GPU this runs
// on Mesa's llvmpipe through OpenGL ES; every kernel runs as on a GPU, only slower.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { initWebGpuBackend } from '../../../src/vivit/backend-webgpu';
import type { CurvatureCase } from '../../oracle';
import { caseOptions } from './case-model';
import {
  compareCaseFloat32,
  compareFloat32,
  FLOAT32_CASES,
  FLOAT32_TOL,
  type Float32Errors,
} from './float32';

const dir = fileURLToPath(new URL('../../fixtures/curvature-cases/', import.meta.url));

const seen: Float32Errors[] = [];
beforeAll(async () => {
  await initWebGpuBackend({ allowSoftware: true });
}, 120_000);
afterAll(async () => {
  const worst = Object.fromEntries(
    Object.keys(FLOAT32_TOL).map((k) => [
      k,
      Math.max(...seen.map((e) => e[k as keyof Float32Errors])).toExponential(1),
    ]),
  );
  console.info('float32 (webgpu) vs float64, max relative errors:', worst);
  await tf.setBackend('cpu');
});

function expectWithin(errors: Float32Errors): void {
  seen.push(errors);
  for (const [q, err] of Object.entries(errors)) {
    expect(err, `${q}: ${err}`).toBeLessThan(FLOAT32_TOL[q as keyof Float32Errors]);
  }
}

test('runs on the webgpu backend', () => expect(tf.getBackend()).toBe('webgpu'));

test.each(FLOAT32_CASES)('$name, $loss', async ({ name, loss }) => {
  expectWithin(await compareFloat32(name, loss));
});

test.each(['a_mlp_sigmoid_mse', 'b_mlp_relu_ce'])('shared example %s', async (name) => {
  const c = JSON.parse(readFileSync(`${dir}${name}.case.json`, 'utf8')) as CurvatureCase;
  expectWithin(await compareCaseFloat32(c, caseOptions(c)));
});
