// ViViT curvature cost per step against a plain gradient step (wasm backend, float32).
//
//   npm run bench -- curvature [--quick] [--repeats 7] [--only mlp32,mlp128,3c3d]
//
// For each problem and approximation (exact GGN, MC-1), the median wall time of repeated runs
// of: a plain gradient (forward, loss, backward), eigenvalues; eigenvalues + γ_nk, λ_nk;
// the damped Newton step; the top-3 eigenvectors — and the ratio to the gradient of the same
// run. Next to it, the reference numbers of the PyTorch implementation (vivit + BackPACK,
// 2 threads, ms/step) that the task names. Random data (speed does not depend on values).
// Directions for γ use the 'gradient' sign rule (the reference does not fix signs).

import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import type { LayerSpec } from '../src/protocol/definition';
import { initWasmBackend } from '../src/vivit/backend-wasm';
import {
  computeCurvature,
  type CurvatureOptions,
  type CurvatureResult,
} from '../src/vivit/curvature';
import { loadEigensolver, eigensolverStatus } from '../src/vivit/linalg/index';
import { CIFAR10_3C3D, MNIST_MLP, median, problemTensors } from './problems';
import { timeCall } from './util';

interface Problem {
  key: string;
  title: string;
  layers: LayerSpec[];
  inputShape: number[];
  n: number;
  /** Reference ms/step for eigenvalues + γ, λ (exact, MC-1) and eigenvalues alone (exact). */
  reference: { exact: number; mc: number; eigenvaluesExact?: number };
}

const problems: Problem[] = [
  {
    key: 'mlp32',
    title: 'MLP 784-128-64-10, N = 32',
    layers: MNIST_MLP,
    inputShape: [1, 28, 28],
    n: 32,
    reference: { exact: 340, mc: 34 },
  },
  {
    key: 'mlp128',
    title: 'MLP 784-128-64-10, N = 128',
    layers: MNIST_MLP,
    inputShape: [1, 28, 28],
    n: 128,
    reference: { exact: 3600, mc: 140, eigenvaluesExact: 117 },
  },
  {
    key: '3c3d',
    title: 'cifar10 3c3d, N = 32',
    layers: CIFAR10_3C3D,
    inputShape: [3, 32, 32],
    n: 32,
    reference: { exact: 3500, mc: 490, eigenvaluesExact: 1700 },
  },
];

interface Options {
  repeats: number;
  only: string[] | null;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { repeats: 7, only: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') o.repeats = 3;
    else if (argv[i] === '--repeats') o.repeats = Number(argv[++i]);
    else if (argv[i] === '--only') o.only = (argv[++i] ?? '').split(',');
    else
      throw new Error(`unknown option ${argv[i]} (--quick, --repeats N, --only mlp32,mlp128,3c3d)`);
  }
  if (!Number.isInteger(o.repeats) || o.repeats < 1) throw new Error('--repeats must be >= 1');
  return o;
}

interface Row {
  label: string;
  ms: number;
  stages?: CurvatureResult['timings'];
  reference?: number;
  /** The memory guard's estimate for the request (MB). */
  estimateMb?: number;
}

