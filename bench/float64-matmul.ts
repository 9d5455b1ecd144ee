// float64 matMul throughput (median of repeated runs) against tfjs's cpu backend (float32) on
// the same shapes. Run: npx tsx bench/float64-matmul.ts
// Besides wall time it reports process CPU time per run, which stays meaningful when other
// processes compete for the cores (wall-clock GFLOP/s then drops, CPU-time GFLOP/s does not).

import * as tf from '@tensorflow/tfjs';
import { float64Ops as ops } from '../src/vivit/tensor/float64-ops';
import { medianTime } from './util';

const REPEATS = 15;

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
    const tfMs = medianTime(() => tf.tidy(() => void tf.matMul(ta, tb).dataSync()), REPEATS);
    for (const [transA, transB] of [
      [false, false],
      [true, false],
      [false, true],
    ] as const) {
      const t = medianTime(() => void ops.matMul(a, b, transA, transB), REPEATS);
      rows.push({
        'm=k=n': n,
        op: `A${transA ? 'ᵀ' : ''}·B${transB ? 'ᵀ' : ''}`,
        'float64 ms': t.wall.toFixed(2),
        'float64 GFLOP/s': (flops / t.wall / 1e6).toFixed(2),
        'GFLOP/s (cpu time)': (flops / t.cpu / 1e6).toFixed(2),
        'tfjs cpu ms': tfMs.wall.toFixed(2),
        'tfjs cpu / float64': (tfMs.wall / t.wall).toFixed(2),
      });
    }
    tf.dispose([ta, tb]);
  }
  console.table(rows);
}

await main();
