// Training step speed: the engine's trainStep vs tfjs-layers trainOnBatch (MNIST MLP, SGD).
//
//   npm run bench -- train [--backends wasm,cpu] [--batch 128] [--steps 40] [--warmup 5]
//                          [--model mlp|cnn]
//
// mlp: 784-128-64-10 with ReLU; cnn: conv 8@3x3 pad 1, ReLU, maxpool 2, conv 16@3x3 pad 1,
// ReLU, maxpool 2, flatten, linear 784-10. Softmax cross-entropy on logits, plain SGD, on
// random MNIST-shaped data (speed does not depend on values). Both implementations step on the same
// batch in the same process, alternating step by step so that load from other processes hits
// both alike. Reported: median wall time per step, median process CPU time per step,
// samples/s from the wall median, and ours/tfjs-layers (<= 1 means ours is not slower).

import * as tf from '@tensorflow/tfjs';
import { initWasmBackend } from '../src/vivit/backend-wasm';
import { createTrainer } from '../src/vivit/index';
import type { LayerSpec } from '../src/protocol/definition';
import { median } from './problems';
import { timeCall } from './util';

interface Options {
  model: 'mlp' | 'cnn';
  backends: string[];
  batch: number;
  steps: number | null;
  warmup: number;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    model: 'mlp',
    backends: ['wasm', 'cpu'],
    batch: 128,
    steps: null,
    warmup: 5,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (value === undefined) break;
    if (argv[i] === '--backends') options.backends = value.split(',');
    else if (argv[i] === '--batch') options.batch = Number(value);
    else if (argv[i] === '--steps') options.steps = Number(value);
    else if (argv[i] === '--warmup') options.warmup = Number(value);
    else if (argv[i] === '--model' && (value === 'mlp' || value === 'cnn')) options.model = value;
    else continue;
    i++;
  }
  for (const b of options.backends) {
    if (b !== 'wasm' && b !== 'cpu')
      throw new Error(`--backends: unknown backend '${b}' (wasm, cpu)`);
  }
  if (!Number.isInteger(options.batch) || options.batch < 1)
    throw new Error('--batch must be a positive integer');
  return options;
}

const models: Record<
  Options['model'],
  { title: string; layers: LayerSpec[]; keras: () => tf.layers.Layer[] }
> = {
  mlp: {
    title: 'MNIST MLP 784-128-64-10 (ReLU, cross-entropy, SGD)',
    layers: [
      { type: 'flatten' },
      { type: 'linear', in: 784, out: 128, bias: true },
      { type: 'relu' },
      { type: 'linear', in: 128, out: 64, bias: true },
      { type: 'relu' },
      { type: 'linear', in: 64, out: 10, bias: true },
    ],
    keras: () => [
      tf.layers.flatten({ inputShape: [1, 28, 28] }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  },
  cnn: {
    title: 'MNIST CNN conv8-pool-conv16-pool-linear (ReLU, cross-entropy, SGD)',
    layers: [
      {
        type: 'conv2d',
        in_channels: 1,
        out_channels: 8,
        kernel_size: 3,
        stride: 1,
        padding: 1,
        bias: true,
      },
      { type: 'relu' },
      { type: 'maxpool2d', kernel_size: 2, stride: 2, padding: 0 },
      {
        type: 'conv2d',
        in_channels: 8,
        out_channels: 16,
        kernel_size: 3,
        stride: 1,
        padding: 1,
        bias: true,
      },
      { type: 'relu' },
      { type: 'maxpool2d', kernel_size: 2, stride: 2, padding: 0 },
      { type: 'flatten' },
      { type: 'linear', in: 784, out: 10, bias: true },
    ],
    // tfjs-layers on NHWC input (its convolutions are channels-last).
    keras: () => [
      tf.layers.reshape({ inputShape: [1, 28, 28], targetShape: [28, 28, 1] }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  },
};
const LR = 0.01;

interface Timing {
  wall: number[];
  cpu: number[];
}

async function timed(t: Timing, fn: () => unknown): Promise<void> {
  const { wall, cpu } = await timeCall(fn);
  t.wall.push(wall);
  t.cpu.push(cpu);
}

async function benchBackend(backend: string, o: Options) {
  if (backend === 'wasm') await initWasmBackend();
  else await tf.setBackend(backend);
  await tf.ready();
  const steps = o.steps ?? (backend === 'wasm' ? 40 : 10);

  const x = tf.randomUniform([o.batch, 1, 28, 28], 0, 1, 'float32', 1);
  const labels = tf.randomUniform([o.batch], 0, 10, 'int32', 2);
  const oneHot = tf.oneHot(labels, 10);

  const ours = createTrainer({
    layers: models[o.model].layers,
    inputShape: [1, 28, 28],
    loss: 'cross_entropy',
    optimizer: { type: 'sgd', lr: LR, momentum: 0, weight_decay: 0, nesterov: false },
    seed: 0,
  });

  const reference = tf.sequential({ layers: models[o.model].keras() });
  reference.compile({
    optimizer: tf.train.sgd(LR),
    loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
  });

  const oursT: Timing = { wall: [], cpu: [] };
  const refT: Timing = { wall: [], cpu: [] };
  let referenceError: string | null = null;
  try {
    await reference.trainOnBatch(x, oneHot);
  } catch (e) {
    // e.g. a gradient kernel the backend lacks (wasm has no Conv2DBackpropFilter).
    referenceError = e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
  for (let i = 0; i < o.warmup; i++) {
    await ours.trainStep(x, labels);
    if (!referenceError) await reference.trainOnBatch(x, oneHot);
  }
  for (let i = 0; i < steps; i++) {
    await timed(oursT, async () => ours.trainStep(x, labels));
    if (!referenceError) await timed(refT, () => reference.trainOnBatch(x, oneHot));
  }
  ours.dispose();
  reference.dispose();
  tf.dispose([x, labels, oneHot]);
  return { backend, steps, ours: oursT, reference: refT, referenceError };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  console.log(
    `${models[o.model].title}, batch ${o.batch}, ` +
      `warm-up ${o.warmup} steps; median over the timed steps\n`,
  );
  const rows: string[][] = [
    [
      'backend',
      'implementation',
      'steps',
      'ms/step',
      'cpu ms/step',
      'samples/s',
      'ours / tfjs-layers',
    ],
  ];
  const failures: string[] = [];
  for (const backend of o.backends) {
    const r = await benchBackend(backend, o);
    const row = (impl: string, t: Timing, ratio: string) => [
      backend,
      impl,
      String(r.steps),
      median(t.wall).toFixed(2),
      median(t.cpu).toFixed(2),
      ((o.batch / median(t.wall)) * 1000).toFixed(0),
      ratio,
    ];
    if (r.referenceError) {
      rows.push(row('vivit trainStep', r.ours, 'n/a'));
      rows.push([backend, 'tfjs-layers trainOnBatch', '-', 'fails', '', '', '']);
      failures.push(`${backend}: tfjs-layers failed: ${r.referenceError}`);
    } else {
      const ratio = median(r.ours.wall) / median(r.reference.wall);
      rows.push(row('vivit trainStep', r.ours, ratio.toFixed(2)));
      rows.push(row('tfjs-layers trainOnBatch', r.reference, ''));
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.slice(1).forEach((row) => console.log(line(row)));
  if (failures.length > 0) console.log(`\n${failures.join('\n')}`);
}

await main();
