// Constant damping: the same δ along every direction (the global damping of paper Eq. 9,
// restricted to the nontrivial eigenspace).

import type { Matrix } from '../../quantities/matrix';

/** δ_k = value for each of the K directions (the columns of γ [N, K]). */
export function constantDamping(value: number, gammas: Pick<Matrix, 'cols'>): Float64Array {
  if (!(value >= 0)) throw new RangeError(`constant damping must be a number >= 0, got ${value}`);
  return new Float64Array(gammas.cols).fill(value);
}
