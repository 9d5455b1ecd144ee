// The losses' curvature pieces: per-sample output gradients against tf.grad of ℓ_n alone; the
// exact symmetric factor S of ∇²_f ℓ_n against the closed-form Hessian and a float64
// finite-difference Hessian of the per-sample loss; the Monte-Carlo factor's structure, its
// seeding, and the convergence of its empirical mean of Σ_m s sᵀ to the Hessian.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from '../../../src/vivit/loss/cross-entropy';
import type { LossModule } from '../../../src/vivit/loss/loss';
import { mse } from '../../../src/vivit/loss/mse';
import { Rng } from '../../../src/vivit/random';
import { Float64Tensor, float64Ops } from '../../../src/vivit/tensor/float64-ops';
import type { Ops } from '../../../src/vivit/tensor/ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { useCpuBackend } from '../helpers';
import { randomValues, relativeError } from './setup';

beforeAll(useCpuBackend);

const N = 3;
const C = 4;

interface LossCase {
  loss: LossModule;
  target: Float64Array;
  targetShape: number[];
  /** Closed-form ∇²ℓ_n (C×C row-major) for the logits row z. */
  hessian: (z: Float64Array) => Float64Array;
  /** ℓ_n in tfjs ops, written independently of the loss module (for tf.grad). */
  sampleLoss: (z: tf.Tensor, n: number) => tf.Tensor;
}

function softmaxRow(z: ArrayLike<number>): Float64Array {
  const max = Math.max(...Array.from(z));
  const e = Float64Array.from(z, (v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

const labels = Float64Array.from([2, 0, 3]);
const regressionTargets = randomValues(N * C, 7);

const cases: Record<string, LossCase> = {
  cross_entropy: {
    loss: crossEntropy,
    target: labels,
    targetShape: [N],
    hessian(z) {
      const p = softmaxRow(z);
      const h = new Float64Array(C * C);
      for (let i = 0; i < C; i++) {
        for (let j = 0; j < C; j++) h[i * C + j] = (i === j ? p[i] : 0) - p[i] * p[j];
      }
      return h;
    },
    sampleLoss: (z, n) => {
      const onehot = tf.oneHot(tf.tensor1d([labels[n]], 'int32'), C);
      return tf.losses.softmaxCrossEntropy(onehot, z);
    },
  },
  mse: {
    loss: mse,
    target: regressionTargets,
    targetShape: [N, C],
    hessian: () => {
      const h = new Float64Array(C * C);
      for (let i = 0; i < C; i++) h[i * C + i] = 2 / C;
      return h;
    },
    sampleLoss: (z, n) =>
      tf.mean(
        tf.squaredDifference(
          z,
          tf.tensor(Float32Array.from(regressionTargets.slice(n * C, (n + 1) * C)), [1, C]),
        ),
      ),
  },
};

const logits = randomValues(N * C, 3, 1.5);

/** Σ_m S[m, n, :] S[m, n, :]ᵀ for a factor [M, N, C]: per sample, C×C. */
function outerSums(s: Float64Tensor): Float64Array[] {
  const [m, n, c] = s.shape;
  return Array.from({ length: n }, (_, row) => {
    const h = new Float64Array(c * c);
    for (let k = 0; k < m; k++) {
      const base = (k * n + row) * c;
      for (let i = 0; i < c; i++) {
        for (let j = 0; j < c; j++) h[i * c + j] += s.data[base + i] * s.data[base + j];
      }
    }
    return h;
  });
}

const f64 = (data: Float64Array, shape: number[]) => new Float64Tensor(data, shape);

for (const [name, lc] of Object.entries(cases)) {
  describe(name, () => {
    const out = () => f64(logits, [N, C]);
    const target = () => f64(lc.target, lc.targetShape);
    const row = (n: number) => logits.slice(n * C, (n + 1) * C);

    it('perSampleGradient is tf.grad of ℓ_n alone (tfjs, float32), not divided by N', () => {
      const got = tfjsOps.tidy(() =>
        lc.loss.perSampleGradient(
          tfjsOps,
          tfjsOps.fromArray(logits, [N, C]),
          tfjsOps.fromArray(lc.target, lc.targetShape),
        ),
      );
      expect(got.shape).toEqual([N, C]);
      for (let n = 0; n < N; n++) {
        const expected = tf.grad((z: tf.Tensor) => lc.sampleLoss(z, n))(
          tf.tensor(Float32Array.from(row(n)), [1, C]),
        );
        const gotRow = tf.slice(got, [n], [1]);
        expect(relativeError(gotRow.dataSync(), expected.dataSync())).toBeLessThan(1e-5);
      }
    });

    it('sqrtHessian S [C, N, C] gives Σ_c s sᵀ = the closed-form ∇²ℓ_n (float64)', () => {
      const s = lc.loss.sqrtHessian(float64Ops, out(), target());
      expect(s.shape).toEqual([C, N, C]);
      outerSums(s).forEach((h, n) =>
        expect(relativeError(h, lc.hessian(row(n))), `sample ${n}`).toBeLessThan(1e-14),
      );
    });

    it('sqrtHessian matches a finite-difference Hessian of the per-sample loss (float64)', () => {
      const s = lc.loss.sqrtHessian(float64Ops, out(), target());
      const eps = 1e-4;
      for (let n = 0; n < N; n++) {
        // ℓ_n is the module's mean loss on the one-sample batch n.
        const t =
          lc.targetShape.length === 1
            ? f64(lc.target.slice(n, n + 1), [1])
            : f64(lc.target.slice(n * C, (n + 1) * C), [1, C]);
        const loss = (z: Float64Array) =>
          float64Ops.item(lc.loss.value(float64Ops, f64(z, [1, C]), t));
        const fd = new Float64Array(C * C);
        for (let i = 0; i < C; i++) {
          for (let j = 0; j < C; j++) {
            const at = (si: number, sj: number) => {
              const z = row(n);
              z[i] += si * eps;
              z[j] += sj * eps;
              return loss(z);
            };
            fd[i * C + j] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * eps * eps);
          }
        }
        expect(relativeError(outerSums(s)[n], fd), `sample ${n}`).toBeLessThan(1e-6);
      }
    });

    it('tfjs (float32) factors agree with float64', () => {
      const single = tfjsOps.tidy(() =>
        lc.loss.sqrtHessian(
          tfjsOps,
          tfjsOps.fromArray(logits, [N, C]),
          tfjsOps.fromArray(lc.target, lc.targetShape),
        ),
      );
      const double = lc.loss.sqrtHessian(float64Ops, out(), target());
      expect(single.shape).toEqual(double.shape);
      expect(relativeError(single.dataSync(), double.data)).toBeLessThan(1e-6);
      const mc = <T>(ops: Ops<T>): Float64Array => {
        const t = ops.tidy(() =>
          lc.loss.sqrtHessianSampled(
            ops,
            ops.fromArray(logits, [N, C]),
            ops.fromArray(lc.target, lc.targetShape),
            3,
            new Rng(9, 'mc'),
          ),
        );
        const values = Float64Array.from(ops.toArray(t));
        ops.dispose(t);
        return values;
      };
      // Same seed, same draws on both implementations.
      expect(relativeError(mc(tfjsOps), mc(float64Ops))).toBeLessThan(1e-6);
    });

    it('sqrtHessianSampled is seeded: same stream, same draws; another seed, others', () => {
      const draw = (seed: number) =>
        lc.loss.sqrtHessianSampled(float64Ops, out(), target(), 5, new Rng(seed, 'mc')).data;
      expect(Array.from(draw(1))).toEqual(Array.from(draw(1)));
      expect(Array.from(draw(1))).not.toEqual(Array.from(draw(2)));
    });

    it('the empirical mean of Σ_m s sᵀ over many draws converges to ∇²ℓ_n', () => {
      const m = 4;
      const draws = 4000;
      const rng = new Rng(3, 'mc-convergence');
      const mean = Array.from({ length: N }, () => new Float64Array(C * C));
      for (let d = 0; d < draws; d++) {
        const s = lc.loss.sqrtHessianSampled(float64Ops, out(), target(), m, rng);
        expect(s.shape).toEqual([m, N, C]);
        outerSums(s).forEach((h, n) => h.forEach((v, k) => (mean[n][k] += v / draws)));
      }
      for (let n = 0; n < N; n++) {
        const h = lc.hessian(row(n));
        let maxDiff = 0;
        h.forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(mean[n][k] - v))));
        // 16000 vectors per sample: the standard error of each entry is below 0.005.
        expect(maxDiff, `sample ${n}`).toBeLessThan(0.02);
      }
    });

    it('rejects a non-positive number of MC samples', () => {
      expect(() => lc.loss.sqrtHessianSampled(float64Ops, out(), target(), 0, new Rng(1))).toThrow(
        new RegExp(`${name}: the number of Monte-Carlo samples must be a positive integer, got 0`),
      );
    });
  });
}

