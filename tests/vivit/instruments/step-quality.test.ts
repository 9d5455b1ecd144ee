// α (local effective step size) against closed forms on exact quadratics and against the
// optimality condition of weighted least squares on noisy observations; distances against
// hand-computed values.
import { describe, expect, it } from 'vitest';
import {
  fitLineQuadratic,
  localStepSize,
  meanAndVariance,
  parameterDistance,
  type LineObservation,
} from '../../../src/vivit/instruments/index';

/** Exact observations of q(s) = c + b s + a s² at s. */
const at = (c: number, b: number, a: number, s: number, variance = 0.01): LineObservation => ({
  loss: c + b * s + a * s * s,
  lossVariance: variance,
  slope: b + 2 * a * s,
  slopeVariance: variance,
});

describe('α, the local effective step size', () => {
  // q(s) = 3 − 4 s + 2 s²: minimum at s = 1, same height as s = 0 at s = 2.
  const q = (s: number) => at(3, -4, 2, s);
  it.each([
    [0.5, -0.5],
    [1, 0],
    [1.5, 0.5],
    [2, 1],
    [3, 2],
  ])('a step of length %f lands at α = %f', (t, alpha) => {
    expect(localStepSize(t, q(0), q(t))).toBeCloseTo(alpha, 10);
  });

  it('recovers the quadratic exactly from exact observations, whatever the variances', () => {
    const fit = fitLineQuadratic(0.7, at(1, 2, 3, 0, 0.5), at(1, 2, 3, 0.7, 2e-3))!;
    expect(fit[0]).toBeCloseTo(1, 10);
    expect(fit[1]).toBeCloseTo(2, 10);
    expect(fit[2]).toBeCloseTo(3, 10);
  });

  it('weights noisy observations by their precision (the normal equations hold)', () => {
    const t = 0.8;
    const start: LineObservation = {
      loss: 2.1,
      lossVariance: 0.04,
      slope: -1.3,
      slopeVariance: 0.5,
    };
    const end: LineObservation = { loss: 1.7, lossVariance: 0.01, slope: 0.2, slopeVariance: 0 };
    const [c, b, a] = fitLineQuadratic(t, start, end)!;
    const rows = [
      [1, 0, 0],
      [1, t, t * t],
      [0, 1, 0],
      [0, 1, 2 * t],
    ];
    const y = [start.loss, end.loss, start.slope, end.slope];
    const w = [1 / 0.04, 1 / 0.01, 1 / 0.5, 1 / 1e-10];
    // Φ W (y − Φᵀ[c, b, a]) = 0 at the weighted least-squares solution.
    for (let i = 0; i < 3; i++) {
      let g = 0;
      rows.forEach(
        (row, k) => (g += w[k] * row[i] * (y[k] - (row[0] * c + row[1] * b + row[2] * a))),
      );
      expect(Math.abs(g)).toBeLessThan(1e-4 * Math.max(...w));
    }
    // The zero-variance end slope is matched (almost) exactly.
    expect(b + 2 * a * t).toBeCloseTo(0.2, 6);
  });

  it('is −1 for a concave fit or no step, null when undetermined', () => {
    expect(localStepSize(1, at(0, -1, -0.5, 0), at(0, -1, -0.5, 1))).toBe(-1);
    expect(localStepSize(0, at(0, 1, 1, 0), at(0, 1, 1, 0))).toBe(-1);
    expect(localStepSize(Number.NaN, at(0, 1, 1, 0), at(0, 1, 1, 0))).toBeNull();
  });

  it('per-sample mean and unbiased variance', () => {
    expect(meanAndVariance([1, 2, 3, 6])).toEqual({ mean: 3, variance: 14 / 3 });
    expect(meanAndVariance([5])).toEqual({ mean: 5, variance: 0 });
  });
});

describe('distance from initialization and update size', () => {
  it('per parameter tensor and in total', () => {
    const d = parameterDistance(
      [Float64Array.of(3, 0), Float64Array.of(1, 1, 1)],
      [Float64Array.of(0, 4), Float64Array.of(1, 1, 1)],
    );
    expect(Array.from(d.perParameter)).toEqual([5, 0]);
    expect(d.total).toBe(5);
    expect(() => parameterDistance([Float64Array.of(1)], [])).toThrow(RangeError);
  });
});
