// Noise-aware directional damping via the bootstrap (paper §4.2, Eq. 10; the variants as in the
// paper's published code).
//
// Along direction k the quadratic mini-batch model's loss reduction for a step τ is
//   R(τ) = −γ̄_k τ − ½ λ̄_k τ²,
// and damping δ gives the step τ(δ) = −γ̄_k / (λ̄_k + δ). Resampling the batch (with
// replacement) simulates other batches' models; the q-quantile (5%) of R over the resamples is
// a confident lower bound of the reduction. Among candidate δ on a grid we keep those whose
// bound is ≥ 0 and pick the one with the largest bound (ties: the smaller δ); when none is kept,
// δ_k = ∞: no step along e_k.
//
// Variants:
//  - shared_index (the paper's study, our default): per resample one index vector draws γ̂ and
//    λ̂ (the means of the resampled γ_nk, λ_nk); the step τ(δ) uses the full-sample means.
//  - independent (the paper's first variant): γ̂ and λ̂ from two independent resamples, and the
//    step τ(δ) = −γ̃/(λ̃ + δ) from two further independent resamples.
// One set of index vectors serves all K directions (a resample is a resampled batch). When γ
// and λ have different numbers of rows (curvature sub-sampling: λ on a subset of the batch),
// rows cannot be paired and even the shared_index variant draws γ's and λ's indices
// independently.
//
// Deterministic for a given Rng state; every parameter is an option.

import type { Matrix } from '../../quantities/matrix';
import { columnMeans } from '../../quantities/statistics';
import type { Rng } from '../../random';
import { quantileInPlace } from './quantile';

export type BootstrapVariant = 'shared_index' | 'independent';

export interface BootstrapOptions {
  /** Candidate δ values, each finite and > 0 (any order). */
  grid: ArrayLike<number>;
  /** Number of bootstrap resamples R. */
  resamples: number;
  /** Quantile of the resampled reductions used as the lower bound, in [0, 1]. */
  quantile: number;
  variant: BootstrapVariant;
}

/** Library defaults: 100 log-spaced δ from 1e-3 to 1e2, 100 resamples, the 5% quantile. */
export const DEFAULT_BOOTSTRAP = {
  grid: { min: 1e-3, max: 1e2, count: 100 },
  resamples: 100,
  quantile: 0.05,
  variant: 'shared_index' as BootstrapVariant,
};

/** `count` log-spaced values from min to max, both included (numpy.logspace on log10). */
export function logGrid(min: number, max: number, count: number): Float64Array {
  if (!(min > 0 && Number.isFinite(min) && max >= min && Number.isFinite(max))) {
    throw new RangeError(`the damping grid needs 0 < min <= max (finite), got ${min} … ${max}`);
  }
  if (!(Number.isInteger(count) && count >= 1)) {
    throw new RangeError(`the damping grid needs an integer count >= 1, got ${count}`);
  }
  if (count === 1) return Float64Array.of(min);
  const a = Math.log10(min);
  const b = Math.log10(max);
  return Float64Array.from({ length: count }, (_, i) =>
    i === 0 ? min : i === count - 1 ? max : 10 ** (a + ((b - a) * i) / (count - 1)),
  );
}

export function defaultBootstrapOptions(): BootstrapOptions {
  const { grid, ...rest } = DEFAULT_BOOTSTRAP;
  return { grid: logGrid(grid.min, grid.max, grid.count), ...rest };
}

/** Row indices of the R resamples (each vector has as many entries as its matrix has rows). */
export interface Resamples {
  /** For γ̂ (and λ̂ in the shared_index variant when the row counts agree). */
  gamma: Uint32Array[];
  /** For λ̂ (the same arrays as `gamma` when indices are shared). */
  lambda: Uint32Array[];
  /** independent variant only: for the step's γ̃ and λ̃. */
  stepGamma: Uint32Array[] | null;
  stepLambda: Uint32Array[] | null;
}

/** Draws the index vectors of one bootstrap (with replacement, uniform over the rows). */
export function drawResamples(
  rng: Rng,
  variant: BootstrapVariant,
  gammaRows: number,
  lambdaRows: number,
  resamples: number,
): Resamples {
  const draw = (rows: number): Uint32Array[] =>
    Array.from({ length: resamples }, () => {
      const idx = new Uint32Array(rows);
      for (let i = 0; i < rows; i++) idx[i] = Math.floor(rng.next() * rows);
      return idx;
    });
  if (variant === 'shared_index') {
    const gamma = draw(gammaRows);
    return {
      gamma,
      lambda: lambdaRows === gammaRows ? gamma : draw(lambdaRows),
      stepGamma: null,
      stepLambda: null,
    };
  }
  return {
    gamma: draw(gammaRows),
    lambda: draw(lambdaRows),
    stepGamma: draw(gammaRows),
    stepLambda: draw(lambdaRows),
  };
}

/** Column means of the resampled rows, transposed: out[k·R + r] = mean_i m[idx_r[i], k]. */
function resampledMeans(m: Matrix, indices: readonly Uint32Array[]): Float64Array {
  const { cols, data } = m;
  const r = indices.length;
  const out = new Float64Array(cols * r);
  const sums = new Float64Array(cols);
  indices.forEach((idx, j) => {
    sums.fill(0);
    for (let i = 0; i < idx.length; i++) {
      const row = idx[i] * cols;
      for (let k = 0; k < cols; k++) sums[k] += data[row + k];
    }
    for (let k = 0; k < cols; k++) out[k * r + j] = sums[k] / idx.length;
  });
  return out;
}

