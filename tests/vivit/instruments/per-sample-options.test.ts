// The per-sample pass's optional outputs (per-sample losses, projections g_nᵀu, the Monte-Carlo
// GGN trace, the gradient histograms) against the float64 brute-force oracle (tests/oracle: its
// own forward, dual-number Jacobians J_n, closed-form ℓ_n and H_n, g_n = J_nᵀ∇ℓ_n and the dense
// GGN), on tiny MLPs and CNNs with both losses.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GGN_TRACE_STREAM,
  perSampleGradientStatistics,
  sampledLossFactor,
} from '../../../src/vivit/instruments/index';
import { lossModule } from '../../../src/vivit/loss/registry';
import { Rng } from '../../../src/vivit/random';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { tfjsOps, tfjsReadbackCount } from '../../../src/vivit/tensor/tfjs-ops';
import {
  bruteForceCurvature,
  randomCase,
  tinyNetworks,
  type CurvatureCase,
  type LayerSpec,
} from '../../oracle';
import { caseModel, relErr } from '../ggn/case-model';
import { liveTensorCount } from '../helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const cases = ['mlp-relu', 'cnn-maxpool'].flatMap((name) =>
  (['cross_entropy', 'mse'] as const).map((loss) => ({ name, loss })),
);

function tinyCase(name: string, loss: 'cross_entropy' | 'mse', N = 6, seed = 21) {
  const net = tinyNetworks().find((t) => t.name === name)!;
  return randomCase({ model: net.model, inputShape: net.inputShape, N, loss, seed });
}

/** A random direction per parameter, PyTorch layout (case order). */
function randomDirection(c: CurvatureCase, seed: number): Float64Array[] {
  const rng = new Rng(seed, 'test-direction');
  return c.params.map((p) => Float64Array.from(p.data, () => rng.normal()));
}

const trace = (m: Float64Array, d: number) => {
  let s = 0;
  for (let i = 0; i < d; i++) s += m[i * d + i];
  return s;
};

// ---- histogram brute force: the edge rule written out again, bins found by searching edges.
function bruteEdges(lo: number, hi: number, bins: number): number[] {
  return Array.from({ length: bins + 1 }, (_, k) =>
    k === bins ? hi : lo + ((hi - lo) * k) / bins,
  );
}
function bruteBin(v: number, edges: number[]): number {
  const bins = edges.length - 1;
  let k = 0;
  while (k + 1 < bins && v >= edges[k + 1]) k++;
  return k;
}
function bruteRange(values: number[]): number {
  const maxAbs = Math.max(...values.map(Math.abs));
  const rms = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
  const r = Math.min(maxAbs, 4 * rms);
  return r > 0 ? r : 1;
}