async function benchProblem(
  p: Problem,
  repeats: number,
): Promise<{ title: string; rows: Row[]; d: number }> {
  const { network, model, x, y, gradientStep, dispose } = problemTensors(
    p.layers,
    p.inputShape,
    p.n,
  );
  const budget = Math.floor(0.25 * os.totalmem());

  const time = async (fn: () => Promise<void>): Promise<number> => (await timeCall(fn)).wall;

  // Interleave the variants repeat by repeat so that load from other processes hits all alike.
  type Variant = { label: string; options?: CurvatureOptions; reference?: number };
  const variants: Variant[] = [{ label: 'plain gradient' }];
  for (const mc of [0, 1]) {
    const tag = mc === 0 ? 'exact' : 'MC-1';
    const base = { mcSamples: mc, memoryBudgetBytes: budget, signs: 'gradient' as const };
    variants.push(
      {
        label: `${tag}: eigenvalues`,
        options: { ...base, quantities: ['eigenvalues'] },
        reference: mc === 0 ? p.reference.eigenvaluesExact : undefined,
      },
      {
        label: `${tag}: eigenvalues + γ, λ`,
        options: { ...base, quantities: ['gammas', 'lambdas'] },
        reference: mc === 0 ? p.reference.exact : p.reference.mc,
      },
      { label: `${tag}: damped Newton step`, options: { ...base, quantities: ['newtonStep'] } },
      {
        label: `${tag}: top-3 eigenvectors`,
        options: { ...base, quantities: ['eigenvectors'], eigenvectorCount: 3 },
      },
    );
  }
  const times = variants.map(() => [] as number[]);
  const stages: (CurvatureResult['timings'] | undefined)[] = variants.map(() => undefined);
  const estimates: (number | undefined)[] = variants.map(() => undefined);
  for (let r = -1; r < repeats; r++) {
    for (const [i, v] of variants.entries()) {
      let result: CurvatureResult | null = null;
      const ms = await time(async () => {
        if (v.options) result = await computeCurvature(model, { x, y }, v.options);
        else await gradientStep();
      });
      if (r < 0) continue; // warm-up
      times[i].push(ms);
      const done = result as CurvatureResult | null;
      if (done) estimates[i] = done.memory.estimate.totalBytes / 2 ** 20;
      const timings = done?.timings;
      if (timings && (stages[i] === undefined || ms <= median(times[i]))) stages[i] = timings;
    }
  }
  dispose();
  return {
    title: p.title,
    d: network.parameterCount,
    rows: variants.map((v, i) => ({
      label: v.label,
      ms: median(times[i]),
      stages: stages[i],
      reference: v.reference,
      estimateMb: estimates[i],
    })),
  };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  await initWasmBackend();
  const eig = await loadEigensolver();
  console.log(
    `tfjs ${tf.getBackend()} backend (float32), eigensolver: ${eig.backend}; median of ${o.repeats} runs after one warm-up\n`,
  );
  const header = [
    'step',
    'ms',
    '× gradient',
    'reference ms',
    'ours / ref',
    'fwd',
    'sweep',
    'eigen',
    'quant',
    'lift',
    'est. MB',
  ];
  for (const p of problems) {
    if (o.only && !o.only.includes(p.key)) continue;
    const r = await benchProblem(p, o.repeats);
    const gradient = r.rows[0].ms;
    const table = r.rows.map((row) => [
      row.label,
      row.ms.toFixed(1),
      (row.ms / gradient).toFixed(1),
      row.reference !== undefined ? String(row.reference) : '',
      row.reference !== undefined ? (row.ms / row.reference).toFixed(2) : '',
      ...(row.stages
        ? [
            row.stages.forward,
            row.stages.sweep,
            row.stages.eigen,
            row.stages.quantities,
            row.stages.lift,
          ].map((t) => t.toFixed(0))
        : ['', '', '', '', '']),
      row.estimateMb !== undefined ? row.estimateMb.toFixed(0) : '',
    ]);
    const all = [header, ...table];
    const widths = header.map((_, c) => Math.max(...all.map((row) => row[c].length)));
    const line = (row: string[]) =>
      row
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join('  ');
    console.log(`${r.title} (D = ${r.d.toLocaleString('en')}), cross-entropy`);
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    table.forEach((row) => console.log(line(row)));
    console.log('');
  }
  const status = eigensolverStatus();
  if (status.lastFallback) console.log(`eigensolver fell back to js once: ${status.lastFallback}`);
  console.log(
    'reference: PyTorch vivit + BackPACK, 2 threads, eigenvalues + γ, λ (and eigenvalues alone where given).',
  );
}

await main();
