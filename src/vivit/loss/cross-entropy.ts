// Cross-entropy on logits (softmax + negative log-likelihood), mean over the batch, like
// PyTorch's CrossEntropyLoss. Target: class indices [N] as a float tensor of integers.
//   loss = (1/N) Σ_n (logsumexp(z_n) - z_n[y_n]),   ∂loss/∂z_n = (softmax(z_n) - e_{y_n}) / N
// Per sample, with p = softmax(z_n): ∇ℓ_n = p - e_y, ∇²ℓ_n = diag(p) - ppᵀ, which factors
// exactly as Σ_c s_c s_cᵀ with s_c = √p_c (e_c - p) (since Σ_c p_c = 1), and in expectation as
// s = e_ŷ - p with ŷ ~ Categorical(p) (E[e_ŷ] = p, E[e_ŷ e_ŷᵀ] = diag(p)).

import type { Rng } from '../random';
import type { Ops } from '../tensor/ops';
import { checkMcSamples, unitVectors } from './hessian-factor';
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

/** Draws ŷ ~ Categorical(probs[row]) for M draws per row: indices in [M, N] order (m·N + n).
 *  The stream is consumed sample by sample, M draws each. */
function drawClasses(
  probs: ArrayLike<number>,
  n: number,
  classes: number,
  mcSamples: number,
  rng: Rng,
): number[] {
  const drawn = new Array<number>(mcSamples * n);
  for (let row = 0; row < n; row++) {
    const base = row * classes;
    for (let m = 0; m < mcSamples; m++) {
      const u = rng.next();
      let acc = 0;
      // Rounding can leave the cumulative sum just below 1: then the last class with mass wins.
      let pick = -1;
      for (let c = 0; c < classes; c++) {
        const pc = probs[base + c];
        if (pc > 0) pick = c;
        acc += pc;
        if (u < acc && pc > 0) break;
      }
      drawn[m * n + row] = Math.max(pick, 0);
    }
  }
  return drawn;
}

export const crossEntropy: LossModule = {
  name: 'cross_entropy',

  outputShapeProblem: (outShape) =>
    outShape.length === 1
      ? null
      : `cross_entropy needs [classes] outputs per sample, but the model ends with [${outShape.join(', ')}]`,

  value: (ops, out, labels) =>
    ops.fusedCrossEntropy?.(out, labels, false)?.value ?? logSoftmaxParts(ops, out, labels).value,

  valueAndGradient(ops, out, labels) {
    const fused = ops.fusedCrossEntropy?.(out, labels, true);
    if (fused?.gradient) return { value: fused.value, gradient: fused.gradient };
    const { n, logProbs, oneHot, value } = logSoftmaxParts(ops, out, labels);
    const gradient = ops.scale(ops.sub(ops.exp(logProbs), oneHot), 1 / n);
    return { value, gradient };
  },

  perSampleGradient(ops, out, labels) {
    const classes = ops.shape(out)[1];
    return ops.sub(ops.softmax(out, 1), classOneHot(ops, labels, classes));
  },

  sqrtHessian(ops, out) {
    const [n, classes] = ops.shape(out);
    const p = ops.softmax(out, 1);
    // S[c, n, :] = √p[n, c] (e_c - p[n]): [C, 1, C] - [1, N, C], scaled by [C, N, 1].
    const centered = ops.sub(unitVectors(ops, classes), ops.reshape(p, [1, n, classes]));
    const scale = ops.reshape(ops.transpose(ops.sqrt(p), [1, 0]), [classes, n, 1]);
    return ops.mul(scale, centered);
  },

  sqrtHessianSampled(ops, out, _labels, mcSamples, rng) {
    checkMcSamples(mcSamples, 'cross_entropy');
    const [n, classes] = ops.shape(out);
    const p = ops.softmax(out, 1);
    // The draws come from the run's seeded stream on the host, so they are reproducible and
    // the same on every backend.
    const drawn = drawClasses(ops.toArray(p), n, classes, mcSamples, rng);
    const oneHot = ops.reshape(ops.oneHot(drawn, classes), [mcSamples, n, classes]);
    return ops.scale(ops.sub(oneHot, ops.reshape(p, [1, n, classes])), 1 / Math.sqrt(mcSamples));
  },

  accuracy(ops, out, labels) {
    const n = ops.shape(out)[0];
    const predicted = ops.argMax(out, 1);
    const wrong = ops.stepMask(ops.abs(ops.sub(predicted, labels)), 0.5);
    return ops.addScalar(ops.scale(ops.sum(wrong), -1 / n), 1);
  },
};
