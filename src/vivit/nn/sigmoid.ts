// Logistic sigmoid s(x) = 1 / (1 + e^-x); derivative s (1 - s), from the saved output.

import type { Ops } from '../tensor/ops';
import type { LayerModule } from './layer';
import { noParams } from './layer';
import { engineShape } from './layout';
import { scaleStack } from './stack';

const derivative = <T>(ops: Ops<T>, out: T): T => ops.mul(out, ops.addScalar(ops.neg(out), 1));

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
        'sigmoid.jacTMatProd',
      ),
  }),
};
