// Logistic sigmoid s(x) = 1 / (1 + e^-x); derivative s (1 - s), from the saved output.

import type { LayerModule } from './layer';
import { noParams } from './layer';

export const sigmoid: LayerModule = {
  type: 'sigmoid',
  create: (spec, inShape) => ({
    spec,
    inShape: [...inShape],
    outShape: [...inShape],
    ...noParams,
    forward(ops, _params, x) {
      const out = ops.sigmoid(x);
      return { out, cache: { out } };
    },
    backward: (ops, _params, cache, dy) => ({
      dx: ops.mul(dy, ops.mul(cache.out, ops.addScalar(ops.neg(cache.out), 1))),
      dparams: [],
    }),
  }),
};
