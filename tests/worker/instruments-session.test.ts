// Cockpit's instruments in a real training session (in process; the worker thread only wires
// this class to a port): their schedules, their records against per-sample gradients from
// tfjs autodiff on one-sample copies of the batch (an independent oracle), and that measuring
// does not change the training.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunDefinition } from '../../src/protocol/definition';
import { encodeRecord } from '../../src/protocol/log-codec';
import type {
  HistogramRecord,
  NoiseRecord,
  StepQualityRecord,
  StepRecord,
} from '../../src/protocol/records';
import { validateLogRecord } from '../../src/protocol/validate';
import type { WorkerMessage } from '../../src/protocol/worker';
import { createTrainer, localStepSize, type TorchParameter } from '../../src/vivit';
import { BatchSource } from '../../src/worker/data/batches';
import { loadDataset } from '../../src/worker/data/load';
import { parseDefinition } from '../../src/worker/definition';
import { collect, forceWasmBackend } from './helpers/session-harness';

const PLAIN = `name: instruments test
seed: 3
data: {source: mnist, train_size: 256, test_size: 64}
model:
  - flatten
  - {type: linear, in: 784, out: 16}
  - relu
  - {type: linear, in: 16, out: 10}
loss: cross_entropy
optimizer: {type: sgd, lr: 0.1, momentum: 0.9}
batch_size: 32
steps: 9
eval: {every: 100}
`;
const TEXT =
  PLAIN +
  `instruments:
  noise: 4
  step: 3
  histograms: {schedule: 5, gradient_bins: 16, param_bins: 8}
`;
const parsed = parseDefinition(TEXT, 'instruments-test.yaml');
const definition = parsed.definition as RunDefinition;
const plain = parseDefinition(PLAIN, 'plain.yaml').definition as RunDefinition;

const finished = (m: WorkerMessage) =>
  m.type === 'state' && (m.state === 'finished' || m.state === 'error');

async function run(def: RunDefinition) {
  const c = collect();
  c.session.handle({ type: 'start', definition: def });
  await c.until(finished);
  return c;
}

/** The run's trainer state replayed: parameters after each of the first `steps` updates. */
async function replay(steps: number) {
  const dataset = await loadDataset(definition.data, definition.seed, process.cwd());
  const batches = new BatchSource(dataset, definition.loss, definition.batch_size, definition.seed);
  const trainer = createTrainer({
    layers: definition.model,
    inputShape: dataset.inputShape,
    loss: definition.loss,
    optimizer: definition.optimizer,
    seed: definition.seed,
  });
  const params: TorchParameter[][] = [await trainer.readParameters()];
  for (let s = 0; s < steps; s++) {
    const b = batches.batch(s);
    await trainer.trainStep(b.x, b.y);
    tf.dispose([b.x, b.y]);
    params.push(await trainer.readParameters());
  }
  trainer.dispose();
  return { batches, params };
}

/** Per-sample losses and gradients (flat, PyTorch order) by autodiff on each sample alone. */
function perSample(params: TorchParameter[], x: tf.Tensor, y: tf.Tensor) {
  const [w1, b1, w2, b2] = params.map((p) => tf.tensor(p.data, p.shape));
  const labels = Array.from(y.dataSync());
  const losses: number[] = [];
  const grads: Float64Array[] = [];
  const lossOf =
    (xs: tf.Tensor, label: number) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => {
      const h = tf.relu(tf.add(tf.matMul(xs, a, false, true), b));
      const logits = tf.add(tf.matMul(h, c, false, true), d);
      return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot([label], 10))));
    };
  for (let n = 0; n < labels.length; n++) {
    const xs = tf.tidy(() => tf.reshape(tf.slice(x, [n], [1]), [1, 784]));
    const f = lossOf(xs, labels[n]);
    const direct = tf.grads(f)([w1, b1, w2, b2]);
    const value = f(w1, b1, w2, b2);
    losses.push(value.dataSync()[0]);
    value.dispose();
    const flat = new Float64Array(direct.reduce((s, t) => s + t.size, 0));
    let o = 0;
    for (const t of direct) {
      flat.set(t.dataSync(), o);
      o += t.size;
    }
    grads.push(flat);
    tf.dispose([xs, ...direct]);
  }
  tf.dispose([w1, b1, w2, b2]);
  return { losses, grads };
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const flatParams = (ps: TorchParameter[]) =>
  Float64Array.from(ps.flatMap((p) => Array.from(p.data)));
