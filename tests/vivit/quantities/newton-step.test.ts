// Damped Newton steps Σ_k −γ̄_k/(λ̄_k + δ_k) e_k: per-direction damping and damping policies
// against the oracle's dense eigenvectors, δ_k = ∞ as "no step", and bad damping input.

import { expect, test } from 'vitest';
import { computeCurvature, type DirectionStatistics } from '../../../src/vivit/curvature';
import { CurvatureInputError } from '../../../src/vivit/errors';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { bruteForceCurvature, randomCase, tinyNetworks } from '../../oracle';
import { caseModel, flat, relErr } from '../ggn/case-model';

const net = tinyNetworks().find((n) => n.name === 'cnn-maxpool')!;
const c = randomCase({
  model: net.model,
  inputShape: net.inputShape,
  N: 5,
  loss: 'cross_entropy',
  seed: 17,
});
const oracle = bruteForceCurvature(c);
const og = oracle.intermediates.groups[0];
const K = og.K;
const { model, batch } = caseModel(float64Ops, c);

/** Σ_k −γ̄_k/(λ̄_k + δ_k) e_k from the oracle (flat, case order). */
function oracleStep(delta: ArrayLike<number>): Float64Array {
  const step = new Float64Array(og.coords.length);
  for (let k = 0; k < K; k++) {
    if (delta[k] === Infinity) continue;
    const tau = -og.gammaMeans[k] / (og.lambdaMeans[k] + delta[k]);
    og.eigenvectors[k].forEach((v, i) => (step[i] += tau * v));
  }
  return step;
}

test('per-direction damping', async () => {
  const delta = Array.from({ length: K }, (_, k) => 0.01 * (k + 1) ** 2);
  const r = await computeCurvature(model, batch, { quantities: ['newtonStep'], damping: delta });
  expect(relErr(flat(r.newtonStep!), oracleStep(delta))).toBeLessThan(1e-8);
  expect(Array.from(r.groups[0].newtonStep!.damping)).toEqual(delta);
});

test('a damping policy sees the direction statistics the result reports', async () => {
  let seen: DirectionStatistics | null = null;
  const policy = (stats: DirectionStatistics) => {
    seen = stats;
    // Something noise-aware: more damping where λ̄ is small.
    return Array.from(stats.lambdaMean, (l) => 0.1 / Math.sqrt(l));
  };
  const r = await computeCurvature(model, batch, {
    quantities: ['newtonStep', 'gammas', 'lambdas'],
    damping: policy,
  });
  const g = r.groups[0];
  const stats = seen as unknown as DirectionStatistics;
  expect(stats.group).toBe(0);
  expect(stats.gammas.data).toEqual(g.gammas!.data);
  expect(stats.lambdas.data).toEqual(g.lambdas!.data);
  const delta = Array.from(g.lambdaMean!, (l) => 0.1 / Math.sqrt(l));
  expect(relErr(g.newtonStep!.damping, delta)).toBeLessThan(1e-15);
  expect(relErr(flat(r.newtonStep!), oracleStep(delta))).toBeLessThan(1e-8);
  // τ_k as reported.
  g.newtonStep!.stepLengths.forEach((tau, k) =>
    expect(tau).toBeCloseTo(-g.gammaMean![k] / (g.lambdaMean![k] + delta[k]), 12),
  );
});

test('δ_k = ∞ takes no step along e_k', async () => {
  const delta = Array.from({ length: K }, (_, k) => (k % 2 === 0 ? Infinity : 0.5));
  const r = await computeCurvature(model, batch, { quantities: ['newtonStep'], damping: delta });
  expect(relErr(flat(r.newtonStep!), oracleStep(delta))).toBeLessThan(1e-8);
  const tau = r.groups[0].newtonStep!.stepLengths;
  expect(tau[0]).toBe(0);
  expect(tau[1]).not.toBe(0);
});

test('bad damping is refused, naming the field', async () => {
  const run = (damping: number | number[]) =>
    computeCurvature(model, batch, { quantities: ['newtonStep'], damping });
  await expect(run(-1)).rejects.toThrow(CurvatureInputError);
  await expect(run(-1)).rejects.toThrow(/options\.damping\[0\]: must be a number >= 0/);
  await expect(run(Number.NaN)).rejects.toThrow(/options\.damping\[0\]/);
  await expect(run([1, 2])).rejects.toThrow(
    new RegExp(`options\\.damping: has 2 values but group 0 has K = ${K} directions`),
  );
});
