// Curvature monitoring in a real training session (in process; the worker thread only wires
// this class to a port): schedule, agreement with the engine, and the inspector.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunDefinition } from '../../src/protocol/definition';
import type { CurvatureRecord, InspectRecord, StepRecord } from '../../src/protocol/records';
import type { WorkerMessage } from '../../src/protocol/worker';
import { computeCurvature, createTrainer } from '../../src/vivit';
import { BatchSource } from '../../src/worker/data/batches';
import { loadDataset } from '../../src/worker/data/load';
import { parseDefinition } from '../../src/worker/definition';
import { LAYER_SHARE_ROWS } from '../../src/worker/curvature/monitor';
import { collect, forceWasmBackend } from './helpers/session-harness';

// A small MNIST MLP: 784 -> 16 -> 10, 256 training images, exact GGN on a fixed batch of 16.
const TEXT = `name: curvature test
seed: 4
data: {source: mnist, train_size: 256, test_size: 64}
model:
  - flatten
  - {type: linear, in: 784, out: 16}
  - relu
  - {type: linear, in: 16, out: 10}
loss: cross_entropy
optimizer: {type: sgd, lr: 0.1, momentum: 0.9}
batch_size: 32
steps: 12
eval: {every: 100}
curvature:
  schedule: {every: 5}
  batch: fixed
  samples: 16
  mc_samples: 0
`;
const parsed = parseDefinition(TEXT, 'curvature-test.yaml');
const definition = parsed.definition as RunDefinition;
// With dropout, the training draws masks from its own stream: an inspect (or a curvature step)
// that consumed it would change every later loss.
const withDropout = parseDefinition(
  TEXT.replace('  - relu\n', '  - relu\n  - {type: dropout, p: 0.3}\n'),
  'curvature-dropout.yaml',
).definition as RunDefinition;

const finished = (m: WorkerMessage) =>
  m.type === 'state' && (m.state === 'finished' || m.state === 'error');

/** A run from start to finish without interruption. */
async function uninterrupted(def: RunDefinition = definition) {
  const c = collect();
  c.session.handle({ type: 'start', definition: def });
  await c.until(finished);
  return c;
}

const withoutTimings = (r: CurvatureRecord) => ({ ...r, timings: {} });

forceWasmBackend();
let reference: Awaited<ReturnType<typeof uninterrupted>>;
beforeAll(async () => {
  reference = await uninterrupted();
}, 120_000);