describe('Monte-Carlo factor structure', () => {
  it('cross_entropy: √M s + p is a one-hot vector (ŷ drawn from softmax)', () => {
    const m = 6;
    const s = crossEntropy.sqrtHessianSampled(
      float64Ops,
      f64(logits, [N, C]),
      f64(labels, [N]),
      m,
      new Rng(4, 'mc'),
    );
    for (let k = 0; k < m; k++) {
      for (let n = 0; n < N; n++) {
        const p = softmaxRow(logits.slice(n * C, (n + 1) * C));
        const e = Array.from(
          { length: C },
          (_, c) => s.data[(k * N + n) * C + c] * Math.sqrt(m) + p[c],
        );
        const ones = e.filter((v) => Math.abs(v - 1) < 1e-12).length;
        const zeros = e.filter((v) => Math.abs(v) < 1e-12).length;
        expect([ones, zeros]).toEqual([1, C - 1]);
      }
    }
  });

  it('cross_entropy: the drawn classes follow softmax(f_n)', () => {
    // One sample with a skewed distribution; frequencies over many draws.
    const z = Float64Array.from([2, 0, -1, 1]);
    const p = softmaxRow(z);
    const m = 20000;
    const s = crossEntropy.sqrtHessianSampled(
      float64Ops,
      f64(z, [1, C]),
      f64(Float64Array.from([0]), [1]),
      m,
      new Rng(5, 'mc'),
    );
    const counts = new Float64Array(C);
    for (let k = 0; k < m; k++) {
      for (let c = 0; c < C; c++) if (s.data[k * C + c] > 0) counts[c]++;
    }
    counts.forEach((count, c) => expect(Math.abs(count / m - p[c])).toBeLessThan(0.015));
  });

  it('mse: entries are ±√(2/C)/√M with both signs', () => {
    const m = 3;
    const s = mse.sqrtHessianSampled(
      float64Ops,
      f64(logits, [N, C]),
      f64(regressionTargets, [N, C]),
      m,
      new Rng(6, 'mc'),
    );
    const size = Math.sqrt(2 / C / m);
    expect(Array.from(s.data).every((v) => Math.abs(Math.abs(v) - size) < 1e-15)).toBe(true);
    expect(Array.from(s.data).some((v) => v > 0)).toBe(true);
    expect(Array.from(s.data).some((v) => v < 0)).toBe(true);
  });
});