const closeTo = (actual: number, expected: number, rtol = 1e-3) =>
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(
    rtol * Math.max(1e-8, Math.abs(expected)),
  );

forceWasmBackend();
let measured: Awaited<ReturnType<typeof run>>;
let unmeasured: Awaited<ReturnType<typeof run>>;
let history: Awaited<ReturnType<typeof replay>>;
beforeAll(async () => {
  measured = await run(definition);
  unmeasured = await run(plain);
  history = await replay(9);
}, 180_000);

describe('instruments in the session', () => {
  it('run on their own schedules, and measuring leaves the training unchanged', () => {
    expect(parsed.issues).toEqual([]);
    expect(measured.messages.find((m) => m.type === 'error')).toBeUndefined();
    expect(measured.records('noise').map((r) => r.step)).toEqual([0, 4, 8]);
    expect(measured.records('histogram').map((r) => r.step)).toEqual([0, 5]);
    // Step quality is about update s itself: after step record s, before s + 1.
    expect(measured.records('step_quality').map((r) => r.step)).toEqual([3, 6, 9]);
    const losses = (c: typeof measured) => c.records('step').map((r) => (r as StepRecord).loss);
    expect(losses(measured)).toEqual(losses(unmeasured));
    // Each record survives the session log.
    for (const type of ['noise', 'step_quality', 'histogram'] as const) {
      for (const r of measured.records(type)) {
        const back = validateLogRecord(JSON.parse(encodeRecord(r)));
        expect(back.ok && back.value).toEqual(r);
      }
    }
  });

  it('noise: every statistic equals its definition on explicit per-sample gradients', () => {
    for (const record of measured.records('noise') as NoiseRecord[]) {
      const b = history.batches.batch(record.step);
      const { losses, grads } = perSample(history.params[record.step], b.x, b.y);
      tf.dispose([b.x, b.y]);
      const B = grads.length;
      const D = grads[0].length;
      const mean = new Float64Array(D);
      for (const g of grads) g.forEach((v, j) => (mean[j] += v / B));
      const meanSq = dot(mean, mean);
      expect(record.batch).toBe(B);
      closeTo(record.loss, losses.reduce((s, v) => s + v, 0) / B, 1e-5);
      closeTo(record.gradNorm, Math.sqrt(meanSq));
      grads.forEach((g, n) => closeTo(record.sampleGradNorms[n], Math.sqrt(dot(g, g))));
      const sumSq = grads.reduce((s, g) => s + dot(g, g), 0);
      const centered = grads.reduce(
        (s, g) => s + g.reduce((a, v, j) => a + (v - mean[j]) ** 2, 0),
        0,
      );
      closeTo(record.normTest, Math.sqrt(centered / (B - 1) / (B * meanSq)), 1e-3);
      const ip = grads.reduce((s, g) => s + (dot(g, mean) - meanSq) ** 2, 0);
      closeTo(record.innerProductTest, Math.sqrt(ip / (B - 1) / (B * meanSq ** 2)), 1e-3);
      const orth = grads.reduce((s, g) => {
        const c = dot(g, mean) / meanSq;
        return s + g.reduce((a, v, j) => a + (v - c * mean[j]) ** 2, 0);
      }, 0);
      closeTo(record.orthogonalityTest, Math.sqrt(orth / (B - 1) / (B * meanSq)), 1e-3);
      let gsnr = 0;
      for (let j = 0; j < D; j++) {
        const second = grads.reduce((s, g) => s + g[j] ** 2, 0) / B;
        gsnr += mean[j] ** 2 / (second - mean[j] ** 2 + 1e-5) / D;
      }
      closeTo(record.meanGsnr, gsnr, 1e-3);
      const loss = losses.reduce((s, v) => s + v, 0) / B;
      closeTo(record.cabsBatchSize!, (0.1 * (sumSq - B * meanSq)) / (B * loss), 1e-3);
      // tr(GGN) is a one-sample Monte-Carlo estimate (tested in tests/vivit/instruments);
      // TIC is the second moment's trace over it.
      expect(record.ggnTrace).toBeGreaterThan(0);
      closeTo(record.tic, sumSq / B / (record.ggnTrace + 1e-7), 1e-3);
    }
  }, 120_000);

  it('step quality: update size, distance and α from the parameters around each update', () => {
    const theta0 = flatParams(history.params[0]);
    for (const record of measured.records('step_quality') as StepQualityRecord[]) {
      const before = flatParams(history.params[record.step - 1]);
      const after = flatParams(history.params[record.step]);
      const delta = after.map((v, i) => v - before[i]);
      const t = Math.sqrt(dot(delta, delta));
      closeTo(record.updateSize, t, 1e-4);
      closeTo(
        record.distance,
        Math.sqrt(after.reduce((s, v, i) => s + (v - theta0[i]) ** 2, 0)),
        1e-4,
      );
      expect(record.updateSizes).toHaveLength(4);
      closeTo(Math.hypot(...record.updateSizes), t, 1e-4);
      const u = delta.map((v) => v / t);
      const b = history.batches.batch(record.step - 1);
      const at = (params: TorchParameter[]) => {
        const { losses, grads } = perSample(params, b.x, b.y);
        const slopes = grads.map((g) => dot(g, u));
        const stats = (v: number[]) => {
          const m = v.reduce((s, x) => s + x, 0) / v.length;
          return { m, var: v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1) };
        };
        const l = stats(losses);
        const s = stats(slopes);
        return { loss: l.m, lossVariance: l.var, slope: s.m, slopeVariance: s.var };
      };
      const start = at(history.params[record.step - 1]);
      const end = at(history.params[record.step]);
      tf.dispose([b.x, b.y]);
      closeTo(record.lossBefore, start.loss, 1e-5);
      closeTo(record.lossAfter, end.loss, 1e-5);
      closeTo(record.slopeBefore, start.slope, 1e-3);
      closeTo(record.slopeAfter, end.slope, 1e-3);
      const alpha = localStepSize(t, start, end)!;
      expect(Math.abs(record.alpha! - alpha)).toBeLessThanOrEqual(
        1e-3 * Math.max(1, Math.abs(alpha)),
      );
    }
  }, 120_000);

  it('histograms: every individual gradient element counted once, in the bins of its value', () => {
    for (const record of measured.records('histogram') as HistogramRecord[]) {
      const b = history.batches.batch(record.step);
      const { grads } = perSample(history.params[record.step], b.x, b.y);
      tf.dispose([b.x, b.y]);
      const all = grads.flatMap((g) => Array.from(g));
      const sum = (c: Float64Array) => c.reduce((s, v) => s + v, 0);
      expect(sum(record.gradient.counts)).toBe(all.length);
      expect(record.gradient.counts).toHaveLength(16);
      // Symmetric range min(max|g|, 4 rms), as documented.
      const maxAbs = all.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const rms = Math.sqrt(all.reduce((s, v) => s + v * v, 0) / all.length);
      closeTo(record.gradient.edges[16], Math.min(maxAbs, 4 * rms), 1e-4);
      closeTo(record.gradient.edges[0], -Math.min(maxAbs, 4 * rms), 1e-4);
      // Brute-force binning: float32 against float64 may move a few boundary elements.
      const lo = record.gradient.edges[0];
      const width = (record.gradient.edges[16] - lo) / 16;
      const expected = new Float64Array(16);
      for (const v of all) expected[Math.min(15, Math.max(0, Math.floor((v - lo) / width)))]++;
      const moved = expected.reduce((s, v, i) => s + Math.abs(v - record.gradient.counts[i]), 0);
      expect(moved).toBeLessThanOrEqual(all.length * 1e-4);
      expect(record.layers.map((l) => l.layer)).toEqual(['model[1] linear', 'model[3] linear']);
      expect(record.layers.map((l) => sum(l.counts))).toEqual([
        32 * (784 * 16 + 16),
        32 * (16 * 10 + 10),
      ]);
      for (const l of record.layers) {
        expect(l.paramEdges).toHaveLength(9);
        expect(l.gradEdges).toHaveLength(17);
      }
    }
  }, 120_000);
});
