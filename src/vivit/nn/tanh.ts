// tanh; derivative 1 - tanh², from the saved output.

import type { Ops } from '../tensor/ops';
import type { LayerModule } from './layer';
import { noParams } from './layer';
import { engineShape } from './layout';
import { scaleStack } from './stack';

const derivative = <T>(ops: Ops<T>, out: T): T => ops.addScalar(ops.neg(ops.square(out)), 1);

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
      dx: ops.mul(dy, derivative(ops, cache.out)),
      dparams: [],
    }),
    jacTMatProd: (ops, _params, cache, v, samples) =>
      scaleStack(
        ops,
        v,
        cache.out,
        samples,
        (out) => derivative(ops, out),
        engineShape(inShape),
        'tanh.jacTMatProd',
      ),
  }),
};
