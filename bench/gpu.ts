// ViViT on the local GPU: ms per step and GPU→host reads per step, against the PyTorch reference on an H200.
//
//   npm run bench -- gpu [--backend auto|webgpu|wasm|cpu] [--only mlp32,mlp128,3c3d32,3c3d128]
//                        [--repeats 5] [--json file] [--no-wasm]
//
// The backend is chosen as the app chooses it (a hardware GPU through webgpu when there is
// one), or forced with --backend (VIVIT_BACKEND). For the MNIST MLP and cifar10 3c3d at
// N = 32 and 128, exact and MC-1: a plain gradient step (forward, loss, backward, one read),
// eigenvalues + γ_nk, λ_nk, the damped Newton step (the paper's Fig. 5 setting), and the
// top-64 directions with γ, λ (the device eigensolver on a GPU), each the
// median of --repeats runs after one warm-up, with the ratio to the gradient step of the same
// problem, the engine's stage timings, and how many times the step read results back to the
// host (every read waits for the GPU) and, on webgpu, how many GPU kernels it dispatched. Then a plain MNIST MLP training step at batch 128 (the
// app's Trainer, SGD) on the chosen backend and on wasm in the same process. The table goes
// to stdout and, with --json, to a file (the GPU bench bundle writes one).

import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import type { LayerSpec } from '../src/protocol/definition';
import type { BackendReport } from '../src/protocol/records';
import { initWasmBackend } from '../src/vivit/backend-wasm';
import { webGpuDispatchCache } from '../src/vivit/backend-webgpu';
import { computeCurvature, type CurvatureOptions } from '../src/vivit/curvature';
import { eigensolverStatus, loadEigensolver } from '../src/vivit/linalg/index';
import { tfjsOps, tfjsReadbackCount } from '../src/vivit/tensor/tfjs-ops';
import { symmetricEigen } from '../src/vivit/linalg/index';
import { createTrainer } from '../src/vivit/trainer';
import { chooseBackend, describeBackend } from '../src/worker/backend';
import { CIFAR10_3C3D, formatTable, median, MNIST_MLP, problemTensors } from './problems';

interface Problem {
  key: string;
  title: string;
  layers: LayerSpec[];
  inputShape: number[];
  n: number;
  /** PyTorch (vivit + BackPACK) on an H200, ms per exact / MC-1 step (eigenvalues + γ, λ). */
  reference: { exact?: number; mc?: number };
}

const PROBLEMS: Problem[] = [
  {
    key: 'mlp32',
    title: 'MNIST MLP, N = 32',
    layers: MNIST_MLP,
    inputShape: [1, 28, 28],
    n: 32,
    reference: {},
  },
  {
    key: 'mlp128',
    title: 'MNIST MLP, N = 128',
    layers: MNIST_MLP,
    inputShape: [1, 28, 28],
    n: 128,
    reference: { exact: 26.5, mc: 6.4 },
  },
  {
    key: '3c3d32',
    title: 'cifar10 3c3d, N = 32',
    layers: CIFAR10_3C3D,
    inputShape: [3, 32, 32],
    n: 32,
    reference: {},
  },
  {
    key: '3c3d128',
    title: 'cifar10 3c3d, N = 128',
    layers: CIFAR10_3C3D,
    inputShape: [3, 32, 32],
    n: 128,
    reference: { exact: 118 },
  },
];

interface Options {
  backend: string | null;
  only: string[] | null;
  repeats: number;
  json: string | null;
  wasm: boolean;
  /** Only choose the backend, print the report, exit 0 on a GPU backend and 3 otherwise. */
  probe: boolean;
  /** Only the device's fixed costs: a read's round trip, one small op, matMul rate, batching. */
  micro: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    backend: null,
    only: null,
    repeats: 5,
    json: null,
    wasm: true,
    probe: false,
    micro: false,
  };
  const usage =
    '--backend NAME, --only mlp32,mlp128,3c3d32,3c3d128, --repeats N, --json FILE, --no-wasm, --probe, --micro';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--backend') o.backend = argv[++i] ?? '';
    else if (a === '--only') o.only = (argv[++i] ?? '').split(',');
    else if (a === '--repeats') o.repeats = Number(argv[++i]);
    else if (a === '--json') o.json = argv[++i] ?? '';
    else if (a === '--no-wasm') o.wasm = false;
    else if (a === '--probe') o.probe = true;
    else if (a === '--micro') o.micro = true;
    else throw new Error(`unknown option ${a} (${usage})`);
  }
  if (!Number.isInteger(o.repeats) || o.repeats < 1) throw new Error('--repeats must be >= 1');
  const unknown = o.only?.filter((k) => !PROBLEMS.some((p) => p.key === k)) ?? [];
  if (unknown.length) throw new Error(`--only: no problem ${unknown.join(', ')} (${usage})`);
  return o;
}