describe('perSampleGradientStatistics options = brute force (float64 oracle)', () => {
  it.each(cases)('losses and projections: $name, $loss', async ({ name, loss }) => {
    const c = tinyCase(name, loss);
    const o = bruteForceCurvature(c).intermediates;
    const { model, batch, network } = caseModel(float64Ops, c);
    const u = randomDirection(c, 5);
    const direction = network.paramsFromTorch(float64Ops, u);
    const stats = await perSampleGradientStatistics(model, batch, undefined, {
      losses: true,
      direction,
    });
    const flatU = u.flatMap((p) => Array.from(p));
    const projections = o.sampleGradients.map((g) => g.reduce((s, v, j) => s + v * flatU[j], 0));
    expect(relErr(stats.losses!, o.sampleLosses)).toBeLessThan(1e-6);
    expect(relErr(stats.projections!, projections)).toBeLessThan(1e-6);
    // ℓ_n average to the batch loss.
    const mean = stats.losses!.reduce((s, v) => s + v, 0) / o.N;
    expect(Math.abs(mean - stats.loss)).toBeLessThan(1e-12 * Math.abs(stats.loss));
    // The options leave the base statistics as they were.
    const base = await perSampleGradientStatistics(model, batch);
    expect(Array.from(stats.gram)).toEqual(Array.from(base.gram));
    expect(base.losses).toBeUndefined();
    expect(base.projections).toBeUndefined();
    expect(base.ggnTrace).toBeUndefined();
    expect(base.histograms).toBeUndefined();
    // Without the moments (α's lean pass): the same losses and projections, no Gram matrix.
    const lean = await perSampleGradientStatistics(model, batch, undefined, {
      moments: false,
      losses: true,
      direction,
    });
    expect(Array.from(lean.losses!)).toEqual(Array.from(stats.losses!));
    expect(relErr(lean.projections!, Array.from(stats.projections!))).toBeLessThan(1e-12);
    expect(lean.gram).toHaveLength(0);
    expect(lean.sumOfSquares).toEqual([]);
    expect(lean.loss).toBe(stats.loss);
  });

  it.each(cases)('histograms: $name, $loss', async ({ name, loss }) => {
    const c = tinyCase(name, loss, 7, 4);
    const o = bruteForceCurvature(c).intermediates;
    const { model, batch, network } = caseModel(float64Ops, c);
    const bins = { gradientBins: 9, paramBins: 5 };
    const stats = await perSampleGradientStatistics(model, batch, undefined, { histograms: bins });
    const h = stats.histograms!;
    const B = o.N;
    const D = o.D;
    // 1-D: every element of every sample.
    const all = o.sampleGradients.flatMap((g) => Array.from(g));
    const r = bruteRange(all);
    const edges = bruteEdges(-r, r, bins.gradientBins);
    const counts = new Array<number>(bins.gradientBins).fill(0);
    for (const v of all) counts[bruteBin(v, edges)]++;
    // Edges from the oracle's g agree to roundoff; the counts exactly.
    expect(relErr(h.gradient.edges, edges)).toBeLessThan(1e-12);
    expect(Array.from(h.gradient.counts)).toEqual(counts);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(B * D);
    // 2-D: one per layer with parameters, (θ_j, g_nj) pairs.
    const layers = [...new Set(network.params.map((p) => p.layer))].sort((a, b) => a - b);
    expect(h.layers.map((l) => l.layer)).toEqual(layers);
    let total = 0;
    h.layers.forEach((entry) => {
      const ps = network.params.flatMap((p, k) => (p.layer === entry.layer ? [k] : []));
      const theta: number[] = [];
      const grads: number[][] = o.sampleGradients.map(() => []);
      ps.forEach((k) => {
        const off = o.paramOffsets[k];
        const size = c.params[k].data.length;
        theta.push(...c.params[k].data);
        o.sampleGradients.forEach((g, n) => grads[n].push(...g.subarray(off, off + size)));
      });
      const rl = bruteRange(grads.flat());
      let lo = Math.min(...theta);
      let hi = Math.max(...theta);
      if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
      const pe = bruteEdges(lo, hi, bins.paramBins);
      const ge = bruteEdges(-rl, rl, bins.gradientBins);
      const want = new Array<number>(bins.paramBins * bins.gradientBins).fill(0);
      theta.forEach((t, j) => {
        for (let n = 0; n < B; n++) {
          want[bruteBin(t, pe) * bins.gradientBins + bruteBin(grads[n][j], ge)]++;
        }
      });
      expect(Array.from(entry.paramEdges)).toEqual(pe);
      expect(relErr(entry.gradEdges, ge)).toBeLessThan(1e-12);
      expect(Array.from(entry.counts)).toEqual(want);
      const sum = entry.counts.reduce((a, b) => a + b, 0);
      expect(sum).toBe(B * theta.length);
      total += sum;
    });
    expect(total).toBe(B * D);
  });

  it('histograms clamp to the edge bins when 4·rms < max|g|, and put 0 gradients mid-axis', async () => {
    const { gradientHistograms } = await import('../../../src/vivit/instruments/grad-hist');
    // Two samples, one layer: θ all 1 (a single value), g = [0, 100, −1 × 98] per sample.
    const g = new Float64Array(200).fill(-1);
    g[0] = 0;
    g[1] = 100;
    g[100] = 0;
    g[101] = 100;
    const h = gradientHistograms(
      [{ layer: 3, params: [new Float64Array(100).fill(1)], perSample: [g] }],
      2,
      { gradientBins: 4, paramBins: 2 },
    );
    const r = 4 * Math.sqrt((100 * 100 + 98) / 100); // ≈ 40.2 < max|g| = 100
    expect(h.gradient.edges[4]).toBeCloseTo(r, 12);
    expect(h.gradient.edges[0]).toBeCloseTo(-r, 12);
    // −1 → bin 1 ([−r/2, 0)), 0 → bin 2 ([0, r/2)), 100 → clamped into bin 3.
    expect(Array.from(h.gradient.counts)).toEqual([0, 196, 2, 2]);
    expect(Array.from(h.layers[0].paramEdges)).toEqual([0.5, 1, 1.5]);
    expect(Array.from(h.layers[0].counts)).toEqual([0, 0, 0, 0, 0, 196, 2, 2]);
    // An exact 0 lands in the upper middle bin (even bin counts) for any range.
    for (let t = 1; t < 300; t++) {
      const r2 = t * 0.37;
      const hz = gradientHistograms(
        [{ layer: 0, params: [Float64Array.of(0, 1)], perSample: [Float64Array.of(0, -r2)] }],
        1,
        { gradientBins: 6, paramBins: 1 },
      );
      expect(Array.from(hz.gradient.counts)).toEqual([1, 0, 0, 1, 0, 0]);
    }
    const zero = gradientHistograms(
      [{ layer: 0, params: [Float64Array.of(-1, 2)], perSample: [new Float64Array(2)] }],
      1,
      { gradientBins: 2, paramBins: 3 },
    );
    expect(Array.from(zero.gradient.edges)).toEqual([-1, 0, 1]);
    expect(Array.from(zero.layers[0].paramEdges)).toEqual([-1, 0, 1, 2]);
    expect(Array.from(zero.layers[0].counts)).toEqual([0, 1, 0, 0, 0, 1]);
    expect(() => gradientHistograms([], 1, { gradientBins: 0, paramBins: 1 })).toThrow(RangeError);
  });
});

