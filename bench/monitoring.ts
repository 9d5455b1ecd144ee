// Cost of a monitored step vs an unmonitored one (MNIST MLP): the ViViT curvature step, then
// Cockpit's instrument groups (definition section `instruments`).
//
//   npm run bench -- monitoring [--repeats 7] [--batch 128]
//
// MNIST MLP 784-128-64-10 (ReLU, cross-entropy, SGD with momentum) on random MNIST-shaped data
// (speed does not depend on values), wasm backend. Per configuration: median wall time of a plain
// training step, of one curvature step (src/worker/curvature/monitor.ts: computeCurvature with
// every monitored quantity, then the record), their ratio, and the amortized slowdown of
// training with a curvature step every 10 steps. Steps alternate with curvature steps so that
// load from other processes hits both alike. Then one row per instrument group: its cost per
// measured step as a ratio to a training step measured in the same loop, and the amortized
// slowdown at its default schedule; the last row is the default set together (the budget:
// within 1.3× of unmonitored training).

import * as tf from '@tensorflow/tfjs';
import type { CurvatureSpec, LayerSpec } from '../src/protocol/definition';
import { initWasmBackend } from '../src/vivit/backend-wasm';
import { createTrainer, perSampleGradientStatistics, Rng } from '../src/vivit/index';
import { CURVATURE_DEFAULTS, MONITOR_QUANTITIES } from '../src/worker/definition/curvature';
import { measureCurvature } from '../src/worker/curvature/monitor';
import { INSTRUMENT_DEFAULTS } from '../src/worker/definition/instruments';
import { histogramRecord, noiseRecord } from '../src/worker/instruments/noise';
import { copyParameters, stepQualityRecord } from '../src/worker/instruments/step-quality';
import { median } from './problems';
import { timeCall } from './util';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
};
const repeats = arg('repeats', 7);
const batchSize = arg('batch', 128);

const layers: LayerSpec[] = [
  { type: 'flatten' },
  { type: 'linear', in: 784, out: 128, bias: true },
  { type: 'relu' },
  { type: 'linear', in: 128, out: 64, bias: true },
  { type: 'relu' },
  { type: 'linear', in: 64, out: 10, bias: true },
];

const base: CurvatureSpec = {
  quantities: [...MONITOR_QUANTITIES],
  schedule: { every: 10 },
  batch: 'fixed',
  samples: CURVATURE_DEFAULTS.samples,
  mc_samples: CURVATURE_DEFAULTS.mc_samples,
  groups: 'whole',
  eig_threshold: CURVATURE_DEFAULTS.eig_threshold,
};
const configs: { label: string; spec: CurvatureSpec }[] = [
  { label: `default: N=${base.samples}, MC ${base.mc_samples}`, spec: base },
  { label: 'N=32, exact', spec: { ...base, samples: 32, mc_samples: 0 } },
  { label: 'N=64, MC 1', spec: { ...base, samples: 64, mc_samples: 1 } },
  { label: 'N=128, exact', spec: { ...base, samples: 128, mc_samples: 0 } },
  { label: 'N=32, MC 1, per layer', spec: { ...base, groups: 'per_layer' } },
];

await initWasmBackend();
console.log(
  `backend ${tf.getBackend()}; MNIST MLP, training batch ${batchSize}, ${repeats} repeats`,
);
const trainer = createTrainer({
  layers,
  inputShape: [1, 28, 28],
  loss: 'cross_entropy',
  optimizer: { type: 'sgd', lr: 0.01, momentum: 0.9, weight_decay: 0, nesterov: false },
  seed: 0,
});
const x = tf.randomNormal([batchSize, 1, 28, 28], 0, 1, 'float32', 1);
const y = tf.randomUniformInt([batchSize], 0, 10, 2);
for (let i = 0; i < 5; i++) await trainer.trainStep(x, y);

