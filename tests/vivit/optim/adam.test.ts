import { beforeAll, describe, expect, it } from 'vitest';
import { createAdam } from '../../../src/vivit/optim/adam';
import { tfjsOps as ops } from '../../../src/vivit/tensor/tfjs-ops';
import { relError, useCpuBackend } from '../helpers';
import { problem, runEngine } from './harness';
import { adamReference } from './reference';

beforeAll(useCpuBackend);

const variants = [
  { name: 'defaults', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
  {
    name: 'weight decay as L2, other betas',
    lr: 0.01,
    beta1: 0.8,
    beta2: 0.99,
    eps: 1e-6,
    weightDecay: 0.1,
  },
];

describe('Adam (torch.optim.Adam semantics)', () => {
  for (const v of variants) {
    it(`${v.name}: 8 steps match the reference loop`, async () => {
      const { params, grads } = problem(8, 2);
      const optimizer = createAdam(ops, {
        type: 'adam',
        lr: v.lr,
        betas: [v.beta1, v.beta2],
        eps: v.eps,
        weight_decay: v.weightDecay,
      });
      const actual = await runEngine(optimizer, params, grads);
      const expected = adamReference(params, grads, v);
      // Compare the steps taken (p_t - p_0) so float32 storage of p does not hide them.
      actual.forEach((step, t) =>
        step.forEach((p, i) => {
          const moved = p.map((value, k) => value - params[i][k]);
          const expectedMoved = expected[t][i].map((value, k) => value - params[i][k]);
          expect(relError(moved, expectedMoved)).toBeLessThan(2e-3);
        }),
      );
      expect(optimizer.steps).toBe(8);
    });
  }
});
