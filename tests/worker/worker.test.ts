// The training worker in a real worker thread (src/worker/index.ts loaded through tsx; see
// helpers/worker-boot.mjs), driven only through its message protocol.
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunDefinition } from '../../src/protocol/definition';
import type { WorkerMessage } from '../../src/protocol/worker';
import { loadDefinitionFile, parseDefinition } from '../../src/worker/definition';
import { WorkerHarness } from './helpers/worker-harness';

const EXAMPLES = resolve(__dirname, '../../resources/examples');

function definitionFrom(yaml: string): RunDefinition {
  const { definition, issues } = parseDefinition(yaml, 'test.yaml');
  expect(issues).toEqual([]);
  return definition!;
}

/** A small, fast synthetic classification run. */
const SMALL = (steps: number, extra = '') =>
  definitionFrom(`name: small
seed: 11
data: {source: synthetic, task: classification, features: 8, outputs: 3, train_size: 256, test_size: 64, noise: 0.05}
model:
  - {type: linear, in: 8, out: 16}
  - tanh
  - {type: linear, in: 16, out: 3}
loss: cross_entropy
optimizer: {type: sgd, lr: 0.1, momentum: 0.5}
batch_size: 32
steps: ${steps}
eval: {every: 10}
${extra}`);

const harnesses: WorkerHarness[] = [];
function spawn(env?: Record<string, string>): WorkerHarness {
  const h = new WorkerHarness(env);
  harnesses.push(h);
  return h;
}
afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
});

// Starting a worker thread costs about 1.5 s here (tsx + tfjs), so the control-flow tests share
// one worker; each begins with reset() (stop + forget messages). That a worker serves many runs
// in a row is part of the contract anyway.
let sharedWorker: WorkerHarness | undefined;
async function shared(): Promise<WorkerHarness> {
  sharedWorker ??= spawn();
  await sharedWorker.reset();
  return sharedWorker;
}

const isState = (state: string) => (m: WorkerMessage) => m.type === 'state' && m.state === state;

