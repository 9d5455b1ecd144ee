// Stochastic gradient descent with torch.optim.SGD's semantics (dampening 0):
//   g = grad + weight_decay * p
//   momentum > 0:  buf = g on the first step, else momentum * buf + g
//                  g = nesterov ? g + momentum * buf : buf
//   p = p - lr * g

import type { OptimizerSpec } from '../../protocol/definition';
import type { Ops } from '../tensor/ops';
import { checkStepArgs, replaceState, type Optimizer } from './optimizer';

type SgdSpec = Extract<OptimizerSpec, { type: 'sgd' }>;

export function createSgd<T>(ops: Ops<T>, spec: SgdSpec): Optimizer<T> {
  const { lr, momentum, weight_decay: weightDecay, nesterov } = spec;
  if (nesterov && momentum <= 0) {
    throw new Error('optimizer.nesterov needs a momentum > 0 (as in torch.optim.SGD)');
  }
  const buffers: (T | undefined)[] = [];
  let steps = 0;
  return {
    get steps() {
      return steps;
    },
    step(params, grads) {
      checkStepArgs(params, grads);
      steps++;
      // Each line one fused kernel on a GPU (ops.axpby): two to four per parameter.
      return params.map((p, i) => {
        let g = weightDecay !== 0 ? ops.axpby(grads[i], 1, p, weightDecay) : grads[i];
        if (momentum !== 0) {
          const prev = buffers[i];
          const buf = replaceState(
            ops,
            buffers,
            i,
            prev === undefined ? ops.scale(g, 1) : ops.axpby(prev, momentum, g, 1),
          );
          g = nesterov ? ops.axpby(g, 1, buf, momentum) : buf;
        }
        return ops.axpby(p, 1, g, -lr);
      });
    },
    dispose() {
      for (const b of buffers) if (b !== undefined) ops.dispose(b);
      buffers.length = 0;
    },
  };
}
