// Cross-entropy on logits (softmax + negative log-likelihood), mean over the batch, like
// PyTorch's CrossEntropyLoss. Target: class indices [N] as a float tensor of integers.
//   loss = (1/N) Σ_n (logsumexp(z_n) - z_n[y_n]),   ∂loss/∂z_n = (softmax(z_n) - e_{y_n}) / N

import type { Ops } from '../tensor/ops';
import type { LossModule } from './loss';

/** One-hot rows [N, C] for float class indices [N], built from tensor ops (no host read). */
export function classOneHot<T>(ops: Ops<T>, labels: T, classes: number): T {
  const n = ops.shape(labels)[0];
  const range = ops.fromArray(
    Array.from({ length: classes }, (_, c) => c),
    [1, classes],
  );
  const distance = ops.abs(ops.sub(ops.reshape(labels, [n, 1]), range));
  return ops.addScalar(ops.neg(ops.stepMask(distance, 0.5)), 1);
}

function logSoftmaxParts<T>(ops: Ops<T>, out: T, labels: T) {
  const [n, classes] = ops.shape(out);
  const logProbs = ops.sub(out, ops.logSumExp(out, 1, true));
  const oneHot = classOneHot(ops, labels, classes);
  const value = ops.scale(ops.sum(ops.mul(oneHot, logProbs)), -1 / n);
  return { n, logProbs, oneHot, value };
}

export const crossEntropy: LossModule = {
  name: 'cross_entropy',

  outputShapeProblem: (outShape) =>
    outShape.length === 1
      ? null
      : `cross_entropy needs [classes] outputs per sample, but the model ends with [${outShape.join(', ')}]`,

  value: (ops, out, labels) => logSoftmaxParts(ops, out, labels).value,

  valueAndGradient(ops, out, labels) {
    const { n, logProbs, oneHot, value } = logSoftmaxParts(ops, out, labels);
    const gradient = ops.scale(ops.sub(ops.exp(logProbs), oneHot), 1 / n);
    return { value, gradient };
  },

  accuracy(ops, out, labels) {
    const n = ops.shape(out)[0];
    const predicted = ops.argMax(out, 1);
    const wrong = ops.stepMask(ops.abs(ops.sub(predicted, labels)), 0.5);
    return ops.addScalar(ops.scale(ops.sum(wrong), -1 / n), 1);
  },
};
