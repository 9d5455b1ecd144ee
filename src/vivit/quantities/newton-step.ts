// Damped Newton step in the GGN's nontrivial eigenspace (paper Eq. 9 without the flat part,
// §4.2 "directional damping"):
//   Δθ = Σ_k τ_k e_k,  τ_k = −γ̄_k / (λ̄_k + δ_k),
// with γ̄_k, λ̄_k the means of the per-sample γ_nk, λ_nk (not the eigenvalue) and δ_k a
// constant or per-direction damping. Since e_k = V ẽ_k/√λ_k, the whole sum is one Gram-space
// vector c = Σ_k τ_k ẽ_k / √λ_k (with V's 1/√N_S folded in) mapped through V once (paper
// §2.3), instead of K separate eigenvectors. Flat directions get no step. δ_k = +∞ means no
// step along e_k (the bootstrap policy's "reject").

import { CurvatureInputError } from '../errors';
import type { Matrix } from './matrix';
import type { Spectrum } from './spectrum';

/** What a damping policy sees of one group: the direction statistics it may resample. */
export interface DirectionStatistics {
  group: number;
  eigenvalues: Float64Array;
  gammas: Matrix;
  lambdas: Matrix;
  gammaMean: Float64Array;
  lambdaMean: Float64Array;
}

/** δ_k for the K directions of a group, e.g. from a bootstrap over γ_nk, λ_nk. */
export type DampingPolicy = (stats: DirectionStatistics) => ArrayLike<number>;

/** A constant δ, per-direction δ_k (the first K entries are used for each group), or a policy. */
export type Damping = number | readonly number[] | DampingPolicy;

export function resolveDamping(
  damping: Damping,
  stats: DirectionStatistics,
  field = 'options.damping',
): Float64Array {
  const k = stats.eigenvalues.length;
  let values: ArrayLike<number>;
  if (typeof damping === 'number') values = new Float64Array(k).fill(damping);
  else if (typeof damping === 'function') values = damping(stats);
  else values = damping;
  if (values.length < k) {
    throw new CurvatureInputError(
      field,
      `has ${values.length} values but group ${stats.group} has K = ${k} directions`,
    );
  }
  const out = Float64Array.from({ length: k }, (_, i) => values[i]);
  out.forEach((d, i) => {
    if (Number.isNaN(d) || d < 0 || d === -Infinity) {
      throw new CurvatureInputError(
        `${field}[${i}]`,
        `must be a number >= 0 (or Infinity), got ${d}`,
      );
    }
    if (!(stats.lambdaMean[i] + d > 0)) {
      throw new CurvatureInputError(
        `${field}[${i}]`,
        `λ̄ + δ = ${stats.lambdaMean[i] + d} is not positive for direction ${i} of group ${stats.group}`,
      );
    }
  });
  return out;
}

export interface NewtonCoefficients {
  /** τ_k = −γ̄_k / (λ̄_k + δ_k): the step length along each e_k. */
  steps: Float64Array;
  /** The Gram-space row c (length n) whose image through the lift is Σ_k τ_k e_k. */
  coefficients: Float64Array;
}

export function newtonCoefficients(
  spectrum: Spectrum,
  gammaMean: Float64Array,
  lambdaMean: Float64Array,
  damping: Float64Array,
  samples: number,
): NewtonCoefficients {
  const { n, values, vectors } = spectrum;
  const k = values.length;
  const steps = new Float64Array(k);
  const coefficients = new Float64Array(n);
  if (k === 0) return { steps, coefficients };
  if (!vectors) throw new Error('the Newton step needs the Gram eigenvectors');
  for (let j = 0; j < k; j++) {
    const tau = damping[j] === Infinity ? 0 : -gammaMean[j] / (lambdaMean[j] + damping[j]);
    steps[j] = tau;
    if (tau === 0) continue;
    const f = tau / Math.sqrt(values[j] * samples);
    for (let i = 0; i < n; i++) coefficients[i] += f * vectors[j * n + i];
  }
  return { steps, coefficients };
}
