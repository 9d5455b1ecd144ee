// A curvature step on webgpu reads back to the host only what the host needs, gathered into as
// few round trips as possible: the targets (checked there), the loss and the GGN samples'
// outputs in one; the gradient; the Gram matrix; the projections — four for γ and λ with the
// host eigensolver and gradient signs; the largest-entry signs add one (all parameters' row
// extremes together). Labels may come as int32; a bad one is still named.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src/protocol/definition';
import { initWebGpuBackend } from '../../../src/vivit/backend-webgpu';
import { computeCurvature } from '../../../src/vivit/curvature';
import { CurvatureInputError } from '../../../src/vivit/errors';
import { Network } from '../../../src/vivit/nn/network';
import { Rng } from '../../../src/vivit/random';
import { tfjsOps, tfjsReadbackCount } from '../../../src/vivit/tensor/tfjs-ops';
import { liveTensorCount } from '../helpers';

beforeAll(async () => {
  await initWebGpuBackend({ allowSoftware: true });
}, 120_000);
afterAll(() => tf.setBackend('cpu'));

const layers: LayerSpec[] = [
  { type: 'linear', in: 5, out: 7, bias: true },
  { type: 'relu' },
  { type: 'linear', in: 7, out: 3, bias: true },
];

describe('curvature step reads on webgpu', () => {
  const network = new Network(layers, [5]);
  const params = network.paramsFromTorch(tfjsOps, network.initTorch(new Rng(1, 'init')));
  const model = { ops: tfjsOps, network, params, loss: 'cross_entropy' as const };
  const x = tf.randomNormal([12, 5], 0, 1, 'float32', 3);
  afterAll(() => tf.dispose([...params, x]));

  it('takes four round trips for γ and λ, with int32 labels as with float labels', async () => {
    const results = [];
    for (const dtype of ['int32', 'float32'] as const) {
      const y = tf.tensor1d(
        Array.from({ length: 12 }, (_, i) => i % 3),
        dtype,
      );
      const tensors = liveTensorCount();
      const reads = tfjsReadbackCount();
      results.push(
        await computeCurvature(
          model,
          { x, y },
          {
            quantities: ['gammas', 'lambdas'],
            eigensolver: 'host',
            signs: 'gradient',
          },
        ),
      );
      expect(tfjsReadbackCount() - reads).toBe(4);
      expect(liveTensorCount()).toBe(tensors);
      y.dispose();
    }
    const [a, b] = results;
    expect(a.loss).toBeGreaterThan(0);
    expect(a.loss).toBe(b.loss);
    expect(a.groups[0].eigenvalues).toEqual(b.groups[0].eigenvalues);
  });

  it('reads the largest-entry signs of all parameters in one more round trip', async () => {
    const y = tf.tensor1d(
      Array.from({ length: 12 }, (_, i) => i % 3),
      'int32',
    );
    const reads = tfjsReadbackCount();
    await computeCurvature(
      model,
      { x, y },
      {
        quantities: ['gammas', 'lambdas'],
        eigensolver: 'host',
        signs: 'largest-entry',
      },
    );
    expect(tfjsReadbackCount() - reads).toBe(5);
    y.dispose();
  });

  it("keeps the device eigensolver's vectors on the device for γ and λ: four round trips", async () => {
    const y = tf.tensor1d(
      Array.from({ length: 12 }, (_, i) => i % 3),
      'int32',
    );
    const options = { eigensolver: 'device' as const, signs: 'gradient' as const };
    const tensors = liveTensorCount();
    let reads = tfjsReadbackCount();
    const onDevice = await computeCurvature(
      model,
      { x, y },
      { ...options, quantities: ['gammas', 'lambdas'] },
    );
    // targets + loss + outputs, gradient, the tridiagonal form, γ's product with λ's sums.
    expect(tfjsReadbackCount() - reads).toBe(4);
    expect(onDevice.eigensolver).toBe('device');
    reads = tfjsReadbackCount();
    // Eigenvectors need the Gram vectors on the host: their read comes back (and the lift's).
    const onHost = await computeCurvature(
      model,
      { x, y },
      { ...options, quantities: ['gammas', 'lambdas', 'eigenvectors'], eigenvectorCount: 1 },
    );
    expect(tfjsReadbackCount() - reads).toBe(6);
    expect(liveTensorCount()).toBe(tensors);
    // The same numbers either way (the device-only path leaves the Gram vectors' signs as the
    // solver made them; gradient signs then agree wherever γ̄ ≠ 0).
    const [a, b] = [onDevice.groups[0], onHost.groups[0]];
    expect(a.eigenvalues).toEqual(b.eigenvalues);
    const close = (u: Float64Array, v: Float64Array) => {
      const scale = Math.max(...v.map(Math.abs));
      u.forEach((value, i) => expect(Math.abs(value - v[i])).toBeLessThan(1e-5 * scale));
    };
    close(a.gammas!.data, b.gammas!.data);
    close(a.lambdas!.data, b.lambdas!.data);
    y.dispose();
  });

  it('names a label that is not a class index', async () => {
    const y = tf.tensor1d([0, 1, 2, 0, 1, 3, 0, 1, 2, 0, 1, 2], 'int32');
    const tensors = liveTensorCount();
    const run = computeCurvature(model, { x, y }, { quantities: ['eigenvalues'] });
    await expect(run).rejects.toThrow(CurvatureInputError);
    await expect(run).rejects.toThrow(
      /batch\.y\[5\]: 3 is not a class index in \[0, 2\] \(the model has 3 outputs\)/,
    );
    expect(liveTensorCount()).toBe(tensors);
    y.dispose();
  });
});
