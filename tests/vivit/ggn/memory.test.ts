// The memory guard: the estimate made before computing against the real arrays of the same
// request (the sweep's ledger of held tensors, exactly; tfjs's measured peak of all tensors,
// as a bound), and the refusal of a request above the budget.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  computeCurvature,
  type CurvatureOptions,
  type CurvatureResult,
} from '../../../src/vivit/curvature';
import { CurvatureMemoryError } from '../../../src/vivit/errors';
import { layerwiseGroups, resolveGroups } from '../../../src/vivit/ggn/groups';
import { estimateMemory } from '../../../src/vivit/ggn/memory';
import type { Network } from '../../../src/vivit/nn/network';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { randomCase, type LayerSpec } from '../../oracle';
import { liveTensorCount, useCpuBackend } from '../helpers';
import { caseModel } from './case-model';
import { peakBufferBytes } from './memory-probe';

const cnn: LayerSpec[] = [
  { type: 'conv2d', in_channels: 2, out_channels: 6, kernel_size: 3, padding: 1 },
  { type: 'relu' },
  { type: 'maxpool2d', kernel_size: 2 },
  { type: 'conv2d', in_channels: 6, out_channels: 8, kernel_size: 3, padding: 1 },
  { type: 'tanh' },
  { type: 'flatten' },
  { type: 'linear', in: 8 * 4 * 4, out: 5 },
];
const all = [
  'eigenvalues',
  'eigenvectors',
  'gammas',
  'lambdas',
  'newtonStep',
  'overlap',
  'layerShares',
] as const;

type Config = {
  title: string;
  loss: 'cross_entropy' | 'mse';
  options: CurvatureOptions;
  layerwise?: boolean;
};
const configs: Config[] = [
  { title: 'eigenvalues, exact', loss: 'cross_entropy', options: { quantities: ['eigenvalues'] } },
  { title: 'everything, exact', loss: 'cross_entropy', options: { quantities: [...all] } },
  {
    title: 'everything, MC-2, subsets',
    loss: 'mse',
    options: {
      quantities: [...all],
      mcSamples: 2,
      subsampling: [0, 3, 5, 7, 9],
      subsamplingGrad: [1, 2, 4],
    },
  },
  {
    title: 'γ and λ, layer-wise groups',
    loss: 'mse',
    options: { quantities: ['gammas', 'lambdas'], signs: 'gradient' },
    layerwise: true,
  },
];

/** The estimate for what the request really used (vectors per sample as built). */
function estimateFor(network: Network, r: CurvatureResult, c: Config, elementBytes: number) {
  const want = new Set(c.options.quantities);
  const groups = resolveGroups(network, c.layerwise ? layerwiseGroups(network) : null);
  return estimateMemory({
    network,
    elementBytes,
    batch: r.samples.batch,
    ggnSamples: r.samples.ggn.length,
    gradSamples: r.samples.grad.length,
    vectorsPerSample: r.samples.vectorsPerSample,
    groups,
    projections: ['gammas', 'overlap', 'newtonStep', 'snr'].some((q) => want.has(q as never)),
    gradientGram: want.has('overlap') && c.options.subsamplingGrad != null,
    layerGrams: want.has('layerShares'),
    keepStacks:
      want.has('eigenvectors') ||
      want.has('newtonStep') ||
      (want.has('gammas') && c.options.signs !== 'gradient'),
    gramVectors: [...want].some((q) => q !== 'eigenvalues'),
    liftRows: r.memory.estimate.items.lift > 0 ? 1 : 0,
  });
}

