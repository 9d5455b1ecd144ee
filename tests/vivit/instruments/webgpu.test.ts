// The per-sample pass with every option, and the curvature groups' ggnTrace on the device
// eigensolver's path, on tfjs's WebGPU backend (dawn.node; llvmpipe without a GPU), where
// nothing may be read synchronously: against the float64 engine.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initWebGpuBackend } from '../../../src/vivit/backend-webgpu';
import { computeCurvature } from '../../../src/vivit/curvature';
import { perSampleGradientStatistics } from '../../../src/vivit/instruments/index';
import { Rng } from '../../../src/vivit/random';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { tfjsOps, tfjsReadbackCount } from '../../../src/vivit/tensor/tfjs-ops';
import { randomCase, tinyNetworks } from '../../oracle';
import { caseModel, relErr } from '../ggn/case-model';
import { liveTensorCount } from '../helpers';

beforeAll(async () => {
  await initWebGpuBackend({ allowSoftware: true });
  expect(tf.getBackend()).toBe('webgpu');
}, 120_000);
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('on webgpu', () => {
  it.each(['cross_entropy', 'mse'] as const)(
    'every per-sample option in one pass = float64 (%s)',
    async (loss) => {
      const net = tinyNetworks().find((t) => t.name === 'cnn-maxpool')!;
      const c = randomCase({ model: net.model, inputShape: net.inputShape, N: 6, loss, seed: 4 });
      const rng = new Rng(3, 'direction');
      const u = c.params.map((p) => Float64Array.from(p.data, () => rng.normal()));
      const options = {
        losses: true,
        ggnTraceSeed: 2,
        histograms: { gradientBins: 8, paramBins: 3 },
      };
      const exact = caseModel(float64Ops, c);
      const want = await perSampleGradientStatistics(exact.model, exact.batch, undefined, {
        ...options,
        direction: exact.network.paramsFromTorch(float64Ops, u),
      });
      const gpu = caseModel(tfjsOps, c);
      const direction = gpu.network.paramsFromTorch(tfjsOps, u);
      const before = liveTensorCount();
      const reads = tfjsReadbackCount();
      const got = await perSampleGradientStatistics(gpu.model, gpu.batch, undefined, {
        ...options,
        direction,
      });
      expect(tfjsReadbackCount() - reads, 'one round trip').toBe(1);
      expect(liveTensorCount()).toBe(before);
      tf.dispose([...gpu.model.params, gpu.batch.x, gpu.batch.y, ...direction]);
      expect(relErr(got.gram, want.gram)).toBeLessThan(1e-4);
      expect(relErr(got.losses!, want.losses!)).toBeLessThan(1e-5);
      expect(relErr(got.projections!, want.projections!)).toBeLessThan(1e-4);
      expect(Math.abs(got.ggnTrace! - want.ggnTrace!) / want.ggnTrace!).toBeLessThan(1e-4);
      const total = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
      expect(total(got.histograms!.gradient.counts)).toBe(total(want.histograms!.gradient.counts));
      expect(relErr(got.histograms!.gradient.edges, want.histograms!.gradient.edges)).toBeLessThan(
        1e-4,
      );
    },
  );

  it('ggnTrace with the device eigensolver (topK = 2) = float64', async () => {
    const net = tinyNetworks().find((t) => t.name === 'mlp-relu')!;
    const c = randomCase({
      model: net.model,
      inputShape: net.inputShape,
      N: 8,
      loss: 'cross_entropy',
      seed: 6,
    });
    const exact = caseModel(float64Ops, c);
    const want = await computeCurvature(exact.model, exact.batch, { quantities: ['eigenvalues'] });
    const gpu = caseModel(tfjsOps, c);
    const before = liveTensorCount();
    const got = await computeCurvature(gpu.model, gpu.batch, {
      quantities: ['eigenvalues'],
      topK: 2,
      eigensolver: 'device',
    });
    expect(liveTensorCount()).toBe(before);
    tf.dispose([...gpu.model.params, gpu.batch.x, gpu.batch.y]);
    expect(got.groups[0].eigenvalues.length).toBe(2);
    const rel = Math.abs(got.groups[0].ggnTrace - want.groups[0].ggnTrace);
    expect(rel / want.groups[0].ggnTrace).toBeLessThan(1e-5);
  });
});
