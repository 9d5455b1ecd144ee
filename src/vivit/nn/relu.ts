// ReLU: max(x, 0); derivative 1 where x > 0, else 0 (0 at x = 0, as in PyTorch).

import { elementwise } from './elementwise';

export const relu = elementwise({
  type: 'relu',
  forward: (ops, x) => ({ out: ops.relu(x), cache: { x } }),
  timesDerivative: (ops, cache, v) => ops.mulStepMask(v, cache.x, 0),
});
