// Identity: passes values and gradients through unchanged.

import type { LayerModule } from './layer';
import { emptyCache, noParams } from './layer';
import { engineShape } from './layout';
import { stackDims } from './stack';

export const identity: LayerModule = {
  type: 'identity',
  create: (spec, inShape) => ({
    spec,
    inShape: [...inShape],
    outShape: [...inShape],
    ...noParams,
    forward: (_ops, _params, x) => ({ out: x, cache: emptyCache }),
    backward: (_ops, _params, _cache, dy) => ({ dx: dy, dparams: [] }),
    jacTMatProd(ops, _params, _cache, v, samples) {
      stackDims(ops, v, engineShape(inShape), samples, null, 'identity.jacTMatProd');
      return v;
    },
  }),
};