export interface GpuBenchRow {
  problem: string;
  step: string;
  ms: number;
  timesGradient: number;
  readbacks: number;
  /** GPU kernels dispatched per step (webgpu only). */
  dispatches?: number;
  referenceMs?: number;
  stages?: Record<string, number>;
  /** Where the Gram eigenproblem was solved (CurvatureResult.eigensolver). */
  solver?: string;
}

/** Median wall time (and the reads of one run) of an async step, after one warm-up. */
async function measure(
  repeats: number,
  step: () => Promise<Record<string, number> | undefined>,
): Promise<{
  ms: number;
  readbacks: number;
  dispatches?: number;
  stages?: Record<string, number>;
}> {
  // Stages are kept from a run no slower than the median so far, as a typical split.
  await step();
  const times: number[] = [];
  let readbacks = 0;
  let dispatches: number | undefined;
  const cache = webGpuDispatchCache();
  let stages: Record<string, number> | undefined;
  for (let r = 0; r < repeats; r++) {
    const reads = tfjsReadbackCount();
    const dispatched = cache?.dispatches ?? 0;
    const t0 = performance.now();
    const s = await step();
    const ms = performance.now() - t0;
    times.push(ms);
    readbacks = tfjsReadbackCount() - reads;
    if (cache) dispatches = cache.dispatches - dispatched;
    if (s && ms <= median(times)) stages = s;
  }
  return {
    ms: median(times),
    readbacks,
    ...(dispatches !== undefined && { dispatches }),
    ...(stages && { stages }),
  };
}

async function benchProblem(p: Problem, repeats: number): Promise<GpuBenchRow[]> {
  const { model, x, y, gradientStep, dispose } = problemTensors(p.layers, p.inputShape, p.n);
  const budget = Math.floor(0.5 * os.totalmem());

  const gradient = await measure(repeats, async () => {
    await gradientStep();
    return undefined;
  });
  const rows: GpuBenchRow[] = [
    {
      problem: p.key,
      step: 'plain gradient',
      ms: gradient.ms,
      timesGradient: 1,
      readbacks: gradient.readbacks,
      ...(gradient.dispatches !== undefined && { dispatches: gradient.dispatches }),
    },
  ];
  for (const mc of [0, 1]) {
    const tag = mc === 0 ? 'exact' : 'MC-1';
    const base = { mcSamples: mc, memoryBudgetBytes: budget, signs: 'gradient' as const };
    const variants: { step: string; options: CurvatureOptions; reference?: number }[] = [
      {
        step: `${tag}: eigenvalues + γ, λ`,
        options: { ...base, quantities: ['gammas', 'lambdas'] },
        reference: mc === 0 ? p.reference.exact : p.reference.mc,
      },
      { step: `${tag}: damped Newton step`, options: { ...base, quantities: ['newtonStep'] } },
      {
        step: `${tag}: top-64 + γ, λ`,
        options: { ...base, quantities: ['gammas', 'lambdas'], topK: 64 },
      },
    ];
    // On a GPU, 'auto' solves large Gram matrices on the device (docs/linalg.md); the same step
    // with the float64 host solver shows what that saves.
    if (tfjsOps.onGpu?.()) {
      variants.splice(1, 0, {
        step: `${tag}: eigenvalues + γ, λ, host eigensolver`,
        options: { ...base, quantities: ['gammas', 'lambdas'], eigensolver: 'host' },
      });
    }
    for (const v of variants) {
      let solver = '';
      const m = await measure(repeats, async () => {
        const r = await computeCurvature(model, { x, y }, v.options);
        solver = r.eigensolver;
        const { forward, sweep, eigen, quantities, lift, deviceEigen } = r.timings;
        return { forward, sweep, eigen, quantities, lift, ...deviceEigen };
      });
      rows.push({
        problem: p.key,
        step: v.step,
        ms: m.ms,
        timesGradient: m.ms / gradient.ms,
        readbacks: m.readbacks,
        ...(m.dispatches !== undefined && { dispatches: m.dispatches }),
        ...(v.reference !== undefined && { referenceMs: v.reference }),
        ...(m.stages && { stages: m.stages }),
        solver,
      });
    }
  }
  dispose();
  return rows;
}

