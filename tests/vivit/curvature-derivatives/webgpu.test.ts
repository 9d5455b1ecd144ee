// The curvature derivatives on tfjs's WebGPU backend (dawn.node) against float64
// (agreement.ts). Without a GPU this runs on Mesa's llvmpipe through OpenGL ES, the software
// adapter .ci/run installs: slow, but every kernel runs as on a real GPU.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initWebGpuBackend } from '../../../src/vivit/backend-webgpu';
import { backendAgreementSuite } from './agreement';

beforeAll(async () => {
  await initWebGpuBackend({ allowSoftware: true });
}, 120_000);
afterAll(() => tf.setBackend('cpu'));

it('runs on the webgpu backend', () => expect(tf.getBackend()).toBe('webgpu'));

backendAgreementSuite('webgpu');
