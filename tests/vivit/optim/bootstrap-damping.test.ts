// Bootstrap directional damping on synthetic per-sample data with known answers, against a
// straightforward reference written here (full sort, loops over resamples), plus the quantile
// rule, the grid, the choice rule and determinism.

import { describe, expect, it } from 'vitest';
import {
  bootstrapDamping,
  bootstrapLowerBounds,
  chooseDamping,
  constantDamping,
  drawResamples,
  logGrid,
  quantile,
  type BootstrapOptions,
  type Resamples,
} from '../../../src/vivit/optim/damping/index';
import type { Matrix } from '../../../src/vivit/quantities/matrix';
import { Rng } from '../../../src/vivit/random';

// ------------------------------------------------------------------ references

/** numpy.quantile(values, q) with the default method='linear', written plainly. */
function referenceQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const col = (m: Matrix, k: number) =>
  Array.from({ length: m.rows }, (_, r) => m.data[r * m.cols + k]);

/** The spec's bootstrap for one direction and one δ, by the letter. */
function referenceBound(
  gammas: Matrix,
  lambdas: Matrix,
  k: number,
  delta: number,
  q: number,
  rs: Resamples,
): number {
  const g = col(gammas, k);
  const l = col(lambdas, k);
  const gains = rs.gamma.map((idxG, r) => {
    const gHat = mean(Array.from(idxG, (i) => g[i]));
    const lHat = mean(Array.from(rs.lambda[r], (i) => l[i]));
    const tau =
      rs.stepGamma && rs.stepLambda
        ? -mean(Array.from(rs.stepGamma[r], (i) => g[i])) /
          (mean(Array.from(rs.stepLambda[r], (i) => l[i])) + delta)
        : -mean(g) / (mean(l) + delta);
    return -gHat * tau - 0.5 * lHat * tau * tau;
  });
  return referenceQuantile(gains, q);
}

/** Reference choice: keep bound ≥ 0, largest bound, ties to the smaller δ; none → ∞. */
function referenceChoice(grid: readonly number[], bounds: readonly number[]): number {
  let best: { delta: number; bound: number } | null = null;
  grid.forEach((delta, g) => {
    const b = bounds[g];
    if (!(b >= 0)) return;
    if (!best || b > best.bound || (b === best.bound && delta < best.delta))
      best = { delta, bound: b };
  });
  return best === null ? Infinity : (best as { delta: number }).delta;
}

function matrix(rows: number, cols: number, f: (r: number, c: number) => number): Matrix {
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = f(r, c);
  return { rows, cols, data };
}

const options = (over: Partial<BootstrapOptions> = {}): BootstrapOptions => ({
  grid: logGrid(1e-3, 1e2, 100),
  resamples: 100,
  quantile: 0.05,
  variant: 'shared_index',
  ...over,
});

// ------------------------------------------------------------------ tests

describe('quantile (linear interpolation, numpy default)', () => {
  it('matches values numpy gives', () => {
    // numpy.quantile([1, 2, 3, 4], 0.05) = 1.15; ([0, 5, 5, 10, 20], 0.05) = 1.0;
    // (range(100), 0.05) = 4.95; ([3, 1, 2], 0.5) = 2.0; ([7], 0.3) = 7.0
    expect(quantile([1, 2, 3, 4], 0.05)).toBeCloseTo(1.15, 14);
    expect(quantile([10, 0, 5, 20, 5], 0.05)).toBeCloseTo(1, 14);
    expect(
      quantile(
        Array.from({ length: 100 }, (_, i) => 99 - i),
        0.05,
      ),
    ).toBeCloseTo(4.95, 13);
    expect(quantile([3, 1, 2], 0.5)).toBe(2);
    expect(quantile([7], 0.3)).toBe(7);
    expect(quantile([1, 2, 3], 0)).toBe(1);
    expect(quantile([1, 2, 3], 1)).toBe(3);
    expect(quantile([1, Number.NaN], 0.5)).toBeNaN();
  });

  it('matches a full-sort reference on random data with ties, for many q', () => {
    const rng = new Rng(4, 'quantile');
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rng.next() * 150);
      // Rounded values produce many ties, which stress the selection's partitioning.
      const values = Array.from({ length: n }, () => Math.round(rng.normal() * 4) / 2);
      const q = trial % 10 === 0 ? 0.05 : rng.next();
      const expected = referenceQuantile(values, q);
      expect(Math.abs(quantile(values, q) - expected)).toBeLessThanOrEqual(
        1e-12 * (1 + Math.abs(expected)),
      );
    }
  });
});