/**
 * What a step pays besides arithmetic on this device: the round trip of one read, the cost of
 * one small op (a chain of 200 adds and one read), matMul's rate, and the training step with
 * its kernel count under tfjs-webgpu's submit batch sizes (ops recorded per queue submit);
 * the small op and the training step also with tfjs's own recording (dispatch cache off).
 */
async function microBench(repeats: number): Promise<void> {
  const rows: string[][] = [];
  // 4096 elements: above tfjs-webgpu's CPU hand-off size (1000), so these ops run on the GPU.
  const ones = tf.tidy(() => tf.add(tf.ones([4096]), tf.ones([4096])));
  const read = await measure(repeats * 5, async () => {
    const s = tf.tidy(() => tf.sum(tf.add(ones, ones)));
    await s.data();
    s.dispose();
    return undefined;
  });
  rows.push(['add + sum + read of 1 float (round trip)', read.ms.toFixed(3), '']);
  const addChain = () =>
    measure(repeats, async () => {
      let x = tf.add(ones, ones);
      for (let i = 0; i < 200; i++) {
        const next = tf.add(x, ones);
        x.dispose();
        x = next;
      }
      const s = tf.sum(x);
      x.dispose();
      await s.data();
      s.dispose();
      return undefined;
    });
  const chain = await addChain();
  rows.push(['200 adds of 4096 floats + sum + read', chain.ms.toFixed(2), '']);
  rows.push(['  per add', ((chain.ms - read.ms) / 200).toFixed(3), '']);
  const dispatchCache = webGpuDispatchCache();
  if (dispatchCache) {
    dispatchCache.enabled = false;
    const uncached = await addChain();
    dispatchCache.enabled = true;
    rows.push(["  per add, tfjs's own recording", ((uncached.ms - read.ms) / 200).toFixed(3), '']);
  }
  for (const n of [1024, 4096]) {
    const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
    const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
    const m = await measure(repeats, async () => {
      const s = tf.tidy(() => tf.sum(tf.matMul(a, b)));
      await s.data();
      s.dispose();
      return undefined;
    });
    const gflops = (2 * n ** 3) / (m.ms - read.ms) / 1e6;
    rows.push([`matMul ${n}³ + sum + read`, m.ms.toFixed(2), `${gflops.toFixed(0)} GFLOP/s`]);
    tf.dispose([a, b]);
  }
  tf.dispose(ones);
  const kernels = await kernelsPerTrainStep();
  const batchFlag = 'WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE';
  const onWebGpu = tf.getBackend() === 'webgpu';
  const batchBefore = onWebGpu ? tf.env().getNumber(batchFlag) : null;
  const batchSizes = onWebGpu ? [15, 64, 1000] : [null];
  for (const size of batchSizes) {
    if (size !== null) tf.env().set(batchFlag, size);
    const ms = await trainStepMs(repeats);
    const label = size === null ? '' : `, ${size} ops per submit`;
    rows.push([`training step (${kernels} kernels${label})`, ms.toFixed(2), '']);
  }
  if (batchBefore !== null) tf.env().set(batchFlag, batchBefore);
  // The same step recorded by tfjs itself: what the dispatch cache saves per step.
  if (dispatchCache) {
    dispatchCache.enabled = false;
    const ms = await trainStepMs(repeats);
    dispatchCache.enabled = true;
    rows.push([`training step, tfjs's own recording (no dispatch cache)`, ms.toFixed(2), '']);
  }
  console.log(`device fixed costs, ${tf.getBackend()}`);
  console.log(formatTable(['what', 'ms', 'rate'], rows));
  await eigensolverMicro(repeats);
}

