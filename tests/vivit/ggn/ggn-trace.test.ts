// Each curvature group's ggnTrace = tr G̃: the sum of ALL its eigenvalues (whatever topK keeps),
// the trace of the group's block of the dense GGN by brute force (tests/oracle), the same on the
// device eigensolver's path, and, under a one-vector Monte-Carlo factor, the per-sample
// instruments' GGN-trace estimate for the same seed (the same draws).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeCurvature } from '../../../src/vivit/curvature';
import { layerwiseGroups } from '../../../src/vivit/ggn/groups';
import { perSampleGradientStatistics } from '../../../src/vivit/instruments/index';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { bruteForceCurvature, randomCase, tinyNetworks } from '../../oracle';
import { caseModel } from './case-model';
import { liveTensorCount } from '../helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

const cases = ['mlp-relu', 'cnn-maxpool', 'cnn-avgpool-padded'].flatMap((name) =>
  (['cross_entropy', 'mse'] as const).map((loss) => ({ name, loss })),
);

function tinyCase(name: string, loss: 'cross_entropy' | 'mse', extra = {}) {
  const net = tinyNetworks().find((t) => t.name === name)!;
  return randomCase({
    model: net.model,
    inputShape: net.inputShape,
    N: 5,
    loss,
    seed: 7,
    ...extra,
  });
}

describe('ggnTrace of each curvature group', () => {
  it.each(cases)('= Σ eigenvalues = brute-force tr G, per group: $name, $loss', async (t) => {
    const c = tinyCase(t.name, t.loss, { subsampling: [4, 0, 2] });
    const { model, batch, network } = caseModel(float64Ops, c);
    const groups = layerwiseGroups(network);
    const oracle = bruteForceCurvature({ ...c, param_groups: groups.map((g) => [...g]) });
    const r = await computeCurvature(model, batch, {
      quantities: ['eigenvalues'],
      groups,
      subsampling: c.subsampling,
    });
    expect(r.groups.length).toBe(groups.length);
    r.groups.forEach((g, gi) => {
      const block = oracle.intermediates.groups[gi];
      const d = block.coords.length;
      let exact = 0;
      for (let i = 0; i < d; i++) exact += block.ggn[i * d + i];
      expect(rel(g.ggnTrace, sum(g.eigenvalues))).toBeLessThan(1e-6);
      expect(rel(g.ggnTrace, exact)).toBeLessThan(1e-6);
    });
  });

  it.each(cases)('is unchanged when topK = 2 keeps fewer: $name, $loss', async (t) => {
    const c = tinyCase(t.name, t.loss);
    const { model, batch } = caseModel(float64Ops, c);
    const all = await computeCurvature(model, batch, { quantities: ['eigenvalues'] });
    const top = await computeCurvature(model, batch, { quantities: ['eigenvalues'], topK: 2 });
    expect(top.groups[0].eigenvalues.length).toBe(2);
    expect(all.groups[0].eigenvalues.length).toBeGreaterThan(2);
    expect(rel(top.groups[0].ggnTrace, all.groups[0].ggnTrace)).toBeLessThan(1e-12);
    expect(sum(top.groups[0].eigenvalues)).toBeLessThan(0.999 * top.groups[0].ggnTrace);
  });

  it('is read with the device eigensolver (float32, topK = 2) and frees its tensors', async () => {
    const c = tinyCase('cnn-maxpool', 'cross_entropy');
    const exact = await computeCurvature(
      caseModel(float64Ops, c).model,
      caseModel(float64Ops, c).batch,
      { quantities: ['eigenvalues'] },
    );
    const f32 = caseModel(tfjsOps, c);
    const before = liveTensorCount();
    const r = await computeCurvature(f32.model, f32.batch, {
      quantities: ['eigenvalues'],
      topK: 2,
      eigensolver: 'device',
    });
    expect(liveTensorCount()).toBe(before);
    tf.dispose([...f32.model.params, f32.batch.x, f32.batch.y]);
    expect(r.groups[0].eigenvalues.length).toBe(2);
    expect(rel(r.groups[0].ggnTrace, exact.groups[0].ggnTrace)).toBeLessThan(1e-5);
  });

  it.each(['cross_entropy', 'mse'] as const)(
    'with one MC vector = the per-sample instruments’ estimate for the same seed (%s)',
    async (loss) => {
      const c = tinyCase('mlp-relu', loss);
      const { model, batch } = caseModel(float64Ops, c);
      for (const seed of [0, 5]) {
        const r = await computeCurvature(model, batch, {
          quantities: ['eigenvalues'],
          mcSamples: 1,
          seed,
        });
        const s = await perSampleGradientStatistics(model, batch, undefined, {
          ggnTraceSeed: seed,
        });
        expect(rel(s.ggnTrace!, r.groups[0].ggnTrace)).toBeLessThan(1e-10);
      }
    },
  );
});
