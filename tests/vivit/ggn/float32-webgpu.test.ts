// The float32 path on tfjs's WebGPU backend (dawn.node) against the float64 engine: the tiny
// networks of float32.ts and the two shared example cases (whose float64 results match an
// independent implementation of the paper to 1e-8, examples.test.ts). Without a GPU this runs
// on Mesa's llvmpipe through OpenGL ES; every kernel runs as on a GPU, only slower.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { initWebGpuBackend } from '../../../src/vivit/backend-webgpu';
import { randomCase, tinyNetworks, type CurvatureCase } from '../../oracle';
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

// The same comparisons with the Gram eigenproblems solved by the full device eigensolver
// (GPU tridiagonalization, host tridiagonal solve, GPU back-transformation) instead of a
// float64 solve of the read-back Gram matrix: same tolerances.
test.each(FLOAT32_CASES)('device eigensolver: $name, $loss', async ({ name, loss }) => {
  expectWithin(await compareFloat32(name, loss, 'device'));
});

test.each(['a_mlp_sigmoid_mse', 'b_mlp_relu_ce'])(
  'device eigensolver: shared example %s',
  async (name) => {
    const c = JSON.parse(readFileSync(`${dir}${name}.case.json`, 'utf8')) as CurvatureCase;
    expectWithin(await compareCaseFloat32(c, { ...caseOptions(c), eigensolver: 'device' }));
  },
);

// γ and λ alone with gradient signs: the device solver's vectors never come to the host (γ's
// product and λ's block sums are formed on the device and read together).
test.each(FLOAT32_CASES)(
  'device eigensolver, vectors kept on the device: $name, $loss',
  async ({ name, loss }) => {
    expectWithin(
      await compareFloat32(name, loss, 'device', {
        quantities: ['eigenvalues', 'gammas', 'lambdas'],
        signs: 'gradient',
      }),
    );
  },
);

test("'auto' solves a Gram matrix of n ≥ 256 on the device, a smaller one on the host", async () => {
  const net = tinyNetworks().find((n) => n.name === 'mlp-relu')!;
  // MSE on 3 outputs: n = 3N. At N = 90 the Gram matrix (270², rank ≤ D = 43) goes to the
  // device; its nontrivial part must still match float64.
  const large = randomCase({
    model: net.model,
    inputShape: net.inputShape,
    N: 90,
    loss: 'mse',
    seed: 5,
  });
  const errors = await compareCaseFloat32(large, { damping: 1, eigenvectorCount: 3 }, 'device');
  expectWithin(errors);
  const small = randomCase({
    model: net.model,
    inputShape: net.inputShape,
    N: 20,
    loss: 'mse',
    seed: 5,
  });
  expectWithin(await compareCaseFloat32(small, { damping: 1, eigenvectorCount: 3 }, 'host'));
}, 300_000);