/**
 * The Gram eigenproblem alone at the sizes of the N = 32 and N = 128 exact MLP steps (n = 9N):
 * the full device eigensolver with its stages (reduction on the device incl. its read, host
 * tridiagonal solve, back-transformation incl. upload and read) against reading the matrix
 * back and solving in float64 on the CPU, both in the same run. The matrix is VᵀV for a
 * Gaussian V with decaying column scales (a Gram-like spectrum spanning ~9 decades);
 * eigenvectors for λ > 1e-5 · λ_max, as the float32 engine keeps them.
 */
async function eigensolverMicro(repeats: number): Promise<void> {
  const solver = tfjsOps.deviceEigensolver?.() ?? null;
  if (solver === null) {
    console.log(`\n(no device eigensolver on ${tf.getBackend()})`);
    return;
  }
  const rows: string[][] = [];
  for (const n of [288, 1152]) {
    const gram = tf.tidy(() => {
      const decay = tf.exp(tf.mul(tf.sqrt(tf.div(tf.range(0, n), n)), -8));
      const v = tf.mul(tf.randomNormal([2 * n, n], 0, 1, 'float32', 3), decay);
      return tf.matMul(tf.transpose(v), v);
    });
    let stages = { reduce: 0, tridiagonal: 0, backTransform: 0 };
    let kept = 0;
    const device = await measure(repeats, async () => {
      const r = await solver.solve(gram, n, { maxVectors: n, rtol: 1e-5 });
      stages = r.timings;
      kept = r.m;
      return undefined;
    });
    const host = await measure(Math.min(repeats, 3), async () => {
      const a = Float64Array.from(await tfjsOps.read(gram));
      symmetricEigen(a, n, { vectors: true, vectorCount: kept });
      return undefined;
    });
    gram.dispose();
    const split = `reduce ${stages.reduce.toFixed(1)}, tridiagonal ${stages.tridiagonal.toFixed(1)}, vectors ${stages.backTransform.toFixed(1)}`;
    rows.push([`n = ${n}, ${kept} vectors`, device.ms.toFixed(1), host.ms.toFixed(1), split]);
  }
  console.log(`\nGram eigenproblem alone, ${tf.getBackend()}`);
  console.log(formatTable(['problem', 'device ms', 'host float64 ms', 'device stages (ms)'], rows));
}

/** Kernels of one training step: GPU dispatches on webgpu (our fused kernels included), tfjs
 *  kernels elsewhere. */
async function kernelsPerTrainStep(): Promise<number> {
  const { trainer, x, y } = mlpTrainer();
  await trainer.trainStep(x, y);
  const cache = webGpuDispatchCache();
  let kernels: number;
  if (cache) {
    const before = cache.dispatches;
    await trainer.trainStep(x, y);
    kernels = cache.dispatches - before;
  } else {
    const info = await tf.profile(async () => {
      await trainer.trainStep(x, y);
    });
    kernels = info.kernels.length;
  }
  trainer.dispose();
  tf.dispose([x, y]);
  return kernels;
}

function mlpTrainer(): { trainer: ReturnType<typeof createTrainer>; x: tf.Tensor; y: tf.Tensor } {
  const trainer = createTrainer({
    layers: MNIST_MLP,
    inputShape: [1, 28, 28],
    loss: 'cross_entropy',
    optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, weight_decay: 0, nesterov: false },
    seed: 0,
  });
  const x = tf.randomUniform([128, 1, 28, 28], 0, 1, 'float32', 2);
  const y = tf.tensor1d(
    Array.from({ length: 128 }, (_, i) => i % 10),
    'int32',
  );
  return { trainer, x, y };
}

async function trainStepMs(repeats: number): Promise<number> {
  const { trainer, x, y } = mlpTrainer();
  const m = await measure(Math.max(repeats, 20), async () => {
    await trainer.trainStep(x, y);
    return undefined;
  });
  trainer.dispose();
  tf.dispose([x, y]);
  return m.ms;
}

