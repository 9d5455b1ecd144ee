// Sign conventions: the interop rule ('largest-entry', first in flat order on ties) decided
// from device-side extremes, the 'gradient' rule (γ̄_k ≥ 0), and consistency between
// eigenvectors and γ under both.

import { beforeAll, describe, expect, test } from 'vitest';
import { computeCurvature, type GroupCurvature } from '../../../src/vivit/curvature';
import { formEigenvectors, largestEntrySigns } from '../../../src/vivit/ggn/directions';
import { resolveGroups } from '../../../src/vivit/ggn/groups';
import { backwardSweep } from '../../../src/vivit/ggn/sweep';
import { largestEntrySign, signsFromExtremes } from '../../../src/vivit/quantities/signs';
import { gramSpectrum } from '../../../src/vivit/quantities/spectrum';
import { lossModule } from '../../../src/vivit/loss/registry';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { batchToEngine } from '../../../src/vivit/nn/layout';
import { Rng } from '../../../src/vivit/random';
import { curvatureFactor } from '../../../src/vivit/ggn/factor';
import { bruteForceCurvature, randomCase, tinyNetworks } from '../../oracle';
import { caseModel, flat } from '../ggn/case-model';

const ext = (max: number[], min: number[]) => ({
  max: Float64Array.from(max),
  min: Float64Array.from(min),
});

describe('largest entry', () => {
  test('the entry of largest magnitude decides; on equal magnitudes the first', () => {
    expect(largestEntrySign([Float64Array.of(1, -3, 2)])).toBe(-1);
    expect(largestEntrySign([Float64Array.of(-2, 2)])).toBe(-1);
    expect(largestEntrySign([Float64Array.of(1), Float64Array.of(-1, 0.5)])).toBe(1);
    expect(largestEntrySign([Float64Array.of(0.1), Float64Array.of(-1, 0.5)])).toBe(-1);
  });

  test('from per-parameter extremes, with ties inside one parameter left for a scan', () => {
    // rows: 0 → param 1's −5 wins; 1 → param 0's +3 (param 1 only reaches 3: earlier wins);
    // 2 → +4 and −4 in param 1: undecidable from extremes.
    const { signs, ties } = signsFromExtremes(
      [ext([1, 3, 0.5], [-2, -1, 0]), ext([2, 3, 4], [-5, -3, -4])],
      3,
    );
    expect(Array.from(signs.subarray(0, 2))).toEqual([-1, 1]);
    expect(ties).toEqual([{ row: 2, part: 1 }]);
  });
});

const mlp = tinyNetworks().find((n) => n.name === 'mlp-deep-nobias')!;

test('the chunked all-directions pass gives the oracle signs for any chunk size', async () => {
  const c = randomCase({
    model: mlp.model,
    inputShape: mlp.inputShape,
    N: 5,
    loss: 'cross_entropy',
    seed: 12,
  });
  const oracle = bruteForceCurvature(c);
  const { model, batch, network } = caseModel(float64Ops, c);
  // Set up a sweep that keeps the stacks, as computeCurvature does for 'largest-entry'.
  const loss = lossModule('cross_entropy');
  const ops = float64Ops;
  const { out, caches } = network.forward(ops, model.params, batchToEngine(ops, batch.x), {
    training: true,
  });
  const { gradient } = loss.valueAndGradient(ops, out, batch.y);
  const factor = curvatureFactor(loss, out.data, batch.y.data, [5], 5, 3, 0, new Rng(0));
  const groups = resolveGroups(network, null);
  const sweep = backwardSweep({
    ops,
    network,
    params: model.params,
    caches,
    outputGradient: gradient,
    factor: ops.fromArray(factor.values, [factor.m, 5, 3]),
    ggnSamples: null,
    gradSamples: null,
    groups,
    projections: false,
    gradientGram: false,
    layerGrams: false,
    keepStacks: true,
  });
  const n = 5 * factor.m;
  const gram = Float64Array.from(ops.toArray(sweep.groups[0].gram), (v) => v / 5);
  const spectrum = gramSpectrum(gram, n, { eigRtol: 1e-10, vectors: true });
  const K = spectrum.values.length;
  const ctx = {
    ops,
    network,
    params: model.params,
    caches,
    stacks: sweep.stacks,
    ggnSamples: null,
  };
  // Expected: the flip that turns each Gram-signed e_k into the oracle's sign-fixed one.
  const expected: number[] = [];
  for (let k = 0; k < K; k++) {
    const e = flat((await formEigenvectors(ctx, groups[0], spectrum, [k], 5))[0].parameters);
    const o = oracle.intermediates.groups[0].eigenvectors[k];
    const dot = e.reduce((acc, x, i) => acc + x * o[i], 0);
    expect(Math.abs(dot)).toBeCloseTo(1, 8);
    expected.push(dot > 0 ? 1 : -1);
  }
  expect(expected).toContain(-1);
  const directions = Array.from({ length: K }, (_, k) => k);
  for (const chunk of [1, 2, 7, K]) {
    const signs = await largestEntrySigns(ctx, groups[0], spectrum, directions, 5, chunk);
    expect(Array.from(signs)).toEqual(expected);
  }
});

describe.each(['cross_entropy', 'mse'] as const)('%s: the two rules', (loss) => {
  const net = tinyNetworks().find((n) => n.name === 'cnn-avgpool-padded')!;
  const c = randomCase({ model: net.model, inputShape: net.inputShape, N: 4, loss, seed: 6 });
  const { model, batch } = caseModel(float64Ops, c);
  const q = ['gammas', 'eigenvectors'] as const;
  let byEntry: GroupCurvature;
  let byGrad: GroupCurvature;
  let g: Float64Array[];
  beforeAll(async () => {
    const options = { quantities: [...q], eigenvectorCount: 4 };
    byEntry = (await computeCurvature(model, batch, options)).groups[0];
    byGrad = (await computeCurvature(model, batch, { ...options, signs: 'gradient' })).groups[0];
    g = (await computeCurvature(model, batch, { quantities: ['eigenvalues'] })).gradient;
  });

  test("'gradient': γ̄_k ≥ 0 and e_kᵀ g = γ̄_k for the formed eigenvectors", () => {
    expect(Array.from(byGrad.gammaMean!).every((v) => v >= 0)).toBe(true);
    const gradient = flat(g);
    byGrad.eigenvectors!.forEach((v) => {
      const dot = flat(v.parameters).reduce((s, x, i) => s + x * gradient[i], 0);
      expect(dot).toBeCloseTo(byGrad.gammaMean![v.index], 12);
    });
  });

  test("'largest-entry': the formed eigenvectors' largest entry is positive, γ flips with them", () => {
    const K = byEntry.eigenvalues.length;
    byEntry.eigenvectors!.forEach((v) => {
      const e = flat(v.parameters);
      let best = 0;
      e.forEach((x, i) => {
        if (Math.abs(x) > Math.abs(e[best])) best = i;
      });
      expect(e[best]).toBeGreaterThan(0);
      // Same direction up to sign as under the other rule, and γ with the same flip.
      const other = flat(byGrad.eigenvectors![v.index].parameters);
      const s = e.reduce((acc, x, i) => acc + x * other[i], 0) > 0 ? 1 : -1;
      for (let r = 0; r < byEntry.gammas!.rows; r++) {
        expect(byEntry.gammas!.data[r * K + v.index]).toBeCloseTo(
          s * byGrad.gammas!.data[r * K + v.index],
          12,
        );
      }
    });
  });
});
