// Shared by the benchmarks: the two networks the ViViT paper and its PyTorch reference are
// timed on, a problem's tensors and its plain gradient step, a median, and a table printer.
import * as tf from '@tensorflow/tfjs';
import type { LayerSpec } from '../src/protocol/definition';
import { batchToEngine, lossModule, Network, Rng, tfjsOps } from '../src/vivit/index';

const relu: LayerSpec = { type: 'relu' };
const linear = (i: number, o: number): LayerSpec => ({ type: 'linear', in: i, out: o, bias: true });
const conv = (i: number, o: number, k: number, padding: 'valid' | 'same'): LayerSpec => ({
  type: 'conv2d',
  in_channels: i,
  out_channels: o,
  kernel_size: k,
  stride: 1,
  padding,
  bias: true,
});
const pool: LayerSpec = { type: 'maxpool2d', kernel_size: 3, stride: 2, padding: 'same' };

/** The MNIST MLP example's network, 784-128-64-10 (D = 109,386). */
export const MNIST_MLP: LayerSpec[] = [
  { type: 'flatten' },
  linear(784, 128),
  relu,
  linear(128, 64),
  relu,
  linear(64, 10),
];

/** DeepOBS cifar10_3c3d (D = 895,210). */
export const CIFAR10_3C3D: LayerSpec[] = [
  conv(3, 64, 5, 'valid'),
  relu,
  pool,
  conv(64, 96, 3, 'valid'),
  relu,
  pool,
  conv(96, 128, 3, 'same'),
  relu,
  pool,
  { type: 'flatten' },
  linear(1152, 512),
  relu,
  linear(512, 256),
  relu,
  linear(256, 10),
];

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Rows of cells as an aligned table (first column left-aligned, the rest right-aligned). */
export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A network with default-initialized parameters and a random cross-entropy batch of n, on
 *  tfjs, for timing (speed does not depend on the values). */
export function problemTensors(layers: LayerSpec[], inputShape: number[], n: number) {
  const network = new Network(layers, inputShape);
  const params = network.paramsFromTorch(tfjsOps, network.initTorch(new Rng(0, 'init')));
  const x = tf.randomUniform([n, ...inputShape], 0, 1, 'float32', 1);
  const y = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 10),
    'float32',
  );
  const model = { ops: tfjsOps, network, params, loss: 'cross_entropy' as const };
  /** Forward, loss, backward, and one read that depends on every gradient (so all ran). */
  const gradientStep = async (): Promise<void> => {
    const loss = lossModule('cross_entropy');
    const numbers = tf.tidy(() => {
      const { out, caches } = network.forward(tfjsOps, params, batchToEngine(tfjsOps, x), {
        training: true,
      });
      const { value, gradient } = loss.valueAndGradient(tfjsOps, out, y);
      const grads = network.backward(tfjsOps, params, caches, gradient);
      return tf.stack([value, ...grads.map((g) => tf.sum(g))]);
    });
    await tfjsOps.read(numbers);
    numbers.dispose();
  };
  const dispose = () => tf.dispose([...params, x, y]);
  return { network, params, x, y, model, gradientStep, dispose };
}
