// The derived quantities end to end against values built from the oracle's dense objects:
// SNRs, gradient overlaps and the flat remainder (also with subsamplingGrad and groups), layer
// shares of eigenvectors, topK.

import { describe, expect, test } from 'vitest';
import { computeCurvature } from '../../../src/vivit/curvature';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { bruteForceCurvature, randomCase, tinyNetworks, type OracleOutput } from '../../oracle';
import { caseModel, caseOptions, clusters, relErr, separated } from '../ggn/case-model';

const net = (name: string) => tinyNetworks().find((n) => n.name === name)!;

/** Column means of rows [N][K]. */
const means = (rows: number[][]) =>
  Float64Array.from(rows[0], (_, k) => rows.reduce((s, r) => s + r[k], 0) / rows.length);

const snr = (rows: number[][]) => {
  const mu = means(rows);
  return Float64Array.from(mu, (m, k) => {
    const v = rows.reduce((s, r) => s + (r[k] - m) ** 2, 0) / rows.length;
    return (m * m) / v;
  });
};

/** ‖(1/|S|) Σ_{n∈S} g_n‖² over the group's coordinates. */
function groupGradientNormSq(o: OracleOutput, group: number, samples: number[]): number {
  const coords = o.intermediates.groups[group].coords;
  let s = 0;
  for (const i of coords) {
    let g = 0;
    for (const n of samples) g += o.intermediates.sampleGradients[n][i] / samples.length;
    s += g * g;
  }
  return s;
}

describe.each([
  { name: 'mlp-sigmoid', loss: 'cross_entropy' as const, groups: null, grad: null },
  {
    name: 'mlp-relu',
    loss: 'mse' as const,
    groups: [
      [0, 1],
      [2, 3],
    ],
    grad: null,
  },
  { name: 'cnn-maxpool', loss: 'cross_entropy' as const, groups: null, grad: [0, 2, 3, 5] },
  { name: 'mlp-tanh', loss: 'mse' as const, groups: [[0], [1, 2, 3]], grad: [1, 4] },
])('$name, $loss, groups $groups, γ samples $grad', async ({ name, loss, groups, grad }) => {
  const n = net(name);
  const c = randomCase({
    model: n.model,
    inputShape: n.inputShape,
    N: 6,
    loss,
    seed: 31,
    param_groups: groups,
    subsampling_grad: grad,
  });
  const o = bruteForceCurvature(c);
  const { model, batch } = caseModel(float64Ops, c);
  const r = await computeCurvature(model, batch, {
    ...caseOptions(c),
    quantities: ['snr', 'overlap', 'layerShares', 'eigenvectors'],
  });

  test('SNR(γ_k), SNR(λ_k) on separated directions', () => {
    let compared = 0;
    r.groups.forEach((g, gi) => {
      const og = o.groups[gi];
      // (An mse group holding only the last layer has C-fold eigenvalues: no single e_k.)
      const mask = separated(og.eigvals);
      if (!mask.some(Boolean)) return;
      const pick = (x: Float64Array) => Array.from(x).filter((_, k) => mask[k]);
      expect(relErr(pick(g.snrGamma!), pick(snr(og.gammas)))).toBeLessThan(1e-8);
      expect(relErr(pick(g.snrLambda!), pick(snr(og.lambdas)))).toBeLessThan(1e-8);
      compared++;
    });
    expect(compared).toBeGreaterThan(0);
  });

  test('overlap γ̄_k²/‖g‖² with g on the γ samples, and the flat remainder', () => {
    const samples = grad ?? [0, 1, 2, 3, 4, 5];
    r.groups.forEach((g, gi) => {
      const og = o.groups[gi];
      const normSq = groupGradientNormSq(o, gi, samples);
      expect(g.gradientNormSquared! / normSq - 1).toBeLessThan(1e-10);
      // Overlaps summed over each cluster of equal eigenvalues (basis independent).
      const expected = Array.from(means(og.gammas), (m) => (m * m) / normSq);
      const byCluster = (x: ArrayLike<number>) =>
        clusters(og.eigvals).map((cl) => cl.reduce((sum, k) => sum + x[k], 0));
      expect(relErr(byCluster(g.overlap!), byCluster(expected))).toBeLessThan(1e-8);
      const total = expected.reduce((a, b) => a + b, 0);
      expect(g.flatRemainder!).toBeCloseTo(Math.max(0, 1 - total), 10);
      expect(g.flatRemainder!).toBeGreaterThanOrEqual(0);
    });
  });

  test('layer shares of every direction (Gram blocks) match the dense eigenvectors', () => {
    r.groups.forEach((g, gi) => {
      const og = o.groups[gi];
      const im = o.intermediates.groups[gi];
      const mask = separated(og.eigvals);
      const layerOfCoord = im.coords.map((coord) => {
        const p = o.intermediates.paramOffsets.findIndex(
          (off, i, arr) => coord >= off && (i + 1 === arr.length || coord < arr[i + 1]),
        );
        return o.intermediates.plan.layers.findIndex((l) => l.paramIndices.includes(p));
      });
      const shares = g.layerShares!;
      expect([shares.rows, shares.cols]).toEqual([og.eigvals.length, g.layers.length]);
      for (let k = 0; k < og.eigvals.length; k++) {
        if (!mask[k]) continue;
        const e = im.eigenvectors[k];
        g.layers.forEach((layer, l) => {
          const expected = e.reduce((s, v, a) => s + (layerOfCoord[a] === layer ? v * v : 0), 0);
          expect(shares.data[k * g.layers.length + l]).toBeCloseTo(expected, 9);
        });
      }
      // The formed eigenvectors carry the same shares, from their parameter arrays.
      g.eigenvectors!.forEach((v) => {
        if (!mask[v.index]) return;
        v.layerShares.forEach((s, l) =>
          expect(s).toBeCloseTo(shares.data[v.index * g.layers.length + l], 9),
        );
      });
    });
  });
});

