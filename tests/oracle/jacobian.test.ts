// Dual-number Jacobians (exact to rounding) against Richardson-extrapolated central differences.
import { describe, expect, it } from 'vitest';
import {
  flattenParams,
  jacobianDual,
  jacobianFiniteDiff,
  planNetwork,
  randomCase,
  tinyNetworks,
} from './index';
import { relErr } from './compare';

describe('dual-number Jacobian = finite differences', () => {
  let worst = 0;
  it.each(tinyNetworks().map((net, i) => ({ name: net.name, net, seed: 70 + i })))(
    '$name',
    ({ net, seed }) => {
      const c = randomCase({
        model: net.model,
        inputShape: net.inputShape,
        N: 2,
        loss: 'mse',
        seed,
      });
      const plan = planNetwork(c.model, net.inputShape);
      const flat = flattenParams(c.params.map((p) => Float64Array.from(p.data)));
      const size = net.inputShape.reduce((a, b) => a * b, 1);
      for (let n = 0; n < 2; n++) {
        const x = c.input.data.slice(n * size, (n + 1) * size);
        const exact = jacobianDual(plan, flat, x);
        const approx = jacobianFiniteDiff(plan, flat, x);
        expect(exact.length).toBe(plan.outputSize * flat.size);
        const err = relErr(approx, exact);
        worst = Math.max(worst, err);
        // Richardson-extrapolated central differences with h = 1e-4 are good to ~1e-10 here;
        // a wrong derivative rule gives O(1) errors.
        expect(err).toBeLessThan(1e-8);
      }
    },
  );

  it('plain central differences are markedly less accurate than the extrapolated ones', () => {
    const net = tinyNetworks().find((n) => n.name === 'mlp-tanh')!;
    const c = randomCase({
      model: net.model,
      inputShape: net.inputShape,
      N: 1,
      loss: 'mse',
      seed: 3,
    });
    const plan = planNetwork(c.model, net.inputShape);
    const flat = flattenParams(c.params.map((p) => Float64Array.from(p.data)));
    const exact = jacobianDual(plan, flat, c.input.data);
    const plain = relErr(jacobianFiniteDiff(plan, flat, c.input.data, 1e-2, false), exact);
    const extrapolated = relErr(jacobianFiniteDiff(plan, flat, c.input.data, 1e-2, true), exact);
    expect(extrapolated).toBeLessThan(plain / 10);
    console.log(
      `dual vs FD: worst ${worst.toExponential(2)}; h=1e-2 plain ${plain.toExponential(2)}, Richardson ${extrapolated.toExponential(2)}`,
    );
  });
});
