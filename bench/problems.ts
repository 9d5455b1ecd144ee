// Shared by the benchmarks: the two networks the ViViT paper and its PyTorch reference are
// timed on, a median, and a fixed-width table printer.
import type { LayerSpec } from '../src/protocol/definition';

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
