// The loss-Hessian factor that seeds the sweep: rank compression keeps Σ_m s sᵀ = ∇²ℓ_n
// exactly while dropping the null directions (cross-entropy: C − 1 vectors instead of C).

import { describe, expect, test } from 'vitest';
import { curvatureFactor } from '../../../src/vivit/ggn/factor';
import { lossModule } from '../../../src/vivit/loss/registry';
import { Rng } from '../../../src/vivit/random';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';

const N = 4;
const C = 5;
const rng = new Rng(3, 'factor-test');
const outputs = Float64Array.from({ length: N * C }, () => 2 * rng.normal());
const labels = Float64Array.from([0, 3, 4, 1]);
const targets = Float64Array.from({ length: N * C }, () => rng.normal());

/** Σ_m s_nm s_nmᵀ for each sample (C×C row-major). */
function outerSums(values: Float64Array, m: number): Float64Array[] {
  return Array.from({ length: N }, (_, n) => {
    const H = new Float64Array(C * C);
    for (let j = 0; j < m; j++) {
      const row = (j * N + n) * C;
      for (let a = 0; a < C; a++)
        for (let b = 0; b < C; b++) H[a * C + b] += values[row + a] * values[row + b];
    }
    return H;
  });
}

function softmax(n: number): Float64Array {
  const f = outputs.subarray(n * C, (n + 1) * C);
  const max = Math.max(...f);
  const e = Float64Array.from(f, (v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('exact', () => {
  test('cross-entropy: C − 1 vectors with Σ s sᵀ = diag(p) − ppᵀ', () => {
    const f = curvatureFactor(
      lossModule('cross_entropy'),
      outputs,
      labels,
      [N],
      N,
      C,
      0,
      new Rng(0),
    );
    expect(f.originalM).toBe(C);
    expect(f.m).toBe(C - 1);
    outerSums(f.values, f.m).forEach((H, n) => {
      const p = softmax(n);
      for (let a = 0; a < C; a++) {
        for (let b = 0; b < C; b++) {
          expect(H[a * C + b]).toBeCloseTo((a === b ? p[a] : 0) - p[a] * p[b], 14);
        }
      }
    });
  });

  test('mse: full rank, the factor is kept as the loss gives it', () => {
    const f = curvatureFactor(lossModule('mse'), outputs, targets, [N, C], N, C, 0, new Rng(0));
    expect(f.m).toBe(C);
    outerSums(f.values, f.m).forEach((H) => {
      for (let a = 0; a < C; a++)
        for (let b = 0; b < C; b++) expect(H[a * C + b]).toBeCloseTo(a === b ? 2 / C : 0, 14);
    });
  });
});

describe('Monte-Carlo', () => {
  test('M < rank is left alone', () => {
    const f = curvatureFactor(
      lossModule('cross_entropy'),
      outputs,
      labels,
      [N],
      N,
      C,
      2,
      new Rng(5),
    );
    expect(f.m).toBe(2);
  });

  test('M > rank is compressed without changing Σ s sᵀ', () => {
    const raw = lossModule('cross_entropy');
    const M = 12;
    // The same draws, uncompressed (M vectors) and compressed.
    const a = curvatureFactor(raw, outputs, labels, [N], N, C, M, new Rng(5, 'mc'));
    expect(a.originalM).toBe(M);
    expect(a.m).toBeLessThanOrEqual(C - 1);
    // The reference: the same draws straight from the loss module.
    const S = raw.sqrtHessianSampled(
      float64Ops,
      float64Ops.fromArray(outputs, [N, C]),
      float64Ops.fromArray(labels, [N]),
      M,
      new Rng(5, 'mc'),
    );
    const want = outerSums(S.data, M);
    outerSums(a.values, a.m).forEach((H, n) => {
      for (let i = 0; i < C * C; i++) expect(H[i]).toBeCloseTo(want[n][i], 13);
    });
  });
});
