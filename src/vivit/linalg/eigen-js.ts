// Pure TypeScript symmetric eigensolver: the fallback when the wasm module cannot load.
//
// Algorithm (Golub & Van Loan, "Matrix Computations", §8.3):
//  1. scale A by a power of two to max |a_ij| in (1/2, 1] (keeps norms and shifts in range);
//  2. Householder tridiagonalization T = Qᵀ A Q, reading and updating only the upper triangle
//     so every inner loop runs along a contiguous row;
//  3. (vectors) form Qᵀ by backward accumulation, again row by row;
//  4. implicit QL with Wilkinson-type shifts on T; each plane rotation mixes two rows of Qᵀ,
//     which turns Qᵀ into Xᵀ (rows = eigenvectors) with contiguous memory access;
//  5. sort descending and transpose into the API layout (column k = eigenvector k).
// Cost: 4/3 n³ flops for (2), another 4/3 n³ for (3) and about 3 n³ for the rotations in (4).

import type { SymmetricEigen } from './types';

const EPS = 2 ** -52;
/** QL iterations allowed per eigenvalue; LAPACK's dsteqr allows 30 on average. */
const MAX_ITERATIONS_PER_VALUE = 60;

/** Solves in place: `work` must hold the symmetric matrix (row-major n×n) and is destroyed. */
export function symmetricEigenJs(
  work: Float64Array,
  n: number,
  wantVectors: boolean,
): SymmetricEigen {
  if (n === 0)
    return wantVectors
      ? { values: new Float64Array(0), vectors: new Float64Array(0) }
      : { values: new Float64Array(0) };
  let maxAbs = 0;
  for (let idx = 0; idx < work.length; idx++) {
    const m = Math.abs(work[idx]);
    if (m > maxAbs) maxAbs = m;
  }
  if (maxAbs === 0) return zeroMatrixResult(n, wantVectors);
  // A power of two, so scaling and unscaling are exact. Applied in two factors so that even a
  // subnormal maximum (exponent down to −1074) does not overflow the reciprocal.
  const exponent = Math.ceil(Math.log2(maxAbs));
  const scale = 2 ** exponent;
  const half = Math.trunc(-exponent / 2);
  const inv1 = 2 ** half;
  const inv2 = 2 ** (-exponent - half);
  for (let idx = 0; idx < work.length; idx++) work[idx] = work[idx] * inv1 * inv2;

  const d = new Float64Array(n);
  const e = new Float64Array(n); // e[i] couples i and i+1; e[n-1] stays 0
  const betas = new Float64Array(n);
  tridiagonalize(work, n, d, e, betas);
  if (wantVectors) accumulateQt(work, n, betas);
  qlImplicit(d, e, n, wantVectors ? work : null);

  const order = Array.from({ length: n }, (_, k) => k);
  order.sort((p, q) => d[q] - d[p] || p - q);
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) values[k] = d[order[k]] * scale;
  if (!wantVectors) return { values };
  return { values, vectors: transposeRows(work, n, order) };
}

function zeroMatrixResult(n: number, wantVectors: boolean): SymmetricEigen {
  const values = new Float64Array(n);
  if (!wantVectors) return { values };
  const vectors = new Float64Array(n * n);
  for (let k = 0; k < n; k++) vectors[k * n + k] = 1;
  return { values, vectors };
}

/** Householder reduction of the upper triangle of `a` to tridiagonal (d, e). Reflector k,
 *  H_k = I − β_k v vᵀ acting on indices k+1..n−1 with v[k+1] = 1, is left in row k of `a`
 *  (columns k+1..n−1) and β_k in betas[k].
 *  Step k needs p = β A22 v (symmetric matrix–vector product) and then the rank-2 update
 *  A22 ← A22 − v wᵀ − w vᵀ. The update of step k is deferred and fused with the product of
 *  step k+1, so each step streams the trailing triangle once instead of twice. */