describe('curvature monitoring in the session', () => {
  it('the definition is valid', () => {
    expect(parsed.issues).toEqual([]);
    expect(reference.messages.find((m) => m.type === 'error')).toBeUndefined();
  });

  it('a schedule of every 5 steps gives curvature records exactly at steps 0, 5, 10', () => {
    const curvature = reference.records('curvature');
    expect(curvature.map((r) => r.step)).toEqual([0, 5, 10]);
    // Each comes before the update it precedes: after step record `step`, before `step + 1`.
    const order = reference.messages.flatMap((m) =>
      m.type === 'record' && (m.record.type === 'step' || m.record.type === 'curvature')
        ? [`${m.record.type}:${m.record.step}`]
        : [],
    );
    expect(order.slice(0, 3)).toEqual(['curvature:0', 'step:1', 'step:2']);
    expect(order.indexOf('curvature:5')).toBe(order.indexOf('step:5') + 1);
    for (const r of curvature) {
      expect(r).toMatchObject({ batch: 'fixed', samples: 16, gradSamples: 16, mcSamples: 0 });
      expect(r.layerNames).toEqual(['model[1] linear', 'model[3] linear']);
      expect(r.timings.total).toBeGreaterThan(0);
      expect(r.timings.engine).toBeGreaterThan(0);
    }
    // The cost per curvature step is stated to the user.
    const status = reference.messages.filter(
      (m) => m.type === 'status' && m.message.startsWith('curvature step'),
    );
    expect(status).toHaveLength(3);
    expect(status[0]).toMatchObject({
      message: expect.stringMatching(/^curvature step 0: \d+ ms \(N = 16, exact/),
    });
  });

  it('the posted quantities equal computeCurvature on the same parameters and batch', async () => {
    // Replay the run's first 5 steps on a trainer of our own (same seed, same batches), check
    // that it reaches the same parameters (same loss), then ask the engine directly.
    const dataset = await loadDataset(definition.data, definition.seed, process.cwd());
    const batches = new BatchSource(
      dataset,
      definition.loss,
      definition.batch_size,
      definition.seed,
    );
    const trainer = createTrainer({
      layers: definition.model,
      inputShape: dataset.inputShape,
      loss: definition.loss,
      optimizer: definition.optimizer,
      seed: definition.seed,
    });
    const steps = reference.records('step') as StepRecord[];
    for (let s = 0; s < 5; s++) {
      const b = batches.batch(s);
      expect((await trainer.trainStep(b.x, b.y)).loss).toBe(steps[s].loss);
      tf.dispose([b.x, b.y]);
    }
    // The fixed batch: 16 training images drawn once with the seed.
    const indices = batches.fixedIndices(16);
    const fixed = batches.tensors(indices);
    // Load the parameters through the trainer's accessors (a copy round trip).
    trainer.loadParameters((await trainer.readParameters()).map((p) => p.data));
    const direct = await computeCurvature(trainer.curvatureModel(), fixed, {
      quantities: ['eigenvalues', 'gammas', 'lambdas', 'snr', 'overlap', 'layerShares'],
      mcSamples: 0,
      signs: 'gradient',
    });
    tf.dispose([fixed.x, fixed.y]);
    trainer.dispose();

    const posted = reference.records('curvature').find((r) => r.step === 5)!;
    const g = direct.groups[0];
    const k = Array.from(g.eigenvalues).filter((v) => v > 1e-4).length;
    expect(k).toBeGreaterThan(10);
    const close = (actual: Float64Array, expected: ArrayLike<number>) => {
      expect(actual).toHaveLength(k);
      actual.forEach((v, i) => {
        const e = expected[i];
        expect(Math.abs(v - e), `entry ${i}: ${v} vs ${e}`).toBeLessThanOrEqual(
          1e-4 * Math.max(1, Math.abs(e)),
        );
      });
    };
    expect(posted.loss).toBeCloseTo(direct.loss, 5);
    expect(posted.groups).toHaveLength(1);
    const pg = posted.groups[0];
    expect(pg.name).toBe('all');
    expect(pg.params).toEqual([0, 1, 2, 3]);
    close(pg.eigenvalues, g.eigenvalues);
    close(pg.gammaMean, g.gammaMean!);
    close(pg.lambdaMean, g.lambdaMean!);
    close(pg.overlap, g.overlap!);
    // SNRs of near-noiseless directions are huge; compare relatively.
    pg.snrLambda.forEach((v, i) => expect(v / g.snrLambda![i]).toBeCloseTo(1, 3));
    pg.snrGamma.forEach((v, i) => expect(v / g.snrGamma![i]).toBeCloseTo(1, 3));
    // Layer shares of the leading directions only.
    expect(pg.layerShares).toHaveLength(Math.min(k, LAYER_SHARE_ROWS));
    expect(k).toBeGreaterThan(LAYER_SHARE_ROWS);
    pg.layerShares!.forEach((row, i) => {
      expect(row[0]).toBeCloseTo(g.layerShares!.data[2 * i], 4);
      expect(row[1]).toBeCloseTo(g.layerShares!.data[2 * i + 1], 4);
      // Shares of ‖e_k‖² (float32 Gram blocks: rows sum to 1 within 1e-4).
      expect(row[0] + row[1]).toBeCloseTo(1, 4);
    });
    // ‖g‖ against the engine's mean gradient; the flat remainder completes the overlaps.
    const norm = Math.sqrt(
      direct.gradient.reduce((s, p) => s + p.reduce((a, v) => a + v * v, 0), 0),
    );
    expect(posted.gradNorm).toBeCloseTo(norm, 5);
    expect(pg.flatRemainder).toBeCloseTo(
      Math.max(0, 1 - pg.overlap.reduce((a, v) => a + v, 0)),
      12,
    );
    // tr(GGN) over every eigenvalue (the record lists only the nontrivial ones).
    const trace = Array.from(g.eigenvalues).reduce((s, v) => s + v, 0);
    expect(Math.abs(pg.ggnTrace! - trace)).toBeLessThanOrEqual(1e-4 * trace);
    // Exact GGN: the mean per-sample curvature is the eigenvalue (Eq. 8b).
    pg.lambdaMean.forEach((v, i) => expect(v).toBeCloseTo(pg.eigenvalues[i], 3));
  }, 60_000);

  it('pause -> inspect -> resume gives the same losses and curvature as the uninterrupted run', async () => {
    expect(withDropout.model.map((l) => l.type)).toContain('dropout');
    const dropoutReference = await uninterrupted(withDropout);
    const c = collect();
    c.session.handle({ type: 'start', definition: withDropout, paused: true });
    await c.until((m) => m.type === 'state' && m.state === 'paused');
    for (let i = 0; i < 7; i++) c.session.handle({ type: 'step' });
    c.session.handle({ type: 'inspect', group: 0, direction: 0 });
    c.session.handle({ type: 'inspect', group: 0, direction: 2 });
    c.session.handle({ type: 'inspect', group: 3, direction: 0 }); // no such group
    c.session.handle({ type: 'resume' });
    await c.until(finished);

    const losses = (x: typeof c) => x.records('step').map((r) => (r as StepRecord).loss);
    expect(losses(c)).toHaveLength(12);
    expect(losses(c)).toEqual(losses(dropoutReference));
    expect(c.records('curvature').map(withoutTimings)).toEqual(
      dropoutReference.records('curvature').map(withoutTimings),
    );
    const inspected = c.records('inspect') as InspectRecord[];
    expect(inspected.map((r) => [r.step, r.group, r.direction])).toEqual([
      [7, 0, 0],
      [7, 0, 2],
    ]);
    const error = c.messages.find((m) => m.type === 'error');
    expect(error).toMatchObject({
      message: expect.stringContaining('group 3 does not exist'),
      step: 7,
    });
  }, 120_000);

  it('the inspect record: its quadratic model, the slice at t = 0, and the slope γ̄_k', async () => {
    const c = collect();
    c.session.handle({ type: 'start', definition, paused: true });
    await c.until((m) => m.type === 'state' && m.state === 'paused');
    for (let i = 0; i < 5; i++) c.session.handle({ type: 'step' });
    c.session.handle({ type: 'inspect', group: 0, direction: 1 });
    // Steps and the inspector are queued work: wait for it before stopping.
    await c.until((m) => m.type === 'record' && m.record.type === 'inspect');
    c.session.handle({ type: 'stop' });
    const [r] = c.records('inspect') as InspectRecord[];
    expect(r).toBeDefined();
    expect(r.gammas).toHaveLength(16);
    expect(r.lambdas).toHaveLength(16);
    expect(r.sampleIndices).toHaveLength(16);
    expect(r.layerNames).toEqual(['model[1] linear', 'model[3] linear']);
    expect(r.layerShares[0] + r.layerShares[1]).toBeCloseTo(1, 4);
    const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, v) => a + v, 0) / xs.length;
    expect(r.gammaMean).toBeCloseTo(mean(r.gammas), 6);
    expect(r.lambdaMean).toBeCloseTo(mean(r.lambdas), 6);
    expect(r.lambdaMean! / r.eigenvalue).toBeCloseTo(1, 4);
    // The eigenvalue is the one posted for the same parameters (curvature step 5).
    const posted = reference.records('curvature').find((x) => x.step === 5)!;
    expect(r.eigenvalue / posted.groups[0].eigenvalues[1]).toBeCloseTo(1, 4);

    const { t, loss, quadratic } = r.slice;
    expect(t).toHaveLength(41);
    const mid = 20;
    expect(t[mid]).toBe(0);
    t.forEach((s, i) => {
      expect(s).toBeCloseTo(-t[t.length - 1 - i], 12);
      expect(quadratic[i]).toBeCloseTo(r.loss! + s * r.gammaMean! + 0.5 * s * s * r.eigenvalue, 10);
    });
    // At t = 0 the slice is the batch loss: the engine's, and the curvature record's at step 5.
    expect(loss[mid]).toBeCloseTo(r.loss!, 5);
    expect(loss[mid]).toBeCloseTo(posted.loss, 5);
    // The slope of the true loss along e_k at t = 0 is γ̄_k (central difference).
    const h = t[mid + 1];
    const slope = (loss[mid + 1] - loss[mid - 1]) / (2 * h);
    expect(Math.abs(slope - r.gammaMean!)).toBeLessThan(0.05 * Math.abs(r.gammaMean!) + 2e-3);

    // MNIST is image data: the dominating samples come with their pictures, the training set's
    // own bytes (the largest |γ_nk| first).
    const images = r.images!;
    expect(images).toMatchObject({ width: 28, height: 28, channels: 1 });
    const byGamma = Array.from(r.gammas, (g, n) => [Math.abs(g), n]).sort((a, b) => b[0] - a[0]);
    expect(images.positions[0]).toBe(byGamma[0][1]);
    expect(images.positions.length).toBeGreaterThanOrEqual(8);
    expect(images.pixels).toHaveLength(images.positions.length * 784);
    const dataset = await loadDataset(definition.data, definition.seed, process.cwd());
    images.positions.forEach((n, i) => {
      const index = r.sampleIndices[n];
      expect(Array.from(images.pixels.subarray(i * 784, (i + 1) * 784))).toEqual(
        Array.from(dataset.train.x.subarray(index * 784, (index + 1) * 784)),
      );
    });
  }, 120_000);
});