const rows: string[][] = [];
for (const { label, spec } of configs) {
  const cx = tf.slice(x, 0, spec.samples);
  const cy = tf.slice(y, 0, spec.samples);
  const batch = { x: cx, y: cy, indices: Array.from({ length: spec.samples }, (_, i) => i) };
  const stepMs: number[] = [];
  const curvMs: number[] = [];
  const stages: Record<string, number>[] = [];
  let k = 0;
  const measure = async () =>
    measureCurvature({ trainer, batch, spec, model: layers, runSeed: 0, step: k++ });
  await measure(); // warm-up
  for (let r = 0; r < repeats; r++) {
    stepMs.push((await timeCall(() => trainer.trainStep(x, y))).wall);
    curvMs.push((await timeCall(async () => stages.push((await measure()).record.timings))).wall);
  }
  tf.dispose([cx, cy]);
  const s = median(stepMs);
  const c = median(curvMs);
  rows.push([
    label,
    s.toFixed(1),
    c.toFixed(1),
    ((s + c) / s).toFixed(1),
    ((s + c / 10) / s).toFixed(2),
    ...['sweep', 'eigen', 'quantities'].map((k) => median(stages.map((x) => x[k])).toFixed(1)),
  ]);
}
const head = [
  'configuration',
  'step ms',
  'curvature ms',
  'monitored/plain',
  'every 10: ratio',
  'sweep ms',
  'eigen ms',
  'quantities ms',
];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r: string[]) =>
  r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
console.log(line(head));
for (const r of rows) console.log(line(r));

// ---------------------------------------------------------------- Cockpit's instruments
const optimizer = {
  type: 'sgd',
  lr: 0.01,
  momentum: 0.9,
  weight_decay: 0,
  nesterov: false,
} as const;
const initial = copyParameters(trainer);
const every = (group: 'noise' | 'step' | 'histograms') => INSTRUMENT_DEFAULTS[group].every;
const groups: {
  label: string;
  group: 'noise' | 'step' | 'histograms';
  run: (k: number) => Promise<void>;
}[] = [
  {
    label: 'noise: gradient norms, GSNR, tests, CABS, TIC',
    group: 'noise',
    run: async (k) => {
      const model = trainer.curvatureModel();
      const stats = await perSampleGradientStatistics(model, { x, y }, new Rng(k, 'bench'), {
        ggnTraceSeed: k,
      });
      noiseRecord(k, stats, optimizer);
    },
  },
  {
    label: 'step: α, update size, distance',
    group: 'step',
    run: async (k) => {
      // The update itself is the training step; the instrument's cost is what comes around it.
      const before = copyParameters(trainer);
      await trainer.trainStep(x, y);
      const t0 = performance.now();
      await stepQualityRecord({ trainer, before, initial, batch: { x, y }, seed: 0, step: k });
      extraMs = performance.now() - t0;
      tf.dispose(before);
    },
  },
  {
    label: 'histograms: gradient 1-D, per-layer 2-D',
    group: 'histograms',
    run: async (k) => {
      const model = trainer.curvatureModel();
      const stats = await perSampleGradientStatistics(model, { x, y }, new Rng(k, 'bench'), {
        histograms: {
          gradientBins: INSTRUMENT_DEFAULTS.gradient_bins,
          paramBins: INSTRUMENT_DEFAULTS.param_bins,
        },
      });
      histogramRecord(k, stats, model.network, layers);
    },
  },
];
let extraMs: number | undefined;
const instrumentRows: string[][] = [];
let amortized = 0;
const allStepMs: number[] = [];
for (const g of groups) {
  const stepMs: number[] = [];
  const costMs: number[] = [];
  await g.run(0); // warm-up
  for (let r = 0; r < repeats; r++) {
    stepMs.push((await timeCall(() => trainer.trainStep(x, y))).wall);
    extraMs = undefined;
    const wall = (await timeCall(() => g.run(r + 1))).wall;
    costMs.push(extraMs ?? wall);
  }
  const s = median(stepMs);
  const c = median(costMs);
  allStepMs.push(...stepMs);
  amortized += c / every(g.group);
  instrumentRows.push([
    g.label,
    s.toFixed(1),
    c.toFixed(1),
    (c / s).toFixed(2),
    `every ${every(g.group)}`,
    ((s + c / every(g.group)) / s).toFixed(3),
  ]);
}
// The default set against the median training step of every loop above.
const plainMs = median(allStepMs);
instrumentRows.push([
  'default set (all three, default schedules)',
  plainMs.toFixed(1),
  '',
  '',
  '',
  ((plainMs + amortized) / plainMs).toFixed(3),
]);
tf.dispose(initial);
console.log('');
const instrumentHead = [
  'instrument group',
  'step ms',
  'cost ms',
  'cost / step',
  'schedule',
  'monitored / plain',
];
const iw = instrumentHead.map((h, i) =>
  Math.max(h.length, ...instrumentRows.map((r) => r[i].length)),
);
const iline = (r: string[]) =>
  r.map((c, i) => (i ? c.padStart(iw[i]) : c.padEnd(iw[i]))).join('  ');
console.log(iline(instrumentHead));
for (const r of instrumentRows) console.log(iline(r));
trainer.dispose();