/** Written after every problem too, so that a run cut short still leaves its rows. */
function writeResults(
  o: Options,
  report: BackendReport,
  rows: GpuBenchRow[],
  trainStep: { backend: string; ms: number }[],
  complete: boolean,
): void {
  if (!o.json) return;
  const out = {
    date: new Date().toISOString(),
    complete,
    backend: report,
    host: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memoryGiB: os.totalmem() / 2 ** 30,
    },
    versions: { node: process.versions.node, tfjs: tf.version.tfjs },
    repeats: o.repeats,
    rows,
    trainStep,
  };
  writeFileSync(o.json, JSON.stringify(out, null, 2) + '\n');
  if (complete) console.log(`\nwrote ${o.json}`);
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (o.backend && o.backend !== 'auto') process.env.VIVIT_BACKEND = o.backend;
  const report: BackendReport = await chooseBackend();
  console.log(`${describeBackend(report)}`);
  if (o.probe) {
    // The bundle's run.sh probes each Vulkan driver manifest it finds before the long run.
    process.exitCode = report.chosen === 'webgpu' || report.chosen === 'tensorflow-gpu' ? 0 : 3;
    return;
  }
  if (o.micro) {
    await microBench(o.repeats);
    return;
  }
  await loadEigensolver();
  console.log(
    `eigensolver ${eigensolverStatus().backend} (CPU, float64); median of ${o.repeats} runs after one warm-up\n`,
  );

  const rows: GpuBenchRow[] = [];
  for (const p of PROBLEMS) {
    if (o.only && !o.only.includes(p.key)) continue;
    const problemRows = await benchProblem(p, o.repeats);
    rows.push(...problemRows);
    writeResults(o, report, rows, [], false);
    console.log(`${p.title}, cross-entropy, ${report.chosen}`);
    console.log(
      formatTable(
        [
          'step',
          'ms',
          '× gradient',
          'reads',
          'kernels',
          'solver',
          'H200 ref ms',
          'ours / ref',
          'fwd',
          'sweep',
          'eigen',
          'quant',
          'lift',
          'eigen on device: reduce / host / back',
        ],
        problemRows.map((r) => [
          r.step,
          r.ms.toFixed(1),
          r.timesGradient.toFixed(1),
          String(r.readbacks),
          r.dispatches !== undefined ? String(r.dispatches) : '',
          r.solver ?? '',
          r.referenceMs !== undefined ? String(r.referenceMs) : '',
          r.referenceMs !== undefined ? (r.ms / r.referenceMs).toFixed(2) : '',
          ...['forward', 'sweep', 'eigen', 'quantities', 'lift'].map((k) =>
            r.stages ? r.stages[k].toFixed(1) : '',
          ),
          r.stages?.reduce !== undefined
            ? ['reduce', 'tridiagonal', 'backTransform']
                .map((k) => r.stages![k].toFixed(1))
                .join(' / ')
            : '',
        ]),
      ),
    );
    console.log('');
  }

  const train: { backend: string; ms: number }[] = [
    { backend: report.chosen, ms: await trainStepMs(o.repeats) },
  ];
  if (o.wasm && report.chosen !== 'wasm') {
    try {
      await initWasmBackend();
      train.push({ backend: 'wasm', ms: await trainStepMs(o.repeats) });
    } catch (e) {
      console.log(`(no wasm comparison: ${e instanceof Error ? e.message : String(e)})`);
    }
  }
  console.log('MNIST MLP training step (Trainer, SGD), batch 128');
  console.log(
    formatTable(
      ['backend', 'ms', 'wasm / this'],
      train.map((t) => [
        t.backend,
        t.ms.toFixed(2),
        (train[train.length - 1].ms / t.ms).toFixed(1),
      ]),
    ),
  );
  console.log(
    '\nH200 ref: the PyTorch implementation (vivit + BackPACK) on an H200, eigenvalues + γ, λ.',
  );

  writeResults(o, report, rows, train, true);
}

await main();