describe('estimate against the real arrays', () => {
  beforeAll(useCpuBackend);

  test.each(configs)(
    '$title: the sweep ledger matches exactly (float64 and float32)',
    async (c) => {
      const cs = randomCase({ model: cnn, inputShape: [2, 8, 8], N: 10, loss: c.loss, seed: 1 });
      for (const [ops, bytes] of [
        [float64Ops, 8],
        [tfjsOps, 4],
      ] as const) {
        const m = caseModel(ops as typeof tfjsOps, cs);
        const groups = c.layerwise ? layerwiseGroups(m.network) : null;
        const r = await computeCurvature(m.model, m.batch, { ...c.options, groups });
        const est = estimateFor(m.network, r, c, bytes);
        expect(r.memory.sweepHeldBytes).toBeGreaterThan(0);
        expect(est.sweepHeldBytes).toBe(r.memory.sweepHeldBytes);
        if (ops === tfjsOps)
          tf.dispose([
            ...(m.model.params as tf.Tensor[]),
            m.batch.x as tf.Tensor,
            m.batch.y as tf.Tensor,
          ]);
      }
    },
  );

  test.each(configs)('$title: measured tfjs peak ≤ device estimate ≤ 3 × peak', async (c) => {
    const cs = randomCase({ model: cnn, inputShape: [2, 8, 8], N: 10, loss: c.loss, seed: 2 });
    const m = caseModel(tfjsOps, cs);
    const groups = c.layerwise ? layerwiseGroups(m.network) : null;
    let result: CurvatureResult | null = null;
    // Tensors that exist before (parameters, batch) are not part of the request.
    const peak = await peakBufferBytes(async () => {
      result = await computeCurvature(m.model, m.batch, { ...c.options, groups });
    });
    const estimate = (result as unknown as CurvatureResult).memory.estimate;
    console.info(
      `${c.title}: measured peak ${peak} B, estimated device ${estimate.deviceBytes} B (${(estimate.deviceBytes / peak).toFixed(2)}×)`,
    );
    expect(estimate.deviceBytes).toBeGreaterThanOrEqual(peak);
    expect(estimate.deviceBytes).toBeLessThanOrEqual(3 * peak);
    tf.dispose([...m.model.params, m.batch.x, m.batch.y]);
  });
});

describe('refusal', () => {
  const cs = randomCase({
    model: cnn,
    inputShape: [2, 8, 8],
    N: 10,
    loss: 'cross_entropy',
    seed: 3,
  });

  test('a request above the budget is refused before any computation, with ways out', async () => {
    const m = caseModel(float64Ops, cs);
    const budget = 50_000;
    let error: unknown = null;
    try {
      await computeCurvature(m.model, m.batch, {
        quantities: ['eigenvalues', 'eigenvectors'],
        memoryBudgetBytes: budget,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CurvatureMemoryError);
    const e = error as CurvatureMemoryError;
    expect(e.budgetBytes).toBe(budget);
    expect(e.estimatedBytes).toBeGreaterThan(budget);
    expect(e.message).toMatch(/more than the budget of 0\.05 MB/);
    expect(e.message).toMatch(/options\.subsampling/);
    expect(e.message).toMatch(/options\.mcSamples: 1 instead of 4/);
    expect(e.message).toMatch(/options\.groups/);
  });

  test('nothing is allocated on tfjs when refused', async () => {
    await useCpuBackend();
    const m = caseModel(tfjsOps, cs);
    const before = liveTensorCount();
    await expect(
      computeCurvature(m.model, m.batch, { quantities: ['eigenvalues'], memoryBudgetBytes: 1000 }),
    ).rejects.toThrow(CurvatureMemoryError);
    expect(liveTensorCount()).toBe(before);
    tf.dispose([...m.model.params, m.batch.x, m.batch.y]);
  });

  test('the same request fits a budget just above its estimate, and the advice works', async () => {
    const m = caseModel(float64Ops, cs);
    const r = await computeCurvature(m.model, m.batch, { quantities: ['eigenvalues'] });
    const fits = r.memory.estimate.totalBytes;
    await expect(
      computeCurvature(m.model, m.batch, { quantities: ['eigenvalues'], memoryBudgetBytes: fits }),
    ).resolves.toBeDefined();
    await expect(
      computeCurvature(m.model, m.batch, {
        quantities: ['eigenvalues'],
        memoryBudgetBytes: fits - 1,
      }),
    ).rejects.toThrow(CurvatureMemoryError);
    // Following the advice lowers the estimate below the same budget.
    const cheaper = await computeCurvature(m.model, m.batch, {
      quantities: ['eigenvalues'],
      mcSamples: 1,
      subsampling: [0, 1, 2, 3, 4],
      memoryBudgetBytes: fits - 1,
    });
    expect(cheaper.memory.estimate.totalBytes).toBeLessThan(fits);
  });

  test('the estimate grows with the Gram size as (N·M)² once it dominates', () => {
    const m = caseModel(float64Ops, cs);
    const groups = resolveGroups(m.network, null);
    const base = {
      network: m.network,
      elementBytes: 8,
      batch: 512,
      gradSamples: 512,
      groups,
      projections: true,
      gradientGram: false,
      layerGrams: false,
      keepStacks: false,
      gramVectors: true,
      liftRows: 0,
    };
    const a = estimateMemory({ ...base, ggnSamples: 256, vectorsPerSample: 4 });
    const b = estimateMemory({ ...base, ggnSamples: 512, vectorsPerSample: 4 });
    const ratio = b.hostBytes / a.hostBytes;
    expect(ratio).toBeGreaterThan(3.5);
    expect(ratio).toBeLessThan(4.1);
  });
});