function tridiagonalize(
  a: Float64Array,
  n: number,
  d: Float64Array,
  e: Float64Array,
  betas: Float64Array,
): void {
  let v = new Float64Array(n);
  let p = new Float64Array(n); // becomes w once the product is complete
  let pendV = new Float64Array(n);
  let pendW = new Float64Array(n);
  let pending = false; // whether rows ≥ k still owe the update (pendV, pendW)
  for (let k = 0; k < n - 2; k++) {
    const rowK = k * n;
    const s = k + 1;
    if (pending) updateRow(a, n, k, pendV, pendW);
    d[k] = a[rowK + k];
    // x = column k below the diagonal = row k right of the diagonal (symmetry).
    const x0 = a[rowK + s];
    let sigma = 0;
    for (let j = s + 1; j < n; j++) sigma += a[rowK + j] * a[rowK + j];
    if (sigma === 0) {
      // Already reduced: H_k = I. Settle the deferred update before moving on.
      e[k] = x0;
      betas[k] = 0;
      if (pending) for (let i = s; i < n; i++) updateRow(a, n, i, pendV, pendW);
      pending = false;
      continue;
    }
    const mu = Math.sqrt(x0 * x0 + sigma);
    const v0 = x0 <= 0 ? x0 - mu : -sigma / (x0 + mu);
    const beta = (2 * v0 * v0) / (sigma + v0 * v0);
    const invV0 = 1 / v0;
    v[s] = 1;
    for (let j = s + 1; j < n; j++) v[j] = a[rowK + j] * invV0;
    e[k] = mu;
    betas[k] = beta;
    for (let j = s; j < n; j++) a[rowK + j] = v[j];

    // p = A22 v from the upper triangle (each stored a_ij, j > i, serves rows i and j),
    // fused with the deferred update of each row just before it is read.
    p.fill(0, s, n);
    for (let i = s; i < n; i++) {
      const row = i * n;
      const vi = v[i];
      let acc: number;
      if (pending) {
        const ui = pendV[i];
        const wi = pendW[i];
        const aii = a[row + i] - 2 * ui * wi;
        a[row + i] = aii;
        acc = aii * vi;
        for (let j = i + 1; j < n; j++) {
          const aij = a[row + j] - (ui * pendW[j] + wi * pendV[j]);
          a[row + j] = aij;
          acc += aij * v[j];
          p[j] += aij * vi;
        }
      } else {
        acc = a[row + i] * vi;
        for (let j = i + 1; j < n; j++) {
          const aij = a[row + j];
          acc += aij * v[j];
          p[j] += aij * vi;
        }
      }
      p[i] += acc;
    }
    // w = β p − (β²/2)(pᵀv) v, so that H A22 H = A22 − v wᵀ − w vᵀ.
    let pv = 0;
    for (let j = s; j < n; j++) {
      p[j] *= beta;
      pv += p[j] * v[j];
    }
    const half = 0.5 * beta * pv;
    for (let j = s; j < n; j++) p[j] -= half * v[j];
    [pendV, v] = [v, pendV];
    [pendW, p] = [p, pendW];
    pending = true;
  }
  if (pending) for (let i = Math.max(0, n - 2); i < n; i++) updateRow(a, n, i, pendV, pendW);
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2];
    e[n - 2] = a[(n - 2) * n + n - 1];
  }
  d[n - 1] = a[n * n - 1];
  e[n - 1] = 0;
}

/** Row i (upper part, columns ≥ i) ← row i − u_i wᵀ − w_i uᵀ. */
function updateRow(a: Float64Array, n: number, i: number, u: Float64Array, w: Float64Array): void {
  const row = i * n;
  const ui = u[i];
  const wi = w[i];
  for (let j = i; j < n; j++) a[row + j] -= ui * w[j] + wi * u[j];
}

/** Overwrites `a` (holding the reflectors from `tridiagonalize`) with Qᵀ = H_{n−3}···H_1 H_0,
 *  built backwards as M ← M H_k: before step k, rows and columns 0..k of M are still the
 *  identity, so H_k changes only rows k+1.. and columns k+1... Reflectors are applied in
 *  blocks: each row of M takes the whole block while it is in cache. */
function accumulateQt(a: Float64Array, n: number, betas: Float64Array): void {
  const block = 16;
  const vs = new Float64Array(block * n);
  // Strict lower triangle: leftovers of the reduction, but zero in every partial product.
  for (let i = 1; i < n; i++) a.fill(0, i * n, i * n + i);
  for (let i = Math.max(0, n - 2); i < n; i++) setIdentityRow(a, n, i);
  for (let top = n - 3; top >= 0; top -= block) {
    const bottom = Math.max(0, top - block + 1);
    for (let k = bottom; k <= top; k++) {
      vs.set(a.subarray(k * n, (k + 1) * n), (k - bottom) * n);
      setIdentityRow(a, n, k);
    }
    for (let i = bottom + 1; i < n; i++) {
      const row = i * n;
      // H_k reaches row i only if i ≥ k+1; apply in order H_top, ..., H_bottom.
      for (let k = Math.min(top, i - 1); k >= bottom; k--) {
        const beta = betas[k];
        if (beta === 0) continue;
        const vo = (k - bottom) * n;
        let t = 0;
        for (let j = k + 1; j < n; j++) t += a[row + j] * vs[vo + j];
        t *= beta;
        for (let j = k + 1; j < n; j++) a[row + j] -= t * vs[vo + j];
      }
    }
  }
}

