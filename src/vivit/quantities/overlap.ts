// How much of the mini-batch gradient lies in each curved direction (paper §4.1, Fig. 2b):
// the normalized overlap γ̄_k² / ‖g‖² of the gradient g with the unit eigenvector e_k
// (γ̄_k = e_kᵀ g), and the flat remainder max(0, 1 − Σ_k γ̄_k²/‖g‖²): the share of ‖g‖² in the
// GGN's null space (or beyond topK). For a parameter group, g is the group's part of the
// gradient, taken over the same samples as the γ_nk (subsamplingGrad).

export interface GradientOverlap {
  overlap: Float64Array;
  flatRemainder: number;
}

export function gradientOverlap(
  gammaMean: Float64Array,
  gradientNormSquared: number,
): GradientOverlap {
  if (!(gradientNormSquared > 0)) {
    // A zero gradient has no direction: no overlap anywhere, nothing flat either.
    return { overlap: new Float64Array(gammaMean.length), flatRemainder: 0 };
  }
  const overlap = Float64Array.from(gammaMean, (g) => (g * g) / gradientNormSquared);
  const total = overlap.reduce((a, b) => a + b, 0);
  return { overlap, flatRemainder: Math.max(0, 1 - total) };
}
