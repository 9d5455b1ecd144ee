// ReLU: max(x, 0); derivative 1 where x > 0, else 0 (0 at x = 0, as in PyTorch).

import type { LayerModule } from './layer';
import { noParams } from './layer';

export const relu: LayerModule = {
  type: 'relu',
  create: (spec, inShape) => ({
    spec,
    inShape: [...inShape],
    outShape: [...inShape],
    ...noParams,
    forward: (ops, _params, x) => ({ out: ops.relu(x), cache: { x } }),
    backward: (ops, _params, cache, dy) => ({
      dx: ops.mul(dy, ops.stepMask(cache.x, 0)),
      dparams: [],
    }),
  }),
};