function setIdentityRow(a: Float64Array, n: number, i: number): void {
  a.fill(0, i * n, (i + 1) * n);
  a[i * n + i] = 1;
}

/** Implicit QL iteration with Wilkinson-type shifts on the tridiagonal (d, e); on return d holds
 *  the eigenvalues (unsorted). If `rows` is given (n×n, row-major), every rotation of indices
 *  (i, i+1) is applied to rows i and i+1, turning Qᵀ into the matrix whose rows are eigenvectors.
 *  Deflation: e_i counts as zero when |e_i| ≤ ε‖T‖∞. The test is absolute on purpose: every
 *  sweep through the large part of T leaves roundoff of size ε‖T‖ in the entries it passes, so
 *  a cluster of (numerically) zero eigenvalues — the trivial part of a rank-deficient Gram
 *  matrix — never gets its couplings below that, and a relative test (|e_i| against |d_i|)
 *  would iterate forever. Neglecting ε‖T‖ is within the backward error of the tridiagonal
 *  reduction anyway. */
function qlImplicit(d: Float64Array, e: Float64Array, n: number, rows: Float64Array | null): void {
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const rowSum = Math.abs(d[i]) + Math.abs(e[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0);
    if (rowSum > norm) norm = rowSum;
  }
  const negligible = EPS * norm;
  const rotations = rows === null ? null : new RotationBatch(rows, n);
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        if (Math.abs(e[m]) <= negligible) break;
      }
      if (m === l) break;
      if (++iterations > MAX_ITERATIONS_PER_VALUE) {
        throw new Error(
          `symmetricEigen: the QL iteration did not converge for eigenvalue ${l} of ${n} ` +
            `within ${MAX_ITERATIONS_PER_VALUE} iterations`,
        );
      }
      // Shift: the eigenvalue of the leading 2×2 block of the unreduced part closer to d[l].
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let split = false;
      for (let i = m - 1; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // The bulge vanished: the matrix split at i+1; undo the partial shift and restart.
          d[i + 1] -= p;
          e[m] = 0;
          split = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        if (rotations !== null) rotations.push(i, c, s);
      }
      if (split) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
  rotations?.flush();
}

/** Plane rotations recorded by the QL sweeps and applied later, a strip of columns at a time:
 *  the scalar recurrence never reads the vectors, and a strip of all n rows stays in cache
 *  across thousands of rotations, where applying each rotation to two full rows at once would
 *  stream the whole matrix through memory once per sweep. */
class RotationBatch {
  private static readonly capacity = 1 << 15;
  private static readonly stripWidth = 32;
  private readonly index = new Int32Array(RotationBatch.capacity);
  private readonly cos = new Float64Array(RotationBatch.capacity);
  private readonly sin = new Float64Array(RotationBatch.capacity);
  private count = 0;

  constructor(
    private readonly rows: Float64Array,
    private readonly n: number,
  ) {}

  /** Records rows i, i+1 ← (c·x − s·y, s·x + c·y) for x = row i, y = row i+1. */
  push(i: number, c: number, s: number): void {
    this.index[this.count] = i;
    this.cos[this.count] = c;
    this.sin[this.count] = s;
    if (++this.count === RotationBatch.capacity) this.flush();
  }

  flush(): void {
    const { rows, n, index, cos, sin, count } = this;
    for (let c0 = 0; c0 < n; c0 += RotationBatch.stripWidth) {
      const width = Math.min(RotationBatch.stripWidth, n - c0);
      for (let r = 0; r < count; r++) {
        const c = cos[r];
        const s = sin[r];
        const xi = index[r] * n + c0;
        const yi = xi + n;
        for (let col = 0; col < width; col++) {
          const x = rows[xi + col];
          const y = rows[yi + col];
          rows[xi + col] = c * x - s * y;
          rows[yi + col] = s * x + c * y;
        }
      }
    }
    this.count = 0;
  }
}

/** out[i, k] = rows[order[k], i]: eigenvector rows → API columns, sorted. Tiled over k so that
 *  the reads from `rows` stay within a few cache lines per pass over i. */
function transposeRows(rows: Float64Array, n: number, order: number[]): Float64Array {
  const out = new Float64Array(n * n);
  const tile = 16;
  for (let k0 = 0; k0 < n; k0 += tile) {
    const k1 = Math.min(n, k0 + tile);
    for (let i = 0; i < n; i++) {
      const dst = i * n;
      for (let k = k0; k < k1; k++) out[dst + k] = rows[order[k] * n + i];
    }
  }
  return out;
}
