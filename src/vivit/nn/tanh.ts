// tanh; derivative 1 - tanh², from the saved output.

import { elementwise } from './elementwise';

export const tanh = elementwise({
  type: 'tanh',
  forward(ops, x) {
    const out = ops.tanh(x);
    return { out, cache: { out } };
  },
  timesDerivative: (ops, { out }, v) => ops.mul(v, ops.addScalar(ops.neg(ops.square(out)), 1)),
});
