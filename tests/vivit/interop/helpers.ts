// Shared pieces of the interop tests: the shared example files, and comparisons in the shape
// the brief asks for (max |a − e| / max |e| per vector or per column).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const EXAMPLES = ['a_mlp_sigmoid_mse', 'b_mlp_relu_ce'] as const;
const examplesDir = fileURLToPath(new URL('../../fixtures/curvature-cases/', import.meta.url));

export function readExample<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(examplesDir + file, 'utf8')) as T;
}
export const examplePath = (file: string): string => examplesDir + file;

/** Below this a reference is treated as zero (a relative error would be meaningless). */
const TINY = 1e-300;

/** max |a − e| / max |e| over one vector; fails on a length mismatch or an all-zero e. */
export function vecErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    ref = Math.max(ref, Math.abs(expected[i]));
  }
  expect(ref, 'reference is all zeros: a relative comparison would be vacuous').toBeGreaterThan(
    TINY,
  );
  return diff / ref;
}

/** Worst vecErr over the columns of two row-major tables ([rows][K]). */
export function columnsErr(actual: number[][], expected: number[][]): number {
  expect(actual.length).toBe(expected.length);
  const K = expected[0]?.length ?? 0;
  let worst = 0;
  for (let k = 0; k < K; k++) {
    worst = Math.max(
      worst,
      vecErr(
        actual.map((r) => r[k]),
        expected.map((r) => r[k]),
      ),
    );
  }
  return worst;
}

/** Worst vecErr over paired vectors. */
export function vectorsErr(actual: number[][], expected: number[][]): number {
  expect(actual.length).toBe(expected.length);
  return Math.max(0, ...expected.map((e, i) => vecErr(actual[i], e)));
}

/** |a − e| / max(|e|, tiny) for one number. */
export const scalarErr = (a: number, e: number): number =>
  Math.abs(a - e) / Math.max(Math.abs(e), TINY);

interface ResultLike {
  loss: number;
  gradient: number[];
  newton_step: number[];
  groups: {
    param_indices: number[];
    eigvals: number[];
    eigvecs_top: number[][];
    gammas: number[][];
    lambdas: number[][];
    newton_step: number[];
  }[];
}

export interface ResultErrors {
  loss: number;
  gradient: number;
  newton_step: number;
  eigvals: number;
  eigvecs_top: number;
  gammas: number;
  lambdas: number;
  group_newton_step: number;
  /** Directions compared one by one (the others lie in clusters of near-equal eigenvalues). */
  compared: number;
  directions: number;
}

/**
 * Per-part worst relative errors of a result against a reference (same structure and K are
 * asserted). Eigenvectors, and the γ/λ columns, are compared only for directions whose
 * eigenvalue is separated from the others by `minGap` · λ_max: inside a cluster of (nearly)
 * equal eigenvalues the basis is not unique, only invariants (eigenvalues, the Newton step)
 * are comparable.
 */
export function resultErrors(got: ResultLike, expected: ResultLike, minGap = 0): ResultErrors {
  const errors: ResultErrors = {
    loss: scalarErr(got.loss, expected.loss),
    gradient: vecErr(got.gradient, expected.gradient),
    newton_step: vecErr(got.newton_step, expected.newton_step),
    eigvals: 0,
    eigvecs_top: 0,
    gammas: 0,
    lambdas: 0,
    group_newton_step: 0,
    compared: 0,
    directions: 0,
  };
  expect(got.groups.length).toBe(expected.groups.length);
  expected.groups.forEach((e, i) => {
    const g = got.groups[i];
    expect(g.param_indices).toEqual(e.param_indices);
    expect(g.eigvals.length).toBe(e.eigvals.length);
    expect(g.eigvecs_top.length).toBe(e.eigvecs_top.length);
    expect(g.gammas.length).toBe(e.gammas.length);
    expect(g.lambdas.length).toBe(e.lambdas.length);
    const K = e.eigvals.length;
    const max = K > 0 ? e.eigvals[0] : 0;
    const separated = (k: number) =>
      e.eigvals.every((l, j) => j === k || Math.abs(l - e.eigvals[k]) >= minGap * max);
    const worst = (key: keyof ResultErrors, value: number) => {
      errors[key] = Math.max(errors[key], value);
    };
    if (K > 0) worst('eigvals', vecErr(g.eigvals, e.eigvals));
    worst('group_newton_step', vecErr(g.newton_step, e.newton_step));
    for (let k = 0; k < K; k++) {
      errors.directions++;
      if (!separated(k)) continue;
      errors.compared++;
      if (k < e.eigvecs_top.length)
        worst('eigvecs_top', vecErr(g.eigvecs_top[k], e.eigvecs_top[k]));
      const col = (rows: number[][]) => rows.map((r) => r[k]);
      worst('gammas', vecErr(col(g.gammas), col(e.gammas)));
      worst('lambdas', vecErr(col(g.lambdas), col(e.lambdas)));
    }
  });
  return errors;
}

/** The largest error among the parts (not the counts). */
export function worstOf(e: ResultErrors): number {
  return Math.max(
    e.loss,
    e.gradient,
    e.newton_step,
    e.eigvals,
    e.eigvecs_top,
    e.gammas,
    e.lambdas,
    e.group_newton_step,
  );
}