describe('training worker (real worker thread)', () => {
  it('trains the MNIST MLP example for 200 steps and lowers the held-out loss', async () => {
    const { definition } = await loadDefinitionFile(join(EXAMPLES, 'mnist-mlp.yaml'));
    const h = spawn();
    const t0 = performance.now();
    h.send({
      type: 'start',
      definition: definition!,
      definitionPath: join(EXAMPLES, 'mnist-mlp.yaml'),
      maxSteps: 200,
    });
    await h.waitFor(isState('finished'), 120_000);
    const seconds = (performance.now() - t0) / 1000;

    const [header] = h.headers();
    expect(header.backend.chosen).toBe('wasm');
    expect(header.parameterCount).toBe(784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
    expect(header.trainSamples).toBe(60000);
    expect(header.testSamples).toBe(10000);
    expect(header.plannedSteps).toBe(200);
    expect(header.versions).toMatchObject({
      app: expect.any(String),
      node: process.versions.node,
      tfjs: '4.22.0',
    });
    expect(header.definitionPath).toBe(join(EXAMPLES, 'mnist-mlp.yaml'));

    const steps = h.recordsOf('step');
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(steps.every((s) => s.epoch === 0 && s.samplesPerSec > 0 && s.stepMs > 0)).toBe(true);
    const evals = h.recordsOf('eval');
    expect(evals.map((e) => e.step)).toEqual([50, 100, 150, 200]);
    expect(evals.every((e) => e.samples === 1000)).toBe(true);
    const first = evals[0];
    const last = evals[evals.length - 1];
    const stepMs = steps.map((s) => s.stepMs).sort((x, y) => x - y);
    console.log(
      `MNIST MLP, 200 steps on wasm: ${seconds.toFixed(1)} s in all (thread start, data, 200 steps, 4 evals), ` +
        `${steps[steps.length - 1].time.toFixed(1)} s training, median step ${stepMs[100].toFixed(1)} ms; ` +
        `held-out loss ${first.loss.toFixed(3)} ` +
        `(step 50) -> ${last.loss.toFixed(3)} (step 200), accuracy ${last.accuracy?.toFixed(3)}`,
    );
    expect(last.loss).toBeLessThan(0.75 * first.loss);
    expect(last.accuracy).toBeGreaterThan(0.88);
    // chance level is ln 10 ≈ 2.30: the first eval is already well below it
    expect(first.loss).toBeLessThan(1.5);
    const events = h.recordsOf('event').map((e) => e.kind);
    expect(events).toEqual(['started', 'finished']);
  }, 180_000);

  it('trains the MNIST MLP example on webgpu (llvmpipe here): loss falls, curvature records come', async () => {
    const { definition } = await loadDefinitionFile(join(EXAMPLES, 'mnist-mlp.yaml'));
    // Forced: automatic selection skips software adapters such as llvmpipe.
    const h = spawn({ VIVIT_BACKEND: 'webgpu' });
    h.send({
      type: 'start',
      definition: {
        ...definition!,
        eval: { every: 20, samples: 500 },
        // Exact, 32 samples × 9 vectors: a Gram matrix of n = 288 ≥ 256, which 'auto' solves
        // with the full device eigensolver (its host stage sharing work with worker threads).
        curvature: {
          ...definition!.curvature!,
          schedule: { every: 20 },
          samples: 32,
          mc_samples: 0,
        },
      },
      definitionPath: join(EXAMPLES, 'mnist-mlp.yaml'),
      maxSteps: 60,
    });
    await h.waitFor(isState('finished'), 240_000);
    const [header] = h.headers();
    expect(header.backend.chosen).toBe('webgpu');
    expect(header.backend.device).toMatch(/llvmpipe/);
    const steps = h.recordsOf('step');
    expect(steps).toHaveLength(60);
    const evals = h.recordsOf('eval');
    expect(evals.map((e) => e.step)).toEqual([20, 40, 60]);
    expect(evals[2].loss).toBeLessThan(0.8 * evals[0].loss);
    expect(evals[2].accuracy).toBeGreaterThan(0.75);
    const curvature = h.recordsOf('curvature');
    expect(curvature.map((c) => c.step)).toEqual([0, 20, 40]);
    for (const c of curvature) {
      const g = c.groups[0];
      expect(c.eigensolver).toBe('device');
      expect(g.eigenvalues.length).toBeGreaterThan(0);
      expect(g.eigenvalues.every((v: number) => Number.isFinite(v) && v > 0)).toBe(true);
    }
    const stepMs = steps.map((s) => s.stepMs).sort((x, y) => x - y);
    console.log(
      `MNIST MLP on webgpu (${header.backend.device}): median step ${stepMs[30].toFixed(1)} ms; ` +
        `held-out loss ${evals[0].loss.toFixed(3)} (step 20) -> ${evals[2].loss.toFixed(3)} (step 60)`,
    );
  }, 300_000);

  it('gives identical losses for the same seed, across threads and across restarts', async () => {
    const definition = SMALL(40);
    const a = spawn();
    const b = spawn();
    a.send({ type: 'start', definition });
    b.send({ type: 'start', definition });
    await Promise.all([a.waitFor(isState('finished')), b.waitFor(isState('finished'))]);
    const lossesA = a.recordsOf('step').map((s) => s.loss);
    expect(lossesA).toHaveLength(40);
    expect(b.recordsOf('step').map((s) => s.loss)).toEqual(lossesA);
    expect(b.recordsOf('eval')).toEqual(a.recordsOf('eval'));
    // Training works: held-out loss falls between the first and last evaluation.
    const evals = a.recordsOf('eval');
    expect(evals[evals.length - 1].loss).toBeLessThan(evals[0].loss);

    // A second start in the same worker repeats the run exactly; a different seed gives
    // different losses (so the comparisons above can fail).
    const fromA = a.messages.length;
    const fromB = b.messages.length;
    a.send({ type: 'start', definition });
    b.send({ type: 'start', definition: { ...definition, seed: 12 } });
    await Promise.all([
      a.waitFor(isState('finished'), 60_000, fromA),
      b.waitFor(isState('finished'), 60_000, fromB),
    ]);
    expect(a.recordsOf('step', fromA).map((s) => s.loss)).toEqual(lossesA);
    const otherSeed = b.recordsOf('step', fromB).map((s) => s.loss);
    expect(otherSeed).toHaveLength(40);
    expect(otherSeed).not.toEqual(lossesA);
  });

  it('emits epoch records at epoch ends and evaluates every eval.every steps and at the end', async () => {
    // 256 samples / batch 32 = 8 steps per epoch; 20 steps -> epochs 0 and 1 complete.
    const h = await shared();
    h.send({ type: 'start', definition: { ...SMALL(20), eval: { every: 6, samples: 50 } } });
    await h.waitFor(isState('finished'));
    expect(h.recordsOf('epoch')).toEqual([
      { type: 'epoch', epoch: 0, step: 8 },
      { type: 'epoch', epoch: 1, step: 16 },
    ]);
    expect(h.recordsOf('step').map((s) => s.epoch)).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2,
    ]);
    const evals = h.recordsOf('eval');
    expect(evals.map((e) => e.step)).toEqual([6, 12, 18, 20]);
    expect(evals.every((e) => e.samples === 50 && e.accuracy !== undefined)).toBe(true);
    // epochs instead of steps: 2 epochs = 16 steps
    const from = h.messages.length;
    const byEpochs = { ...SMALL(1), steps: undefined, epochs: 2 };
    h.send({ type: 'start', definition: byEpochs });
    await h.waitFor(isState('finished'), 60_000, from);
    expect(h.recordsOf('step', from)).toHaveLength(16);
  });

  it('pause stops the steps, step advances exactly one, resume continues, stop ends', async () => {
    const h = await shared();
    h.send({ type: 'start', definition: SMALL(1_000_000) });
    await h.waitFor((m) => m.type === 'record' && m.record.type === 'step' && m.record.step >= 5);

    h.send({ type: 'pause' });
    const paused = await h.waitFor(isState('paused'));
    const pausedIndex = h.messages.indexOf(paused);
    const pausedAt = (paused as Extract<WorkerMessage, { type: 'state' }>).step;
    await h.settle(300);
    const stepsSincePause = h.recordsOf('step', pausedIndex);
    expect(stepsSincePause).toEqual([]);
    expect(Math.max(...h.recordsOf('step').map((s) => s.step))).toBe(pausedAt);
    expect(h.recordsOf('event').map((e) => e.kind)).toEqual(['started', 'paused']);

    const beforeStep = h.messages.length;
    h.send({ type: 'step' });
    await h.waitFor(isState('paused'), 10_000, beforeStep);
    await h.settle(300);
    expect(h.recordsOf('step', beforeStep).map((s) => s.step)).toEqual([pausedAt + 1]);

    // time excludes the pause: the single step's time is close to the last running step's
    const times = h.recordsOf('step').map((s) => s.time);
    expect(times[times.length - 1] - times[times.length - 2]).toBeLessThan(0.25);

    const beforeResume = h.messages.length;
    h.send({ type: 'resume' });
    await h.waitFor(
      (m) => m.type === 'record' && m.record.type === 'step' && m.record.step >= pausedAt + 6,
      10_000,
      beforeResume,
    );
    h.send({ type: 'stop' });
    const stopped = await h.waitForState('stopped', beforeResume);
    await h.settle(300);
    const lastStep = Math.max(...h.recordsOf('step').map((s) => s.step));
    expect((stopped as Extract<WorkerMessage, { type: 'state' }>).step).toBe(lastStep);
    expect(h.recordsOf('event').map((e) => e.kind)).toEqual([
      'started',
      'paused',
      'resumed',
      'stopped',
    ]);
    // every step number appears once, in order
    expect(h.recordsOf('step').map((s) => s.step)).toEqual(
      Array.from({ length: lastStep }, (_, i) => i + 1),
    );
  });

  it('a paused start waits for step or resume', async () => {
    const h = await shared();
    h.send({ type: 'start', definition: SMALL(100), paused: true });
    await h.waitForState('paused');
    await h.settle(300);
    expect(h.recordsOf('step')).toEqual([]);
    h.send({ type: 'step' });
    h.send({ type: 'step' });
    await h.waitFor((m) => m.type === 'state' && m.state === 'paused' && m.step === 2);
    expect(h.recordsOf('step').map((s) => s.step)).toEqual([1, 2]);
    h.send({ type: 'stop' });
    await h.waitForState('stopped');
  });

  it('pauses with an error event when the loss becomes NaN or Inf', async () => {
    const h = await shared();
    const definition = definitionFrom(`name: diverge
data: {source: synthetic, task: regression, features: 4, outputs: 2, train_size: 64, test_size: 16}
model: [{type: linear, in: 4, out: 8}, relu, {type: linear, in: 8, out: 2}]
loss: mse
optimizer: {type: sgd, lr: 1.0e+30}
batch_size: 16
steps: 1000
`);
    h.send({ type: 'start', definition });
    const paused = (await h.waitForState('paused')) as Extract<WorkerMessage, { type: 'state' }>;
    expect(paused.message).toMatch(/^loss became (NaN|Inf) at step \d+; paused$/);
    const error = h.recordsOf('event').find((e) => e.kind === 'error');
    expect(error?.message).toBe(paused.message);
    expect(error?.step).toBe(paused.step);
    expect(paused.message).toContain(`at step ${paused.step};`);
    // every recorded loss is finite; the bad step is reported by the event, not as a step record
    const steps = h.recordsOf('step');
    expect(steps.every((s) => Number.isFinite(s.loss))).toBe(true);
    expect(steps.length).toBe(paused.step - 1);
    await h.settle(300);
    expect(h.recordsOf('step').length).toBe(steps.length);
    h.send({ type: 'stop' });
    await h.waitForState('stopped');
  });

  it('turns a bad data file into an error message and stays alive for a new start', async () => {
    const h = await shared();
    const definition: RunDefinition = {
      ...SMALL(5),
      data: {
        source: 'idx',
        train_images: 'missing-images.idx',
        train_labels: 'missing-labels.idx',
        test_images: 'missing-images.idx',
        test_labels: 'missing-labels.idx',
        normalize: 'none',
      },
    };
    h.send({ type: 'start', definition, definitionPath: '/tmp/nowhere/run.yaml' });
    const error = await h.waitFor((m) => m.type === 'error');
    expect(error).toEqual({
      type: 'error',
      message: expect.stringMatching(
        /^cannot start the run: \/tmp\/nowhere\/missing-(images|labels)\.idx: file not found$/,
      ),
    });
    await h.waitForState('error');
    expect(h.headers()).toEqual([]);

    const from = h.messages.length;
    h.send({ type: 'start', definition: SMALL(3) });
    await h.waitForState('finished', from);
    expect(h.recordsOf('step', from)).toHaveLength(3);
  });

  it('a new start stops the running run first; invalid commands get an error reply', async () => {
    const h = await shared();
    h.worker.postMessage({ type: 'launch' });
    expect(await h.waitFor((m) => m.type === 'error')).toEqual({
      type: 'error',
      message: 'the worker received an invalid command: {"type":"launch"}',
    });
    h.send({ type: 'start', definition: SMALL(1_000_000) });
    await h.waitFor((m) => m.type === 'record' && m.record.type === 'step' && m.record.step >= 3);
    h.send({ type: 'start', definition: SMALL(4) });
    await h.waitForState('finished');
    expect(h.recordsOf('event').map((e) => e.kind)).toEqual([
      'started',
      'stopped',
      'started',
      'finished',
    ]);
    expect(h.headers()).toHaveLength(2);
    const secondHeader = h.messages.findIndex(
      (m) => m === h.messages.filter((x) => x.type === 'header')[1],
    );
    expect(h.recordsOf('step', secondHeader).map((s) => s.step)).toEqual([1, 2, 3, 4]);
  });

  it('runs on an IDX dataset from fixture files, paths relative to the definition', async () => {
    const path = resolve(__dirname, '../fixtures/idx-tiny/run.yaml');
    const { definition, issues } = await loadDefinitionFile(path);
    expect(issues).toEqual([]);
    const h = await shared();
    h.send({ type: 'start', definition: definition!, definitionPath: path });
    await h.waitForState('finished');
    expect(h.headers()[0]).toMatchObject({ trainSamples: 64, testSamples: 16 });
    const evals = h.recordsOf('eval');
    expect(evals[evals.length - 1].accuracy).toBeGreaterThan(0.9);
  });
});
