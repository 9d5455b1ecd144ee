// ReLU: max(x, 0); derivative 1 where x > 0, else 0 (0 at x = 0, as in PyTorch).

import type { Ops } from '../tensor/ops';
import type { LayerModule } from './layer';
import { noParams } from './layer';
import { engineShape } from './layout';
import { scaleStack } from './stack';

const derivative = <T>(ops: Ops<T>, x: T): T => ops.stepMask(x, 0);

export const relu: LayerModule = {
  type: 'relu',
  create: (spec, inShape) => ({
    spec,
    inShape: [...inShape],
    outShape: [...inShape],
    ...noParams,
    forward: (ops, _params, x) => ({ out: ops.relu(x), cache: { x } }),
    backward: (ops, _params, cache, dy) => ({
      dx: ops.mul(dy, derivative(ops, cache.x)),
      dparams: [],
    }),
    jacTMatProd: (ops, _params, cache, v, samples) =>
      scaleStack(
        ops,
        v,
        cache.x,
        samples,
        (x) => derivative(ops, x),
        engineShape(inShape),
        'relu.jacTMatProd',
      ),
  }),
};
