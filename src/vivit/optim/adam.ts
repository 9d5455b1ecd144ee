// Adam with torch.optim.Adam's semantics (amsgrad off; weight_decay as L2 added to the
// gradient, not AdamW's decoupled decay):
//   g = grad + weight_decay * p
//   m = β1 m + (1 - β1) g,     v = β2 v + (1 - β2) g²        (m, v start at 0)
//   p = p - (lr / (1 - β1^t)) · m / (sqrt(v) / sqrt(1 - β2^t) + eps)

import type { OptimizerSpec } from '../../protocol/definition';
import type { Ops } from '../tensor/ops';
import { checkStepArgs, replaceState, type Optimizer } from './optimizer';

type AdamSpec = Extract<OptimizerSpec, { type: 'adam' }>;

export function createAdam<T>(ops: Ops<T>, spec: AdamSpec): Optimizer<T> {
  const { lr, eps, weight_decay: weightDecay } = spec;
  const [beta1, beta2] = spec.betas;
  const firstMoments: (T | undefined)[] = [];
  const secondMoments: (T | undefined)[] = [];
  let steps = 0;
  return {
    get steps() {
      return steps;
    },
    step(params, grads) {
      checkStepArgs(params, grads);
      steps++;
      const stepSize = lr / (1 - beta1 ** steps);
      const correction2Sqrt = Math.sqrt(1 - beta2 ** steps);
      return params.map((p, i) => {
        const g = weightDecay !== 0 ? ops.axpby(grads[i], 1, p, weightDecay) : grads[i];
        const mPrev = firstMoments[i];
        const vPrev = secondMoments[i];
        const m = replaceState(
          ops,
          firstMoments,
          i,
          mPrev === undefined ? ops.scale(g, 1 - beta1) : ops.axpby(mPrev, beta1, g, 1 - beta1),
        );
        const squares = ops.square(g);
        const v = replaceState(
          ops,
          secondMoments,
          i,
          vPrev === undefined
            ? ops.scale(squares, 1 - beta2)
            : ops.axpby(vPrev, beta2, squares, 1 - beta2),
        );
        const denom = ops.addScalar(ops.scale(ops.sqrt(v), 1 / correction2Sqrt), eps);
        return ops.axpby(p, 1, ops.div(m, denom), -stepSize);
      });
    },
    dispose() {
      for (const t of [...firstMoments, ...secondMoments]) if (t !== undefined) ops.dispose(t);
      firstMoments.length = 0;
      secondMoments.length = 0;
    },
  };
}
