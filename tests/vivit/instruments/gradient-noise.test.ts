// Cockpit's gradient-noise instruments against brute force: each sample's own gradient from
// tfjs autodiff on a one-sample copy of the case (tf.grads, float32), the statistics written
// out in their definition form (Byrd et al. 2012; Bollapragada et al. 2018; Liu et al. 2020;
// Balles et al. 2017; Thomas et al. 2019), and the engine's one-pass per-sample statistics
// (float64 ops) on tiny MLPs and CNNs with both losses.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  batchGradientMoments,
  cabsBatchSize,
  GSNR_EPSILON,
  innerProductTest,
  meanGsnr,
  normTest,
  orthogonalityTest,
  perSampleGradientStatistics,
  ticTrace,
} from '../../../src/vivit/instruments/index';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { randomCase, tinyNetworks, type CurvatureCase } from '../../oracle';
import { tfjsLossAndGradient } from '../../oracle/tfjs-reference';
import { caseModel, relErr } from '../ggn/case-model';
import { liveTensorCount } from '../helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Sample n's own gradient (PyTorch layout, flat) from autodiff on a one-sample case. */
function sampleGradient(c: CurvatureCase, n: number): Float64Array {
  const slice = (t: { shape: number[]; data: number[] }) => {
    const per = t.shape.slice(1).reduce((a, b) => a * b, 1);
    return { shape: [1, ...t.shape.slice(1)], data: t.data.slice(n * per, (n + 1) * per) };
  };
  const one = { ...c, input: slice(c.input), target: slice(c.target) } as CurvatureCase;
  return Float64Array.from(tfjsLossAndGradient(one).gradient);
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);

const cases = ['mlp-relu', 'cnn-maxpool', 'cnn-avgpool-padded'].flatMap((name) =>
  (['cross_entropy', 'mse'] as const).map((loss) => ({ name, loss })),
);

describe('gradient-noise instruments = brute force from per-sample autodiff gradients', () => {
  it.each(cases)('$name, $loss', async ({ name, loss }) => {
    const net = tinyNetworks().find((t) => t.name === name)!;
    const c = randomCase({ model: net.model, inputShape: net.inputShape, N: 6, loss, seed: 12 });
    const B = c.input.shape[0];
    const g = Array.from({ length: B }, (_, n) => sampleGradient(c, n));
    const D = g[0].length;
    const mean = new Float64Array(D);
    g.forEach((gn) => gn.forEach((v, j) => (mean[j] += v / B)));
    const meanNorm2 = dot(mean, mean);

    const { model, batch } = caseModel(float64Ops, c);
    const stats = await perSampleGradientStatistics(model, batch);
    expect(stats.batch).toBe(B);
    // The Gram matrix of the per-sample gradients.
    const gram = new Float64Array(B * B);
    for (let i = 0; i < B; i++) for (let j = 0; j < B; j++) gram[i * B + j] = dot(g[i], g[j]);
    expect(relErr(stats.gram, gram)).toBeLessThan(1e-5);
    // Per-element moments (engine layout: compared as sorted multisets).
    const sorted = (a: ArrayLike<number>) => Float64Array.from(a).sort();
    const flat = (parts: Float64Array[]) => parts.flatMap((p) => Array.from(p));
    expect(relErr(sorted(flat(stats.gradient)), sorted(mean))).toBeLessThan(1e-5);
    const squares = new Float64Array(D);
    g.forEach((gn) => gn.forEach((v, j) => (squares[j] += v * v)));
    expect(relErr(sorted(flat(stats.sumOfSquares)), sorted(squares))).toBeLessThan(1e-5);

    // The instruments in their definition form.
    const m = batchGradientMoments(stats.gram, B);
    let spread = 0;
    let projectionSpread = 0;
    let orthogonal = 0;
    g.forEach((gn) => {
      const centered = gn.map((v, j) => v - mean[j]);
      spread += dot(centered, centered);
      const p = dot(gn, mean);
      projectionSpread += (p - meanNorm2) ** 2;
      const rest = gn.map((v, j) => v - (p / meanNorm2) * mean[j]);
      orthogonal += dot(rest, rest);
    });
    const close = (got: number, want: number) =>
      expect(Math.abs(got - want) / Math.abs(want)).toBeLessThan(1e-4);
    close(normTest(m), Math.sqrt(spread / (B - 1) / (B * meanNorm2)));
    close(innerProductTest(m), Math.sqrt(projectionSpread / (B - 1) / (B * meanNorm2 ** 2)));
    close(orthogonalityTest(m), Math.sqrt(orthogonal / (B - 1) / (B * meanNorm2)));
    let gsnr = 0;
    for (let j = 0; j < D; j++) {
      gsnr += mean[j] ** 2 / (squares[j] / B - mean[j] ** 2 + GSNR_EPSILON);
    }
    close(meanGsnr(stats), gsnr / D);
    close(cabsBatchSize(m, 0.1, stats.loss), (0.1 * spread) / (B * stats.loss));
    close(ticTrace(m, 2.5), g.reduce((s, gn) => s + dot(gn, gn), 0) / B / (2.5 + 1e-7));
  });

  it('the float32 path (tfjs) gives the float64 statistics', async () => {
    const net = tinyNetworks().find((t) => t.name === 'cnn-maxpool')!;
    const c = randomCase({
      model: net.model,
      inputShape: net.inputShape,
      N: 5,
      loss: 'cross_entropy',
      seed: 3,
    });
    const exact = await perSampleGradientStatistics(
      caseModel(float64Ops, c).model,
      caseModel(float64Ops, c).batch,
    );
    const f32 = caseModel(tfjsOps, c);
    const before = liveTensorCount();
    const single = await perSampleGradientStatistics(f32.model, f32.batch);
    expect(liveTensorCount()).toBe(before);
    tf.dispose([...f32.model.params, f32.batch.x, f32.batch.y]);
    expect(relErr(single.gram, exact.gram)).toBeLessThan(1e-5);
    single.sumOfSquares.forEach((s, p) =>
      expect(relErr(s, exact.sumOfSquares[p])).toBeLessThan(1e-5),
    );
  });

  it('are NaN, not Infinity, for a zero gradient or a single sample', () => {
    const m = batchGradientMoments(new Float64Array(4), 2);
    expect([normTest(m), innerProductTest(m), orthogonalityTest(m)]).toEqual([NaN, NaN, NaN]);
    const one = batchGradientMoments(Float64Array.of(2), 1);
    expect(normTest(one)).toBeNaN();
    expect(() => batchGradientMoments(new Float64Array(3), 2)).toThrow(RangeError);
  });
});
