// The damped Newton optimizer (one computeCurvature pass per step) against brute force: the
// update equals lr · Σ_k −γ̄_k/(λ̄_k + δ_k) e_k built from the dense GGN's eigenvectors of the
// float64 oracle (tests/oracle), for constant δ, per-direction δ from the bootstrap, the
// eigenvalue filter and top-k, per-layer groups and curvature sub-sampling; the report's
// numbers; the quadratic model's prediction on an exactly quadratic problem; determinism.

import { describe, expect, it } from 'vitest';
import type { DampedNewtonSpec, DampingSpec } from '../../../src/protocol/definition';
import { layerwiseGroups } from '../../../src/vivit/ggn/groups';
import { lossModule } from '../../../src/vivit/loss/registry';
import { batchToEngine } from '../../../src/vivit/nn/layout';
import { createDampedNewton } from '../../../src/vivit/optim/damped-newton';
import { bootstrapDamping, logGrid } from '../../../src/vivit/optim/damping/index';
import { Rng } from '../../../src/vivit/random';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { bruteForceCurvature, randomCase, tinyNetworks, type CurvatureCase } from '../../oracle';
import { caseModel, flat, relErr, separated } from '../ggn/case-model';

const BOOTSTRAP: DampingSpec = {
  type: 'bootstrap',
  grid: { min: 1e-3, max: 1e2, count: 100 },
  resamples: 100,
  quantile: 0.05,
  variant: 'shared_index',
};

function spec(over: Partial<DampedNewtonSpec> = {}): DampedNewtonSpec {
  return {
    type: 'damped_newton',
    lr: 1,
    damping: { type: 'constant', value: 0.1 },
    eig_threshold: 0,
    curvature: { mc_samples: 0, groups: 'whole' },
    ...over,
  };
}

function tinyCase(name: string, n: number, seed: number, extra: Partial<CurvatureCase> = {}) {
  const net = tinyNetworks().find((t) => t.name === name)!;
  const c = randomCase({
    model: net.model,
    inputShape: net.inputShape,
    N: n,
    loss: 'cross_entropy',
    seed,
  });
  return { ...c, ...extra };
}

type Oracle = ReturnType<typeof bruteForceCurvature>;

/** lr · Σ_k −γ̄_k/(λ̄_k + δ_k) e_k over all groups (flat, case order); δ per group. */
function oracleUpdate(o: Oracle, lr: number, deltas: ArrayLike<number>[]): Float64Array {
  const step = new Float64Array(o.intermediates.D);
  o.intermediates.groups.forEach((g, gi) => {
    for (let k = 0; k < g.K; k++) {
      const delta = deltas[gi][k];
      if (delta === Infinity) continue;
      const tau = -g.gammaMeans[k] / (g.lambdaMeans[k] + delta);
      g.eigenvectors[k].forEach((v, a) => (step[g.coords[a]] += lr * tau * v));
    }
  });
  return step;
}

/** The report's arrays of group `gi` (they hold the groups one after another). */
function groupSlice<T>(list: T[], sizes: number[], gi: number): T[] {
  const start = sizes.slice(0, gi).reduce((a, b) => a + b, 0);
  return list.slice(start, start + sizes[gi]);
}

