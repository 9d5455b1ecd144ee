// Closed forms of the two losses per sample: value ℓ_n, gradient ∇_f ℓ_n, Hessian ∇²_f ℓ_n,
// and Monte-Carlo factors s with E[s sᵀ] = ∇²_f ℓ_n.
//
// Normalisation (reduction "mean", PyTorch semantics), with L = (1/N) Σ_n ℓ_n in both cases:
// - cross_entropy: ℓ_n = −log softmax(f_n)[y_n]; ∇ = p − onehot(y_n); H = diag(p) − p pᵀ.
// - mse: PyTorch's mean over all N·C entries, L = (1/(N·C)) Σ (f − y)², hence
//   ℓ_n = (1/C) ‖f_n − y_n‖²; ∇ = (2/C)(f_n − y_n); H = (2/C) I.
//
// MC factors (mc_samples = M > 0), M per sample, each scaled by 1/√M so that
// Σ_m s_m s_mᵀ is an unbiased estimate of H:
// - cross_entropy: draw a class ŷ ~ Categorical(p) and set s = onehot(ŷ) − p. Then
//   E[s sᵀ] = E[onehot onehotᵀ] − p pᵀ − p pᵀ + p pᵀ = diag(p) − p pᵀ = H (the Fisher view:
//   s is the gradient of the log-likelihood of a label sampled from the model).
// - mse: s = √(2/C) · r with r a Rademacher vector (entries ±1), E[r rᵀ] = I, so E[s sᵀ] = H.

import type { OracleRng } from './rng';

export type LossName = 'cross_entropy' | 'mse';

export interface SampleLoss {
  value: number;
  /** ∇_f ℓ_n, length C. */
  grad: Float64Array;
  /** ∇²_f ℓ_n, C×C row-major. */
  hessian: Float64Array;
}

export function softmax(f: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < f.length; i++) max = Math.max(max, f[i]);
  const p = new Float64Array(f.length);
  let sum = 0;
  for (let i = 0; i < f.length; i++) {
    p[i] = Math.exp(f[i] - max);
    sum += p[i];
  }
  for (let i = 0; i < f.length; i++) p[i] /= sum;
  return p;
}

/** target: the class index (cross_entropy) or the C target values (mse). */
export function sampleLoss(
  loss: LossName,
  f: ArrayLike<number>,
  target: ArrayLike<number>,
): SampleLoss {
  const C = f.length;
  const grad = new Float64Array(C);
  const hessian = new Float64Array(C * C);
  if (loss === 'cross_entropy') {
    const y = target[0];
    const p = softmax(f);
    let max = -Infinity;
    for (let i = 0; i < C; i++) max = Math.max(max, f[i]);
    let sum = 0;
    for (let i = 0; i < C; i++) sum += Math.exp(f[i] - max);
    const value = max + Math.log(sum) - f[y];
    for (let i = 0; i < C; i++) {
      grad[i] = p[i] - (i === y ? 1 : 0);
      for (let j = 0; j < C; j++) hessian[i * C + j] = (i === j ? p[i] : 0) - p[i] * p[j];
    }
    return { value, grad, hessian };
  }
  let value = 0;
  for (let i = 0; i < C; i++) {
    const r = f[i] - target[i];
    value += (r * r) / C;
    grad[i] = (2 / C) * r;
    hessian[i * C + i] = 2 / C;
  }
  return { value, grad, hessian };
}

/** M Monte-Carlo factors for one sample, each of length C, already scaled by 1/√M. */
export function sampleMcFactors(
  loss: LossName,
  f: ArrayLike<number>,
  M: number,
  rng: OracleRng,
): Float64Array[] {
  const C = f.length;
  const out: Float64Array[] = [];
  const scale = 1 / Math.sqrt(M);
  const p = loss === 'cross_entropy' ? softmax(f) : null;
  for (let m = 0; m < M; m++) {
    const s = new Float64Array(C);
    if (p) {
      const drawn = rng.categorical(p);
      for (let i = 0; i < C; i++) s[i] = scale * ((i === drawn ? 1 : 0) - p[i]);
    } else {
      const a = Math.sqrt(2 / C);
      for (let i = 0; i < C; i++) s[i] = scale * a * rng.rademacher();
    }
    out.push(s);
  }
  return out;
}

/** Σ_m s_m s_mᵀ as a C×C matrix. */
export function outerSum(factors: Float64Array[], C: number): Float64Array {
  const H = new Float64Array(C * C);
  for (const s of factors)
    for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) H[i * C + j] += s[i] * s[j];
  return H;
}