test('topK keeps the K leading directions: the same numbers as the full computation', async () => {
  const n = net('mlp-elu');
  const c = randomCase({
    model: n.model,
    inputShape: n.inputShape,
    N: 5,
    loss: 'cross_entropy',
    seed: 4,
  });
  const { model, batch } = caseModel(float64Ops, c);
  const q = ['eigenvalues', 'gammas', 'lambdas', 'overlap'] as const;
  const full = (await computeCurvature(model, batch, { quantities: [...q] })).groups[0];
  const top = (await computeCurvature(model, batch, { quantities: [...q], topK: 3 })).groups[0];
  expect(top.nontrivialCount).toBe(full.nontrivialCount);
  expect(top.eigenvalues.length).toBe(3);
  expect(Array.from(top.eigenvalues)).toEqual(Array.from(full.eigenvalues.subarray(0, 3)));
  for (let r = 0; r < 5; r++) {
    for (let k = 0; k < 3; k++) {
      expect(top.gammas!.data[r * 3 + k]).toBeCloseTo(
        full.gammas!.data[r * full.gammas!.cols + k],
        12,
      );
      expect(top.lambdas!.data[r * 3 + k]).toBeCloseTo(
        full.lambdas!.data[r * full.lambdas!.cols + k],
        12,
      );
    }
  }
  // What the dropped directions held of the gradient moves to the remainder.
  const dropped = Array.from(full.overlap!.subarray(3)).reduce((a, b) => a + b, 0);
  expect(dropped).toBeGreaterThan(0);
  expect(top.flatRemainder!).toBeCloseTo(full.flatRemainder! + dropped, 12);
});

test('layerSharesCount keeps the leading rows of the layer shares, unchanged', async () => {
  const n = net('mlp-elu');
  const c = randomCase({
    model: n.model,
    inputShape: n.inputShape,
    N: 5,
    loss: 'cross_entropy',
    seed: 6,
  });
  const { model, batch } = caseModel(float64Ops, c);
  const full = (await computeCurvature(model, batch, { quantities: ['layerShares'] })).groups[0];
  const capped = (
    await computeCurvature(model, batch, {
      quantities: ['layerShares'],
      layerSharesCount: 2,
    })
  ).groups[0];
  const cols = full.layers.length;
  expect(full.layerShares!.rows).toBeGreaterThan(2);
  expect([capped.layerShares!.rows, capped.layerShares!.cols]).toEqual([2, cols]);
  expect(Array.from(capped.layerShares!.data)).toEqual(
    Array.from(full.layerShares!.data.subarray(0, 2 * cols)),
  );
  await expect(
    computeCurvature(model, batch, { quantities: ['layerShares'], layerSharesCount: -1 }),
  ).rejects.toThrow(/options\.layerSharesCount/);
});