describe('damped Newton against the dense-GGN oracle', () => {
  const c = tinyCase('cnn-maxpool', 5, 17);
  const oracle = bruteForceCurvature(c);
  const og = oracle.intermediates.groups[0];
  const { model, batch } = caseModel(float64Ops, c);

  it('constant δ: update, λ̄_k, |γ̄_k|, step lengths and predicted change', async () => {
    const lr = 0.7;
    const delta = 0.1;
    const { update, report } = await createDampedNewton(spec({ lr }), 1).direction(model, batch);
    const K = og.K;
    expect(report.groupSizes).toEqual([K]);
    expect(relErr(flat(update), oracleUpdate(oracle, lr, [new Array(K).fill(delta)]))).toBeLessThan(
      1e-8,
    );
    expect(relErr(report.lambdaMean, og.lambdaMeans)).toBeLessThan(1e-8);
    // The optimizer orients e_k so that γ̄_k ≥ 0 (the oracle by its largest entry).
    report.gammaMean.forEach((g) => expect(g).toBeGreaterThanOrEqual(0));
    expect(relErr(report.gammaMean, og.gammaMeans.map(Math.abs))).toBeLessThan(1e-8);
    const tau = Array.from(
      og.gammaMeans,
      (g, k) => (-lr * Math.abs(g)) / (og.lambdaMeans[k] + delta),
    );
    expect(relErr(report.stepLength, tau)).toBeLessThan(1e-8);
    expect(report.damping).toEqual(new Array(K).fill(delta));
    const predicted = tau.reduce(
      (s, t, k) => s + Math.abs(og.gammaMeans[k]) * t + 0.5 * og.lambdaMeans[k] * t * t,
      0,
    );
    expect(Math.abs(report.predictedChange - predicted)).toBeLessThan(1e-8 * Math.abs(predicted));
    expect(report.predictedChange).toBeLessThan(0);
  });

  it('bootstrap δ_k per direction: the update with the chosen δ_k, chosen from the right data', async () => {
    const seed = 4;
    const { update, report } = await createDampedNewton(
      spec({ damping: BOOTSTRAP }),
      seed,
    ).direction(model, batch);
    const deltas = report.damping;
    // Per-direction damping, with some directions kept: otherwise the check would be weak.
    expect(new Set(deltas).size).toBeGreaterThan(1);
    expect(deltas.some((d) => Number.isFinite(d))).toBe(true);
    expect(relErr(flat(update), oracleUpdate(oracle, 1, [deltas]))).toBeLessThan(1e-8);
    // The same policy on the oracle's γ_nk, λ_nk (columns may differ in sign, which the
    // bootstrap's reduction does not see) with the optimizer's stream gives the same δ_k.
    const K = og.K;
    expect(separated(Array.from(og.eigenvalues.subarray(0, K))).every(Boolean)).toBe(true);
    const matrix = (rows: Float64Array[]) => ({
      rows: rows.length,
      cols: K,
      data: Float64Array.from(rows.flatMap((r) => Array.from(r))),
    });
    const expected = bootstrapDamping(
      matrix(og.gammas),
      matrix(og.lambdas),
      { grid: logGrid(1e-3, 1e2, 100), resamples: 100, quantile: 0.05, variant: 'shared_index' },
      new Rng(seed, 'damped-newton-bootstrap'),
    ).damping;
    expect(deltas).toEqual(Array.from(expected));
  });

  it('eigenvalue threshold and top_k: no step outside the kept directions', async () => {
    const values = Array.from(og.eigenvalues.subarray(0, og.K));
    const threshold = values[Math.floor(og.K / 2)]; // keeps the directions strictly above it
    const aboveThreshold = values.filter((v) => v > threshold).length;
    for (const topK of [undefined, 2]) {
      const kept = Math.min(aboveThreshold, topK ?? Infinity);
      const { update, report } = await createDampedNewton(
        spec({ lr: 0.5, eig_threshold: threshold, ...(topK ? { top_k: topK } : {}) }),
        0,
      ).direction(model, batch);
      expect(report.groupSizes).toEqual([kept]);
      const deltas = values.map((_, k) => (k < kept ? 0.1 : Infinity));
      expect(relErr(flat(update), oracleUpdate(oracle, 0.5, [deltas]))).toBeLessThan(1e-8);
    }
  });

  it('per-layer groups with curvature sub-sampling', async () => {
    const base = tinyCase('mlp-tanh', 7, 5);
    const network = caseModel(float64Ops, base).network;
    const sub = { subsampling: [0, 1, 2, 3], param_groups: layerwiseGroups(network) };
    const o = bruteForceCurvature({ ...base, ...sub });
    const { model: m, batch: b } = caseModel(float64Ops, base);
    const { update, report } = await createDampedNewton(
      spec({ lr: 0.9, curvature: { subsampling: 4, mc_samples: 0, groups: 'per_layer' } }),
      0,
    ).direction(m, b);
    const sizes = o.intermediates.groups.map((g) => g.K);
    expect(sizes.length).toBe(2);
    expect(report.groupSizes).toEqual(sizes);
    expect(
      relErr(
        flat(update),
        oracleUpdate(
          o,
          0.9,
          sizes.map((k) => new Array(k).fill(0.1)),
        ),
      ),
    ).toBeLessThan(1e-8);
    o.intermediates.groups.forEach((g, gi) =>
      expect(relErr(groupSlice(report.lambdaMean, sizes, gi), g.lambdaMeans)).toBeLessThan(1e-8),
    );
  });
});

describe('damped Newton: model and determinism', () => {
  it('on an exactly quadratic loss the predicted change is the actual change', async () => {
    // One linear layer with MSE: the loss is quadratic in θ and its Hessian is the GGN, and
    // the step lies in the span of eigenvectors, so Σ_k (γ̄_k s_k + ½ λ̄_k s_k²) is exact.
    const c = randomCase({
      model: [{ type: 'linear', in: 3, out: 2 }],
      inputShape: [3],
      N: 6,
      loss: 'mse',
      seed: 2,
    });
    const { model, batch, network } = caseModel(float64Ops, c);
    const lr = 0.8;
    const { update, report, curvature } = await createDampedNewton(
      spec({ lr, damping: { type: 'constant', value: 0.3 } }),
      0,
    ).direction(model, batch);
    const ops = float64Ops;
    const deltas = network.paramsFromTorch(ops, update);
    const after = network.forward(
      ops,
      model.params.map((p, i) => ops.add(p, deltas[i])),
      batchToEngine(ops, batch.x),
      { training: false },
    ).out;
    const lossAfter = ops.item(lossModule('mse').value(ops, after, batch.y));
    const actual = lossAfter - curvature.loss;
    expect(actual).toBeLessThan(0);
    expect(Math.abs(report.predictedChange - actual)).toBeLessThan(1e-10 * Math.abs(actual));
  });

  it('Monte-Carlo curvature: the same seed repeats, a new step or seed draws anew', async () => {
    const c = tinyCase('mlp-relu', 6, 9);
    const { model, batch } = caseModel(float64Ops, c);
    const mc = spec({ curvature: { mc_samples: 1, groups: 'whole' } });
    const a = createDampedNewton(mc, 3);
    const b = createDampedNewton(mc, 3);
    const first = await a.direction(model, batch);
    expect(flat(first.update).some((v) => v !== 0)).toBe(true);
    expect((await b.direction(model, batch)).update).toEqual(first.update);
    expect(flat((await a.direction(model, batch)).update)).not.toEqual(flat(first.update));
    expect(flat((await createDampedNewton(mc, 4).direction(model, batch)).update)).not.toEqual(
      flat(first.update),
    );
    expect(a.steps).toBe(2);
  });

  it('refuses a spec built in code with bad numbers, naming the field', () => {
    expect(() => createDampedNewton(spec({ lr: 0 }), 0)).toThrow(/optimizer\.lr must be > 0/);
    expect(() => createDampedNewton(spec({ top_k: 0 }), 0)).toThrow(/optimizer\.top_k/);
    expect(() =>
      createDampedNewton(spec({ curvature: { mc_samples: -1, groups: 'whole' } }), 0),
    ).toThrow(/optimizer\.curvature\.mc_samples/);
  });
});