/**
 * The lower bounds: bounds[g·K + k] is the `quantile` of the resampled loss reductions along
 * direction k with damping grid[g].
 */
export function bootstrapLowerBounds(
  gammas: Matrix,
  lambdas: Matrix,
  grid: ArrayLike<number>,
  quantile: number,
  resamples: Resamples,
): Float64Array {
  const k = gammas.cols;
  const r = resamples.gamma.length;
  const gHat = resampledMeans(gammas, resamples.gamma);
  const lHat = resampledMeans(lambdas, resamples.lambda);
  const gStep = resamples.stepGamma ? resampledMeans(gammas, resamples.stepGamma) : null;
  const lStep = resamples.stepLambda ? resampledMeans(lambdas, resamples.stepLambda) : null;
  const gMean = columnMeans(gammas);
  const lMean = columnMeans(lambdas);
  const bounds = new Float64Array(grid.length * k);
  const gains = new Float64Array(r);
  for (let j = 0; j < k; j++) {
    const base = j * r;
    for (let g = 0; g < grid.length; g++) {
      const delta = grid[g];
      const tauShared = -gMean[j] / (lMean[j] + delta);
      for (let i = 0; i < r; i++) {
        const tau = gStep && lStep ? -gStep[base + i] / (lStep[base + i] + delta) : tauShared;
        gains[i] = -gHat[base + i] * tau - 0.5 * lHat[base + i] * tau * tau;
      }
      bounds[g * k + j] = quantileInPlace(gains, quantile);
    }
  }
  return bounds;
}

export interface DampingChoice {
  /** δ_k per direction; Infinity where no candidate's lower bound is ≥ 0 (no step). */
  damping: Float64Array;
  /** The lower bound of the chosen δ_k, or the best (negative) bound where none was kept. */
  lowerBound: Float64Array;
}

/** Per direction: among the δ with bound ≥ 0 the one with the largest bound, ties to the
 *  smaller δ; Infinity when there is none. */
export function chooseDamping(grid: ArrayLike<number>, bounds: Float64Array): DampingChoice {
  const k = grid.length === 0 ? 0 : bounds.length / grid.length;
  const order = Array.from({ length: grid.length }, (_, g) => g).sort((a, b) => grid[a] - grid[b]);
  const damping = new Float64Array(k).fill(Infinity);
  const lowerBound = new Float64Array(k).fill(-Infinity);
  for (let j = 0; j < k; j++) {
    let best = -Infinity;
    for (const g of order) {
      const b = bounds[g * k + j];
      if (b > best) best = b; // NaN never wins
      if (b >= 0 && (damping[j] === Infinity || b > lowerBound[j])) {
        damping[j] = grid[g];
        lowerBound[j] = b;
      }
    }
    if (damping[j] === Infinity) lowerBound[j] = best;
  }
  return { damping, lowerBound };
}

/** Checks options; throws a RangeError naming the bad one. */
export function checkBootstrapOptions(options: BootstrapOptions): void {
  const { grid, resamples, quantile, variant } = options;
  if (grid.length === 0) throw new RangeError('the damping grid is empty');
  for (let g = 0; g < grid.length; g++) {
    if (!(grid[g] > 0 && Number.isFinite(grid[g]))) {
      throw new RangeError(`damping grid value ${g} must be finite and > 0, got ${grid[g]}`);
    }
  }
  if (!(Number.isInteger(resamples) && resamples >= 1)) {
    throw new RangeError(`resamples must be an integer >= 1, got ${resamples}`);
  }
  if (!(quantile >= 0 && quantile <= 1)) {
    throw new RangeError(`quantile must be in [0, 1], got ${quantile}`);
  }
  if (variant !== 'shared_index' && variant !== 'independent') {
    throw new RangeError(`variant must be shared_index or independent, got ${String(variant)}`);
  }
}

/**
 * Bootstrap damping for the K directions of γ [N_γ, K] and λ [N_λ, K] (per-sample directional
 * gradients and curvatures). Draws from `rng`.
 */
export function bootstrapDamping(
  gammas: Matrix,
  lambdas: Matrix,
  options: BootstrapOptions,
  rng: Rng,
): DampingChoice {
  checkBootstrapOptions(options);
  if (gammas.cols !== lambdas.cols) {
    throw new RangeError(
      `γ has ${gammas.cols} directions but λ has ${lambdas.cols}; they must be the same`,
    );
  }
  if (gammas.cols === 0) return { damping: new Float64Array(0), lowerBound: new Float64Array(0) };
  if (gammas.rows === 0 || lambdas.rows === 0) {
    throw new RangeError('the bootstrap needs at least one sample of γ and of λ');
  }
  const resamples = drawResamples(
    rng,
    options.variant,
    gammas.rows,
    lambdas.rows,
    options.resamples,
  );
  const bounds = bootstrapLowerBounds(gammas, lambdas, options.grid, options.quantile, resamples);
  return chooseDamping(options.grid, bounds);
}
