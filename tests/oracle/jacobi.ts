// Cyclic Jacobi eigensolver for dense symmetric matrices in float64 — slow (O(n³) per sweep)
// but simple and very accurate, and independent of the engine's eigensolver.
// Each rotation zeroes one off-diagonal pair (p, q); sweeps repeat until no pair is above the
// threshold: |a_pq| ≤ ε·√(|a_pp a_qq|) (the relative criterion that keeps small eigenvalues
// accurate) or |a_pq| ≤ ε·‖A‖_F / n (all such entries together are a perturbation of norm
// ≤ ε·‖A‖_F, i.e. roundoff; without this floor the sweeps would keep rotating the roundoff
// noise inside the null space of a rank-deficient GGN).

export interface SymmetricEigen {
  /** Descending. */
  values: Float64Array;
  /** vectors[k] is the unit eigenvector of values[k]. */
  vectors: Float64Array[];
  sweeps: number;
}

const EPS = 2.220446049250313e-16;

/** A is n×n row-major and must be symmetric (checked to 1e-12 relative); it is not modified. */
export function jacobiEigen(input: ArrayLike<number>, n: number, maxSweeps = 60): SymmetricEigen {
  if (input.length !== n * n)
    throw new Error(`jacobiEigen: expected ${n * n} entries, got ${input.length}`);
  const A = Float64Array.from(input);
  let norm2 = 0;
  for (let i = 0; i < n * n; i++) norm2 += A[i] * A[i];
  const normF = Math.sqrt(norm2);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (Math.abs(A[i * n + j] - A[j * n + i]) > 1e-12 * Math.max(normF, 1e-300)) {
        throw new Error(`jacobiEigen: matrix is not symmetric at (${i}, ${j})`);
      }
      const m = 0.5 * (A[i * n + j] + A[j * n + i]);
      A[i * n + j] = m;
      A[j * n + i] = m;
    }
  }
  // Row k of W holds the k-th column of the accumulated rotation (contiguous updates).
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++) W[i * n + i] = 1;
  const floor = EPS * normF;
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        const app = A[p * n + p];
        const aqq = A[q * n + q];
        if (Math.abs(apq) <= floor || Math.abs(apq) <= EPS * Math.sqrt(Math.abs(app * aqq)))
          continue;
        rotated = true;
        // Rotation angle that annihilates a_pq (Rutishauser's stable formulas).
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Rᵀ A R: rows p and q change (contiguous), the columns mirror them by symmetry.
        const rp = p * n;
        const rq = q * n;
        for (let k = 0; k < n; k++) {
          const apk = A[rp + k];
          const aqk = A[rq + k];
          A[rp + k] = c * apk - s * aqk;
          A[rq + k] = s * apk + c * aqk;
        }
        A[rp + p] = app - t * apq;
        A[rq + q] = aqq + t * apq;
        A[rp + q] = 0;
        A[rq + p] = 0;
        for (let k = 0; k < n; k++) {
          if (k === p || k === q) continue;
          A[k * n + p] = A[rp + k];
          A[k * n + q] = A[rq + k];
        }
        for (let k = 0; k < n; k++) {
          const wpk = W[rp + k];
          const wqk = W[rq + k];
          W[rp + k] = c * wpk - s * wqk;
          W[rq + k] = s * wpk + c * wqk;
        }
      }
    }
    if (!rotated) break;
  }
  if (sweeps === maxSweeps)
    throw new Error(`jacobiEigen: no convergence after ${maxSweeps} sweeps (n = ${n})`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => A[b * n + b] - A[a * n + a]);
  const values = Float64Array.from(order, (i) => A[i * n + i]);
  const vectors = order.map((k) => W.slice(k * n, (k + 1) * n));
  return { values, vectors, sweeps };
}

/** Flips v in place so that its entry of largest magnitude (first one on ties) is positive. */
export function fixSign(v: Float64Array): Float64Array {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i]) > Math.abs(v[best])) best = i;
  if (v[best] < 0) for (let i = 0; i < v.length; i++) v[i] = -v[i];
  return v;
}

/** The symmetric PSD square root Q Λ^{1/2} Qᵀ of a symmetric PSD matrix (negative roundoff clipped). */
export function symmetricSqrt(A: ArrayLike<number>, n: number): Float64Array {
  const { values, vectors } = jacobiEigen(A, n);
  const R = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const r = Math.sqrt(Math.max(values[k], 0));
    const v = vectors[k];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) R[i * n + j] += r * v[i] * v[j];
  }
  return R;
}
