// Mean squared error like PyTorch's MSELoss(reduction='mean'): the mean over all N·C
// entries. Target: [N, C] like the output.
//   loss = (1/(N C)) Σ (z - y)²,   ∂loss/∂z = 2 (z - y) / (N C)
// Per sample (loss = (1/N) Σ_n ℓ_n): ℓ_n = (1/C) ‖z_n - y_n‖², ∇ℓ_n = (2/C)(z_n - y_n),
// ∇²ℓ_n = (2/C) I = Σ_c s_c s_cᵀ with s_c = √(2/C) e_c, and in expectation s = √(2/C) r with
// r a Rademacher vector (E[r rᵀ] = I).

import type { Ops } from '../tensor/ops';
import { checkMcSamples, unitVectors } from './hessian-factor';
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

  perSampleGradient(ops, out, target) {
    const classes = ops.shape(out)[1];
    return ops.scale(ops.sub(out, target), 2 / classes);
  },

  sqrtHessian(ops, out) {
    const [n, classes] = ops.shape(out);
    return ops.mul(unitVectors(ops, classes), ops.fill([1, n, 1], Math.sqrt(2 / classes)));
  },

  sqrtHessianSampled(ops, out, _target, mcSamples, rng) {
    checkMcSamples(mcSamples, 'mse');
    const [n, classes] = ops.shape(out);
    const size = Math.sqrt(2 / classes / mcSamples);
    // [M, N, C], drawn sample by sample (M vectors of C signs each) from the seeded stream.
    const values = new Float64Array(mcSamples * n * classes);
    for (let row = 0; row < n; row++) {
      for (let m = 0; m < mcSamples; m++) {
        const base = (m * n + row) * classes;
        for (let c = 0; c < classes; c++) values[base + c] = rng.next() < 0.5 ? -size : size;
      }
    }
    return ops.fromArray(values, [mcSamples, n, classes]);
  },
};
