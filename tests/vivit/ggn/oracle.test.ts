// The engine (float64 ops) against the brute-force oracle (dense Jacobians, dense GGN, cyclic
// Jacobi) on every tiny network of the catalogue — MLPs with each activation, CNNs with each
// pooling, stride and padding, zero-padding — for both losses and N = 3…8: loss, gradient,
// eigenvalues, γ_nk, λ_nk, eigenvectors (interop sign rule), damped Newton step.

import { afterAll, describe, expect, test } from 'vitest';
import { computeCurvature } from '../../../src/vivit/curvature';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import { bruteForceCurvature, randomCase, tinyNetworks } from '../../oracle';
import {
  caseModel,
  caseOptions,
  formatErrors,
  maxErrors,
  oracleErrors,
  type OracleErrors,
} from './case-model';

const RTOL = 1e-8;
const seen: OracleErrors[] = [];
afterAll(() =>
  console.info(`max relative errors vs oracle (float64): ${formatErrors(maxErrors(seen))}`),
);

const sizes = [3, 5, 8];

describe.each(tinyNetworks().map((net, i) => ({ ...net, N: sizes[i % sizes.length] })))(
  '$name (N = $N)',
  (net) => {
    test.each(['cross_entropy', 'mse'] as const)(
      '%s: every quantity matches the oracle',
      async (loss) => {
        const c = randomCase({
          model: net.model,
          inputShape: net.inputShape,
          N: net.N,
          loss,
          seed: 11 + net.N,
          damping: 0.3,
          n_eigvecs: 4,
        });
        const oracle = bruteForceCurvature(c);
        const { model, batch } = caseModel(float64Ops, c);
        const result = await computeCurvature(model, batch, {
          ...caseOptions(c),
          quantities: ['eigenvalues', 'eigenvectors', 'gammas', 'lambdas', 'newtonStep'],
        });
        // The oracle's K comes from the dense D×D GGN, ours from the Gram matrix.
        expect(result.groups[0].eigenvalues.length).toBe(oracle.groups[0].eigvals.length);
        expect(result.groups[0].eigenvalues.length).toBeGreaterThan(0);
        const errors = oracleErrors(result, oracle);
        seen.push(errors);
        for (const [quantity, err] of Object.entries(errors)) {
          expect(err, `${quantity}: relative error ${err}`).toBeLessThan(RTOL);
        }
      },
    );
  },
);

test('the exact cross-entropy factor is compressed to C − 1 vectors per sample, mse keeps C', async () => {
  const net = tinyNetworks()[0];
  for (const [loss, m] of [
    ['cross_entropy', 2],
    ['mse', 3],
  ] as const) {
    const c = randomCase({ model: net.model, inputShape: net.inputShape, N: 4, loss, seed: 2 });
    const { model, batch } = caseModel(float64Ops, c);
    const r = await computeCurvature(model, batch, { quantities: ['eigenvalues'] });
    expect(r.samples.vectorsPerSample).toBe(m);
    expect(r.groups[0].gramSize).toBe(4 * m);
  }
});
