// Mean squared error like PyTorch's MSELoss(reduction='mean'): the mean over all N·C
// entries. Target: [N, C] like the output.
//   loss = (1/(N C)) Σ (z - y)²,   ∂loss/∂z = 2 (z - y) / (N C)

import type { Ops } from '../tensor/ops';
import type { LossModule } from './loss';

function entries<T>(ops: Ops<T>, out: T): number {
  return ops.shape(out).reduce((a, b) => a * b, 1);
}

export const mse: LossModule = {
  name: 'mse',

  outputShapeProblem: (outShape) =>
    outShape.length === 1
      ? null
      : `mse needs [outputs] per sample, but the model ends with [${outShape.join(', ')}]`,

  value(ops, out, target) {
    return ops.scale(ops.sum(ops.square(ops.sub(out, target))), 1 / entries(ops, out));
  },

  valueAndGradient(ops, out, target) {
    const count = entries(ops, out);
    const diff = ops.sub(out, target);
    return {
      value: ops.scale(ops.sum(ops.square(diff)), 1 / count),
      gradient: ops.scale(diff, 2 / count),
    };
  },
};