describe('damping grid and constant damping', () => {
  it('logGrid is log-spaced with exact ends', () => {
    const g = logGrid(1e-4, 1e2, 200);
    expect(g.length).toBe(200);
    expect(g[0]).toBe(1e-4);
    expect(g[199]).toBe(1e2);
    const ratio = Math.log(g[1] / g[0]);
    for (let i = 1; i < g.length; i++) expect(Math.log(g[i] / g[i - 1])).toBeCloseTo(ratio, 10);
    expect(Array.from(logGrid(0.5, 0.5, 1))).toEqual([0.5]);
    expect(() => logGrid(0, 1, 10)).toThrow(/0 < min <= max/);
    expect(() => logGrid(1, 2, 0)).toThrow(/count >= 1/);
  });

  it('constant damping gives δ for every direction and refuses negative values', () => {
    expect(Array.from(constantDamping(0.3, { cols: 4 }))).toEqual([0.3, 0.3, 0.3, 0.3]);
    expect(() => constantDamping(-1, { cols: 2 })).toThrow(/>= 0/);
  });
});

describe('chooseDamping', () => {
  it('keeps bounds ≥ 0, takes the largest, breaks ties towards the smaller δ', () => {
    // Grid deliberately unsorted; K = 3 directions; bounds[g·K + k].
    const grid = [1, 0.1, 10];
    const bounds = Float64Array.from([
      // k=0   k=1   k=2
      0.5,
      -1,
      Number.NaN, // δ = 1
      0.5,
      -2,
      -0.5, // δ = 0.1
      0.2,
      0,
      -0.1, // δ = 10
    ]);
    const { damping, lowerBound } = chooseDamping(grid, bounds);
    expect(Array.from(damping)).toEqual([0.1, 10, Infinity]);
    expect(Array.from(lowerBound)).toEqual([0.5, 0, -0.1]);
  });
});

