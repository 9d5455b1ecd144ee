// Feature normalization: 'standard' uses one mean/std over all training values (per dataset,
// like torchvision's MNIST constants), 'none' leaves values as they are (after byte scaling),
// and an explicit {mean, std} is taken as given in scaled units (so torchvision's
// Normalize((0.1307,), (0.3081,)) for MNIST carries over unchanged).
import type { Normalization } from '../../protocol/definition';

export interface ResolvedNormalization {
  mean: number;
  std: number;
}

/** Mean and (population) standard deviation of raw values times `scale`, in float64. */
export function meanStd(values: ArrayLike<number>, scale: number): ResolvedNormalization {
  const n = values.length;
  if (n === 0) return { mean: 0, std: 1 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const rawMean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - rawMean;
    sq += d * d;
  }
  return { mean: rawMean * scale, std: Math.sqrt(sq / n) * scale };
}

export function resolveNormalization(
  spec: Normalization,
  trainValues: ArrayLike<number>,
  scale: number,
): ResolvedNormalization {
  if (spec === 'none') return { mean: 0, std: 1 };
  if (spec === 'standard') {
    const { mean, std } = meanStd(trainValues, scale);
    // Constant features cannot be scaled to unit variance; centring them is all we can do.
    return { mean, std: std > 0 ? std : 1 };
  }
  return { mean: spec.mean, std: spec.std };
}

/** Coefficients a, b with normalized = raw * a + b. */
export function affineOf(norm: ResolvedNormalization, scale: number): { a: number; b: number } {
  return { a: scale / norm.std, b: -norm.mean / norm.std };
}