describe('the Monte-Carlo GGN trace', () => {
  const exactTrace = (c: CurvatureCase) => {
    const o = bruteForceCurvature(c).intermediates;
    return trace(o.ggn, o.D);
  };

  it('is deterministic for a fixed seed and changes with it', async () => {
    const c = tinyCase('cnn-maxpool', 'cross_entropy');
    const { model, batch } = caseModel(float64Ops, c);
    const at = async (seed: number) =>
      (await perSampleGradientStatistics(model, batch, undefined, { ggnTraceSeed: seed }))
        .ggnTrace!;
    const a = await at(3);
    expect(await at(3)).toBe(a);
    expect(await at(4)).not.toBe(a);
    expect(a).toBeGreaterThan(0);
  });

  it('draws the cross-entropy factor as the loss module does (same stream, same classes)', () => {
    const rng = new Rng(9, 'test-logits');
    const out = float64Ops.fromArray(
      Float64Array.from({ length: 40 * 5 }, () => 2 * rng.normal()),
      [40, 5],
    );
    const y = float64Ops.fromArray(
      Float64Array.from({ length: 40 }, (_, i) => i % 5),
      [40],
    );
    const loss = lossModule('cross_entropy');
    const mine = sampledLossFactor(float64Ops, loss, out, y, new Rng(17, GGN_TRACE_STREAM));
    const module = loss.sqrtHessianSampled(float64Ops, out, y, 1, new Rng(17, GGN_TRACE_STREAM));
    expect(float64Ops.shape(mine)).toEqual([1, 40, 5]);
    expect(relErr(float64Ops.toArray(mine), float64Ops.toArray(module))).toBeLessThan(1e-14);
  });

  it.each([
    { name: 'mlp-relu', loss: 'cross_entropy' as const, seeds: 1000 },
    { name: 'cnn-maxpool', loss: 'cross_entropy' as const, seeds: 1000 },
    { name: 'mlp-relu', loss: 'mse' as const, seeds: 400 },
    { name: 'cnn-maxpool', loss: 'mse' as const, seeds: 400 },
  ])('averages over $seeds seeds to the exact trace within 5 %: $name, $loss', async (t) => {
    const c = tinyCase(t.name, t.loss, 32, 2);
    const exact = exactTrace(c);
    const { model, batch } = caseModel(float64Ops, c);
    const values: number[] = [];
    for (let seed = 0; seed < t.seeds; seed++) {
      const s = await perSampleGradientStatistics(model, batch, undefined, { ggnTraceSeed: seed });
      values.push(s.ggnTrace!);
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
    const stdErr = sd / Math.sqrt(values.length);
    // Within 5 %, and consistent with the estimator's own spread (unbiased, not just close).
    expect(Math.abs(mean - exact) / exact).toBeLessThan(0.05);
    expect(Math.abs(mean - exact)).toBeLessThan(4 * stdErr);
    // A single draw is not exact here (the factor is random): the spread is real.
    expect(sd).toBeGreaterThan(0);
  });

  it('is exact for mse with one output (s = ±√2, s sᵀ = H) and carries the 1/B of the mean', async () => {
    const model1: LayerSpec[] = [
      { type: 'linear', in: 4, out: 5 },
      { type: 'tanh' },
      { type: 'linear', in: 5, out: 1 },
    ];
    for (const N of [3, 7]) {
      const c = randomCase({ model: model1, inputShape: [4], N, loss: 'mse', seed: 8 });
      const exact = exactTrace(c);
      const o = bruteForceCurvature(c).intermediates;
      const sum = o.sampleGGNs.map((g) => trace(g, o.D)).reduce((a, b) => a + b, 0);
      // The oracle's GGN is the mean of the per-sample ones: not their sum.
      expect(Math.abs(sum / N - exact)).toBeLessThan(1e-12 * exact);
      const { model, batch } = caseModel(float64Ops, c);
      for (const seed of [0, 1, 2]) {
        const s = await perSampleGradientStatistics(model, batch, undefined, {
          ggnTraceSeed: seed,
        });
        expect(Math.abs(s.ggnTrace! - exact) / exact).toBeLessThan(1e-10);
      }
    }
  });

  it('keeps its value when the batch is duplicated (mean over samples, not a sum)', async () => {
    const model1: LayerSpec[] = [{ type: 'linear', in: 3, out: 1 }];
    const c = randomCase({ model: model1, inputShape: [3], N: 4, loss: 'mse', seed: 2 });
    const twice: CurvatureCase = {
      ...c,
      input: { shape: [8, 3], data: [...c.input.data, ...c.input.data] },
      target: { shape: [8, 1], data: [...c.target.data, ...c.target.data] },
    };
    const one = caseModel(float64Ops, c);
    const two = caseModel(float64Ops, twice);
    const a = await perSampleGradientStatistics(one.model, one.batch, undefined, {
      ggnTraceSeed: 1,
    });
    const b = await perSampleGradientStatistics(two.model, two.batch, undefined, {
      ggnTraceSeed: 1,
    });
    expect(Math.abs(a.ggnTrace! - b.ggnTrace!) / a.ggnTrace!).toBeLessThan(1e-12);
  });
});

describe('the float32 path (tfjs)', () => {
  it('gives the float64 outputs in one pass and frees its tensors', async () => {
    const c = tinyCase('cnn-maxpool', 'cross_entropy', 5, 3);
    const exact = caseModel(float64Ops, c);
    const u = randomDirection(c, 2);
    const options = {
      losses: true,
      ggnTraceSeed: 5,
      histograms: { gradientBins: 6, paramBins: 4 },
    };
    const want = await perSampleGradientStatistics(exact.model, exact.batch, undefined, {
      ...options,
      direction: exact.network.paramsFromTorch(float64Ops, u),
    });
    const f32 = caseModel(tfjsOps, c);
    const direction = f32.network.paramsFromTorch(tfjsOps, u);
    const before = liveTensorCount();
    const reads = tfjsReadbackCount();
    const got = await perSampleGradientStatistics(f32.model, f32.batch, undefined, {
      ...options,
      direction,
    });
    expect(tfjsReadbackCount() - reads, 'one round trip').toBe(1);
    expect(liveTensorCount()).toBe(before);
    tf.dispose([...f32.model.params, f32.batch.x, f32.batch.y, ...direction]);
    expect(relErr(got.losses!, want.losses!)).toBeLessThan(1e-5);
    expect(relErr(got.projections!, want.projections!)).toBeLessThan(1e-5);
    expect(Math.abs(got.ggnTrace! - want.ggnTrace!) / want.ggnTrace!).toBeLessThan(1e-5);
    const h = got.histograms!;
    const w = want.histograms!;
    expect(h.gradient.counts.reduce((a, b) => a + b, 0)).toBe(5 * 77);
    expect(relErr(h.gradient.edges, w.gradient.edges)).toBeLessThan(1e-5);
    // Counts may differ where a float32 value sits within roundoff of an edge: at most a few.
    const moved = h.gradient.counts.reduce((s, v, i) => s + Math.abs(v - w.gradient.counts[i]), 0);
    expect(moved).toBeLessThanOrEqual(2);
    h.layers.forEach((l, i) => {
      expect(l.layer).toBe(w.layers[i].layer);
      expect(l.counts.reduce((a, b) => a + b, 0)).toBe(
        w.layers[i].counts.reduce((a, b) => a + b, 0),
      );
    });
  });
});