describe('bootstrap damping', () => {
  it('lower bounds equal the by-the-letter reference, both variants, equal and unequal rows', () => {
    const rng = new Rng(8, 'data');
    const gammas = matrix(24, 3, (_, c) => (c + 1) * 0.3 + rng.normal());
    const lambdas = matrix(24, 3, (_, c) => (c + 1) * Math.exp(rng.normal()));
    const fewer = matrix(10, 3, (_, c) => (c + 1) * Math.exp(rng.normal()));
    const grid = [1e-3, 0.05, 0.3, 2, 40];
    for (const [variant, lam] of [
      ['shared_index', lambdas],
      ['independent', lambdas],
      ['shared_index', fewer],
    ] as const) {
      const rs = drawResamples(new Rng(1, 'x'), variant, gammas.rows, lam.rows, 50);
      if (variant === 'shared_index' && lam.rows === gammas.rows) expect(rs.lambda).toBe(rs.gamma);
      rs.lambda.forEach((idx) => expect(idx.length).toBe(lam.rows));
      const bounds = bootstrapLowerBounds(gammas, lam, grid, 0.05, rs);
      grid.forEach((delta, g) => {
        for (let k = 0; k < 3; k++) {
          const ref = referenceBound(gammas, lam, k, delta, 0.05, rs);
          expect(Math.abs(bounds[g * 3 + k] - ref)).toBeLessThanOrEqual(
            1e-12 * (1 + Math.abs(ref)),
          );
        }
      });
    }
  });

  it('noise-free samples: the smallest δ on the grid', () => {
    // Every sample agrees, so every resample reproduces the full-sample model, whose reduction
    // γ̄²(λ̄ + 2δ)/(2(λ̄ + δ)²) falls with δ: the smallest candidate wins, in both variants.
    const gammas = matrix(16, 4, (_, c) => [0.5, -2, 3, 0.01][c]);
    const lambdas = matrix(16, 4, (_, c) => [1, 0.2, 5, 0.7][c]);
    for (const variant of ['shared_index', 'independent'] as const) {
      const grid = logGrid(1e-3, 1e2, 100);
      const { damping, lowerBound } = bootstrapDamping(
        gammas,
        lambdas,
        options({ grid, variant }),
        new Rng(3),
      );
      expect(Array.from(damping)).toEqual([grid[0], grid[0], grid[0], grid[0]]);
      lowerBound.forEach((b) => expect(b).toBeGreaterThan(0));
    }
  });

  it('pure noise with zero mean gradient: no step along any direction', () => {
    // γ_nk = ±1 (mean 1e-3, far below its standard error 1/√64), λ_nk > 0 with little noise.
    // The resampled γ̂ takes either sign, so for every δ the 5% quantile of
    // γ̂·γ̄/(λ̄+δ) − ½ λ̂ γ̄²/(λ̄+δ)² is negative: δ = ∞, as the reference says too.
    const rng = new Rng(5, 'noise');
    const gammas = matrix(64, 5, (r) => (r % 2 === 0 ? 1 : -1) + 1e-3);
    const lambdas = matrix(64, 5, (_, c) => (c + 1) * (1 + 0.1 * rng.next()));
    const opts = options();
    const { damping, lowerBound } = bootstrapDamping(gammas, lambdas, opts, new Rng(11));
    expect(Array.from(damping)).toEqual([Infinity, Infinity, Infinity, Infinity, Infinity]);
    lowerBound.forEach((b) => expect(b).toBeLessThan(0));
    const rs = drawResamples(new Rng(11), 'shared_index', 64, 64, 100);
    const bounds = bootstrapLowerBounds(gammas, lambdas, opts.grid, 0.05, rs);
    for (let k = 0; k < 5; k++) {
      const perDelta = Array.from(opts.grid, (_, g) => bounds[g * 5 + k]);
      expect(referenceChoice(Array.from(opts.grid), perDelta)).toBe(Infinity);
    }
  });

  it('noisy curvature: only the larger δ keep the lower bound ≥ 0', () => {
    // γ_n = 1 for all samples (certain); λ_n = 20 for one sample of 20, else 0 (λ̄ = 1). A
    // resample with c copies of the heavy sample has λ̂ = c, and its reduction
    // (1/(1+δ))·(1 − ½c/(1+δ)) is negative when c > 2(1+δ). P(c ≥ 3) ≈ 7.5% > 5% makes small
    // δ fail; for δ ≥ 1.5, c ≥ 6 has probability 0.03% and the bound is positive.
    const gammas = matrix(20, 1, () => 1);
    const lambdas = matrix(20, 1, (r) => (r === 0 ? 20 : 0));
    const grid = logGrid(1e-3, 1e2, 100);
    const rs = drawResamples(new Rng(21), 'shared_index', 20, 20, 100);
    const bounds = bootstrapLowerBounds(gammas, lambdas, grid, 0.05, rs);
    const kept = Array.from(grid).filter((_, g) => bounds[g] >= 0);
    const rejected = Array.from(grid).filter((_, g) => !(bounds[g] >= 0));
    expect(kept.length).toBeGreaterThan(0);
    expect(rejected.length).toBeGreaterThan(0);
    expect(Math.max(...rejected)).toBeLessThan(Math.min(...kept)); // one threshold
    expect(Math.min(...rejected)).toBe(grid[0]);
    expect(Math.min(...kept)).toBeLessThan(1.5);
    // The choice agrees with the reference on the same resamples (Rng(21) drawn the same way).
    const chosen = bootstrapDamping(gammas, lambdas, options({ grid }), new Rng(21)).damping[0];
    const ref = referenceChoice(
      Array.from(grid),
      Array.from(grid, (d) => referenceBound(gammas, lambdas, 0, d, 0.05, rs)),
    );
    expect(chosen).toBe(ref);
    expect(kept).toContain(chosen);
  });

  it('is deterministic for a fixed seed, and its draws depend on the seed', () => {
    const rng = new Rng(9, 'data');
    const gammas = matrix(32, 6, (_, c) => 0.2 * c + rng.normal());
    const lambdas = matrix(32, 6, (_, c) => (c + 1) * Math.exp(rng.normal()));
    for (const variant of ['shared_index', 'independent'] as const) {
      const run = (seed: number) =>
        bootstrapDamping(gammas, lambdas, options({ variant }), new Rng(seed));
      expect(run(1)).toEqual(run(1));
      expect(Array.from(run(1).lowerBound)).not.toEqual(Array.from(run(2).lowerBound));
    }
    // One stream, consecutive calls: fresh resamples each call.
    const stream = new Rng(1);
    const first = bootstrapDamping(gammas, lambdas, options(), stream).lowerBound;
    const second = bootstrapDamping(gammas, lambdas, options(), stream).lowerBound;
    expect(Array.from(first)).not.toEqual(Array.from(second));
  });

  it('the variants differ, and each chooses as the reference does', () => {
    const rng = new Rng(12, 'data');
    const gammas = matrix(40, 4, (_, c) => 0.4 * (c + 1) + rng.normal());
    const lambdas = matrix(40, 4, (_, c) => 0.5 * (c + 1) * Math.exp(rng.normal()));
    const grid = logGrid(1e-2, 1e2, 30);
    const choices = (['shared_index', 'independent'] as const).map((variant) => {
      const rs = drawResamples(new Rng(2), variant, 40, 40, 100);
      const got = bootstrapDamping(gammas, lambdas, options({ grid, variant }), new Rng(2));
      for (let k = 0; k < 4; k++) {
        const ref = referenceChoice(
          Array.from(grid),
          Array.from(grid, (d) => referenceBound(gammas, lambdas, k, d, 0.05, rs)),
        );
        expect(got.damping[k]).toBe(ref);
      }
      return got.lowerBound;
    });
    expect(Array.from(choices[0])).not.toEqual(Array.from(choices[1]));
  });

  it('refuses bad options with a message naming them', () => {
    const g = matrix(4, 1, () => 1);
    const run = (o: Partial<BootstrapOptions>) => () =>
      bootstrapDamping(g, g, options(o), new Rng(0));
    expect(run({ grid: [] })).toThrow(/grid is empty/);
    expect(run({ grid: [1, -1] })).toThrow(/grid value 1 must be finite and > 0/);
    expect(run({ resamples: 0 })).toThrow(/resamples must be an integer >= 1/);
    expect(run({ quantile: 1.5 })).toThrow(/quantile must be in \[0, 1\]/);
    expect(() =>
      bootstrapDamping(
        g,
        matrix(4, 2, () => 1),
        options(),
        new Rng(0),
      ),
    ).toThrow(/γ has 1 directions but λ has 2/);
  });
});
