// The strongest check of the oracle: the two shared cases, whose expected numbers come from an
// independent implementation (float64), must be reproduced to 1e-8 relative.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bruteForceCurvature,
  resultOnly,
  type CurvatureCase,
  type CurvatureResult,
  type OracleOutput,
} from './index';
import { column, entrywiseRelErr, relErr } from './compare';

const examplesDir = fileURLToPath(new URL('../fixtures/curvature-cases/', import.meta.url));
const read = <T>(file: string): T => JSON.parse(readFileSync(examplesDir + file, 'utf8')) as T;
const TOL = 1e-8;

describe.each(['a_mlp_sigmoid_mse', 'b_mlp_relu_ce'])('shared example %s', (name) => {
  let out: OracleOutput;
  let expected: CurvatureResult;
  const errors: Record<string, number> = {};
  beforeAll(() => {
    out = bruteForceCurvature(read<CurvatureCase>(`${name}.case.json`));
    expected = read<CurvatureResult>(`${name}.expected.json`);
  });

  it('has the expected structure', () => {
    const res = resultOnly(out);
    expect(res.groups.length).toBe(expected.groups.length);
    expect(res.gradient.length).toBe(expected.gradient.length);
    res.groups.forEach((g, i) => {
      const e = expected.groups[i];
      expect(g.param_indices).toEqual(e.param_indices);
      expect(g.eigvals.length).toBe(e.eigvals.length);
      expect(g.eigvecs_top.length).toBe(e.eigvecs_top.length);
      expect([g.gammas.length, g.gammas[0].length]).toEqual([e.gammas.length, e.gammas[0].length]);
      expect([g.lambdas.length, g.lambdas[0].length]).toEqual([
        e.lambdas.length,
        e.lambdas[0].length,
      ]);
    });
  });

  it('loss and gradient', () => {
    errors.loss = Math.abs(out.loss - expected.loss) / Math.abs(expected.loss);
    errors.gradient = relErr(out.gradient, expected.gradient);
    expect(errors.loss).toBeLessThan(TOL);
    expect(errors.gradient).toBeLessThan(TOL);
  });

  it('eigenvalues (each entry relative) and top eigenvectors (same sign convention)', () => {
    out.groups.forEach((g, i) => {
      const e = expected.groups[i];
      errors.eigvals = entrywiseRelErr(g.eigvals, e.eigvals);
      errors.eigvecs_top = Math.max(...e.eigvecs_top.map((v, k) => relErr(g.eigvecs_top[k], v)));
      expect(errors.eigvals).toBeLessThan(TOL);
      expect(errors.eigvecs_top).toBeLessThan(TOL);
    });
  });

  it('gammas and lambdas, column by column (signs included, for every direction)', () => {
    out.groups.forEach((g, i) => {
      const e = expected.groups[i];
      const K = e.eigvals.length;
      const colErr = (a: number[][], b: number[][]): number =>
        Math.max(...Array.from({ length: K }, (_, k) => relErr(column(a, k), column(b, k))));
      errors.gammas = colErr(g.gammas, e.gammas);
      errors.lambdas = colErr(g.lambdas, e.lambdas);
      expect(errors.gammas).toBeLessThan(TOL);
      expect(errors.lambdas).toBeLessThan(TOL);
    });
  });

  it('newton steps (per group and concatenated)', () => {
    out.groups.forEach((g, i) => {
      errors.group_newton_step = relErr(g.newton_step, expected.groups[i].newton_step);
      expect(errors.group_newton_step).toBeLessThan(TOL);
    });
    errors.newton_step = relErr(out.newton_step, expected.newton_step);
    expect(errors.newton_step).toBeLessThan(TOL);
    // Printed so the achieved agreement is visible in the test log.
    console.log(`${name}: max relative errors`, errors);
  });
});
