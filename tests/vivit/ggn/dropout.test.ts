// Dropout: the mask is drawn once per call (training-mode forward) and held fixed for the
// gradient and the curvature. With a fixed mask, sample n's network is the plain network with
// the mask folded into the preceding linear layer (W'_ij = mask_i W_ij), whose Jacobian
// w.r.t. the original W_ij is mask_i times the folded one. The oracle runs each sample's folded
// network; assembling G = mean_n G_n from those gives the reference.

import { expect, test } from 'vitest';
import type { LayerSpec } from '../../../src/protocol/definition';
import { computeCurvature } from '../../../src/vivit/curvature';
import { Network } from '../../../src/vivit/nn/network';
import { Rng } from '../../../src/vivit/random';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { bruteForceCurvature, jacobiEigen, randomCase, type CurvatureCase } from '../../oracle';
import { flat, relErr } from './case-model';

const P = 0.4;
const N = 5;
const caseModelList = [
  { type: 'linear' as const, in: 4, out: 5 },
  { type: 'tanh' as const },
  { type: 'linear' as const, in: 5, out: 3 },
];
const engineLayers: LayerSpec[] = [
  { type: 'linear', in: 4, out: 5, bias: true },
  { type: 'dropout', p: P },
  { type: 'tanh' },
  { type: 'linear', in: 5, out: 3, bias: true },
];

test('eigenvalues, γ_nk and the gradient with the mask of the call', async () => {
  const c = randomCase({
    model: caseModelList,
    inputShape: [4],
    N,
    loss: 'cross_entropy',
    seed: 5,
  });
  const network = new Network(engineLayers, [4]);
  const params = network.paramsFromTorch(
    float64Ops,
    c.params.map((p) => p.data),
  );
  const x = float64Ops.fromArray(c.input.data, c.input.shape);
  const y = float64Ops.fromArray(c.target.data, c.target.shape);
  const r = await computeCurvature(
    { ops: float64Ops, network, params, loss: 'cross_entropy' },
    { x, y },
    { quantities: ['eigenvalues', 'gammas'], dropoutRng: new Rng(99, 'masks'), signs: 'gradient' },
  );

  // The same stream gives the same mask (dropout draws sample by sample, unit by unit; the
  // layer stores its mask in float32, so the kept scale is fround(1/(1 − p)) even in float64).
  const rng = new Rng(99, 'masks');
  const keep = Math.fround(1 / (1 - P));
  const masks = Array.from({ length: N }, () =>
    Array.from({ length: 5 }, () => (rng.next() >= P ? keep : 0)),
  );
  expect(masks.flat()).toContain(0);

  // Per sample: fold the mask into layer 0, run the oracle on that sample alone.
  const D = c.params.reduce((s, p) => s + p.data.length, 0);
  const G = new Float64Array(D * D);
  const grads: Float64Array[] = [];
  masks.forEach((mask, n) => {
    const [w, b, ...rest] = c.params;
    const scale = new Float64Array(D).fill(1);
    const folded = {
      shape: w.shape,
      data: w.data.map((v, k) => {
        const unit = Math.floor(k / 4);
        scale[k] = mask[unit];
        return v * mask[unit];
      }),
    };
    const foldedBias = {
      shape: b.shape,
      data: b.data.map((v, k) => {
        scale[20 + k] = mask[k];
        return v * mask[k];
      }),
    };
    const one: CurvatureCase = {
      ...c,
      params: [folded, foldedBias, ...rest],
      input: { shape: [1, 4], data: c.input.data.slice(4 * n, 4 * n + 4) },
      target: { shape: [1], data: [c.target.data[n]] },
    };
    const o = bruteForceCurvature(one).intermediates;
    const Gn = o.sampleGGNs[0];
    for (let i = 0; i < D; i++)
      for (let j = 0; j < D; j++) G[i * D + j] += (scale[i] * Gn[i * D + j] * scale[j]) / N;
    grads.push(Float64Array.from(o.sampleGradients[0], (v, i) => scale[i] * v));
  });
  const eig = jacobiEigen(G, D);
  const K = r.groups[0].eigenvalues.length;
  expect(K).toBe(Array.from(eig.values).filter((v) => v > 1e-10 * eig.values[0]).length);
  expect(relErr(r.groups[0].eigenvalues, eig.values.subarray(0, K))).toBeLessThan(1e-8);

  const mean = Float64Array.from({ length: D }, (_, i) => grads.reduce((s, g) => s + g[i], 0) / N);
  expect(relErr(flat(r.gradient), mean)).toBeLessThan(1e-10);

  // γ_nk = e_kᵀ g_n with e_k oriented so that γ̄_k ≥ 0.
  const gammas = r.groups[0].gammas!;
  for (let k = 0; k < K; k++) {
    const e = eig.vectors[k];
    const col = grads.map((g) => g.reduce((s, v, i) => s + v * e[i], 0));
    const sign = col.reduce((a, b) => a + b, 0) < 0 ? -1 : 1;
    col.forEach((v, n) => expect(gammas.data[n * K + k]).toBeCloseTo(sign * v, 9));
  }
});

test('the default mask stream follows the seed', async () => {
  const c = randomCase({ model: caseModelList, inputShape: [4], N, loss: 'mse', seed: 6 });
  const network = new Network(engineLayers, [4]);
  const params = network.paramsFromTorch(
    float64Ops,
    c.params.map((p) => p.data),
  );
  const batch = {
    x: float64Ops.fromArray(c.input.data, c.input.shape),
    y: float64Ops.fromArray(c.target.data, c.target.shape),
  };
  const model = { ops: float64Ops, network, params, loss: 'mse' as const };
  const run = async (seed: number) =>
    (await computeCurvature(model, batch, { quantities: ['eigenvalues'], seed })).groups[0]
      .eigenvalues;
  expect(Array.from(await run(1))).toEqual(Array.from(await run(1)));
  expect(relErr(await run(1), await run(2))).toBeGreaterThan(1e-3);
});
