import { beforeAll, describe, expect, it } from 'vitest';
import { createSgd } from '../../../src/vivit/optim/sgd';
import { tfjsOps as ops } from '../../../src/vivit/tensor/tfjs-ops';
import { relError, useCpuBackend } from '../helpers';
import { problem, runEngine } from './harness';
import { sgdReference } from './reference';

beforeAll(useCpuBackend);

const variants = [
  { name: 'plain', lr: 0.1, momentum: 0, weightDecay: 0, nesterov: false },
  { name: 'momentum', lr: 0.05, momentum: 0.9, weightDecay: 0, nesterov: false },
  { name: 'nesterov', lr: 0.05, momentum: 0.8, weightDecay: 0, nesterov: true },
  { name: 'weight decay + momentum', lr: 0.1, momentum: 0.5, weightDecay: 0.01, nesterov: false },
  { name: 'weight decay, no momentum', lr: 0.1, momentum: 0, weightDecay: 0.2, nesterov: false },
];

describe('SGD (torch.optim.SGD semantics)', () => {
  for (const v of variants) {
    it(`${v.name}: 6 steps match the reference loop`, async () => {
      const { params, grads } = problem(6, 1);
      const optimizer = createSgd(ops, {
        type: 'sgd',
        lr: v.lr,
        momentum: v.momentum,
        weight_decay: v.weightDecay,
        nesterov: v.nesterov,
      });
      const actual = await runEngine(optimizer, params, grads);
      const expected = sgdReference(params, grads, v);
      expect(optimizer.steps).toBe(6);
      actual.forEach((step, t) =>
        step.forEach((p, i) => expect(relError(p, expected[t][i])).toBeLessThan(1e-5)),
      );
      // The parameters moved (a no-op optimizer would fail the comparison above anyway).
      expect(relError(actual[5][0], params[0])).toBeGreaterThan(1e-2);
    });
  }

  it('rejects nesterov without momentum', () => {
    expect(() =>
      createSgd(ops, { type: 'sgd', lr: 0.1, momentum: 0, weight_decay: 0, nesterov: true }),
    ).toThrow(/nesterov needs a momentum/);
  });
});
