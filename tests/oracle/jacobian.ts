// Per-sample output Jacobians J_n = ∂f_n/∂θ (C×D, row-major, θ flat over case.params in order):
// - exactly, by forward mode with dual numbers: one pass per parameter entry, seeding that
//   entry's tangent with 1 (naive on purpose: D passes of the plain-loop forward);
// - approximately, by central finite differences with one Richardson step, as a cross-check.

import { forwardSample, type NetworkPlan } from './network';
import { dual, dualNumbers, float64, type Dual } from './scalar';

export interface FlatParams {
  /** case.params[i].data as float64. */
  tensors: Float64Array[];
  /** Offset of each tensor in the flat θ. */
  offsets: number[];
  /** D. */
  size: number;
}

export function flattenParams(tensors: Float64Array[]): FlatParams {
  const offsets: number[] = [];
  let size = 0;
  for (const t of tensors) {
    offsets.push(size);
    size += t.length;
  }
  return { tensors, offsets, size };
}

/** The network output for one sample, in float64. */
export function outputOf(
  plan: NetworkPlan,
  params: Float64Array[],
  x: ArrayLike<number>,
): Float64Array {
  return Float64Array.from(
    forwardSample(
      float64,
      plan,
      params.map((t) => Array.from(t)),
      Array.from(x),
    ),
  );
}

export function jacobianDual(
  plan: NetworkPlan,
  flat: FlatParams,
  x: ArrayLike<number>,
): Float64Array {
  const C = plan.outputSize;
  const D = flat.size;
  const J = new Float64Array(C * D);
  const input: Dual[] = Array.from(x, (v) => dual(v, 0));
  const params: Dual[][] = flat.tensors.map((t) => Array.from(t, (v) => dual(v, 0)));
  for (let p = 0; p < params.length; p++) {
    const tensor = flat.tensors[p];
    for (let e = 0; e < tensor.length; e++) {
      params[p][e] = dual(tensor[e], 1);
      const y = forwardSample(dualNumbers, plan, params, input);
      params[p][e] = dual(tensor[e], 0);
      const col = flat.offsets[p] + e;
      for (let c = 0; c < C; c++) J[c * D + col] = y[c].d;
    }
  }
  return J;
}

/**
 * Central differences D(h) = (f(θ+h) − f(θ−h)) / 2h with step h·max(1, |θ_i|), improved by
 * Richardson extrapolation (4·D(h/2) − D(h)) / 3, which cancels the O(h²) error term.
 * Not valid across a kink (relu at 0, a maxpool tie) within the step.
 */
export function jacobianFiniteDiff(
  plan: NetworkPlan,
  flat: FlatParams,
  x: ArrayLike<number>,
  h = 1e-4,
  richardson = true,
): Float64Array {
  const C = plan.outputSize;
  const D = flat.size;
  const J = new Float64Array(C * D);
  const params = flat.tensors.map((t) => Float64Array.from(t));
  const central = (p: number, e: number, step: number): Float64Array => {
    const base = params[p][e];
    params[p][e] = base + step;
    const up = outputOf(plan, params, x);
    params[p][e] = base - step;
    const down = outputOf(plan, params, x);
    params[p][e] = base;
    return up.map((u, c) => (u - down[c]) / (2 * step));
  };
  for (let p = 0; p < params.length; p++) {
    for (let e = 0; e < params[p].length; e++) {
      const step = h * Math.max(1, Math.abs(params[p][e]));
      const coarse = central(p, e, step);
      const est = richardson
        ? central(p, e, step / 2).map((fine, c) => (4 * fine - coarse[c]) / 3)
        : coarse;
      const col = flat.offsets[p] + e;
      for (let c = 0; c < C; c++) J[c * D + col] = est[c];
    }
  }
  return J;
}
