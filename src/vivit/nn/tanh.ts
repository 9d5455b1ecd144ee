// tanh; derivative 1 - tanh², from the saved output.

import type { LayerModule } from './layer';
import { noParams } from './layer';

export const tanh: LayerModule = {
  type: 'tanh',
  create: (spec, inShape) => ({
    spec,
    inShape: [...inShape],
    outShape: [...inShape],
    ...noParams,
    forward(ops, _params, x) {
      const out = ops.tanh(x);
      return { out, cache: { out } };
    },
    backward: (ops, _params, cache, dy) => ({
      dx: ops.mul(dy, ops.addScalar(ops.neg(ops.square(cache.out)), 1)),
      dparams: [],
    }),
  }),
};
