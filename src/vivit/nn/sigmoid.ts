// Logistic sigmoid s(x) = 1 / (1 + e^-x); derivative s (1 - s), from the saved output.

import { elementwise } from './elementwise';

export const sigmoid = elementwise({
  type: 'sigmoid',
  forward(ops, x) {
    const out = ops.sigmoid(x);
    return { out, cache: { out } };
  },
  timesDerivative: (ops, { out }, v) => ops.mul(v, ops.mul(out, ops.addScalar(ops.neg(out), 1))),
});
