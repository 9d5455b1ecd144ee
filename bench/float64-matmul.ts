// float64 matMul throughput (median of repeated runs) against tfjs's cpu backend (float32) on
// the same shapes. Run: npx tsx bench/float64-matmul.ts

import * as tf from '@tensorflow/tfjs';
import { float64Ops as ops } from '../src/vivit/tensor/float64-ops';

const REPEATS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeMs(run: () => void): number {
  run(); // warm-up (JIT, allocation)
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function random(n: number): Float64Array {
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.random() * 2 - 1;
  return d;
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const rows: Record<string, string | number>[] = [];
  for (const n of [64, 128, 256, 384]) {
    const a = ops.fromArray(random(n * n), [n, n]);
    const b = ops.fromArray(random(n * n), [n, n]);
    const ta = tf.tensor(Float32Array.from(a.data), [n, n]);
    const tb = tf.tensor(Float32Array.from(b.data), [n, n]);
    const flops = 2 * n * n * n;
    const tfMs = timeMs(() => tf.tidy(() => void tf.matMul(ta, tb).dataSync()));
    for (const [transA, transB] of [
      [false, false],
      [true, false],
      [false, true],
    ] as const) {
      const ms = timeMs(() => void ops.matMul(a, b, transA, transB));
      rows.push({
        'm=k=n': n,
        op: `A${transA ? 'ᵀ' : ''}·B${transB ? 'ᵀ' : ''}`,
        'float64 ms': ms.toFixed(2),
        'float64 GFLOP/s': (flops / ms / 1e6).toFixed(2),
        'tfjs cpu ms': tfMs.toFixed(2),
        'tfjs cpu / float64': (tfMs / ms).toFixed(2),
      });
    }
    tf.dispose([ta, tb]);
  }
  console.table(rows);
}

await main();
