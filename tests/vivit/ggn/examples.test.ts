// The two shared interop cases, whose expected numbers come from an independent float64
// implementation of the paper: the engine must reproduce every quantity to 1e-8 relative.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { computeCurvature } from '../../../src/vivit/curvature';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import type { CurvatureCase, CurvatureResult } from '../../oracle';
import { caseModel, caseOptions, formatErrors, oracleErrors } from './case-model';

const dir = fileURLToPath(new URL('../../fixtures/curvature-cases/', import.meta.url));
const read = <T>(file: string): T => JSON.parse(readFileSync(dir + file, 'utf8')) as T;

test.each(['a_mlp_sigmoid_mse', 'b_mlp_relu_ce'])('shared example %s', async (name) => {
  const c = read<CurvatureCase>(`${name}.case.json`);
  const expected = read<CurvatureResult>(`${name}.expected.json`);
  const { model, batch } = caseModel(float64Ops, c);
  const result = await computeCurvature(model, batch, {
    ...caseOptions(c),
    quantities: ['eigenvalues', 'eigenvectors', 'gammas', 'lambdas', 'newtonStep'],
  });
  const errors = oracleErrors(result, expected);
  console.info(`${name}: ${formatErrors(errors)}`);
  for (const [quantity, err] of Object.entries(errors)) {
    expect(err, `${quantity}: relative error ${err}`).toBeLessThan(1e-8);
  }
});
