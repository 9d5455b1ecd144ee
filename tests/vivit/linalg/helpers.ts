// Independent oracles for the eigensolver tests: seeded random numbers, random orthogonal
// matrices (Gram–Schmidt, not the solver under test), matrices with a prescribed spectrum.
import { expect } from 'vitest';
import { SeededRng as TestRng } from '../../helpers/rng';

// The tests' seeded stream, under the name the eigensolver tests use.
export { TestRng };

/** Row-major rows×cols matrix of standard-normal entries. */
export function gaussian(rows: number, cols: number, rng: TestRng): Float64Array {
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  return a;
}

/** Random symmetric n×n matrix with standard-normal entries. */
export function randomSymmetric(n: number, rng: TestRng): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rng.normal();
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

/** Random n×n orthogonal matrix (row-major): modified Gram–Schmidt, applied twice, on the
 *  columns of a Gaussian matrix. Its own orthogonality is asserted, so a broken oracle fails. */
export function randomOrthogonal(n: number, rng: TestRng): Float64Array {
  const q = gaussian(n, n, rng);
  for (let k = 0; k < n; k++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i * n + j] * q[i * n + k];
        for (let i = 0; i < n; i++) q[i * n + k] -= dot * q[i * n + j];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) q[i * n + k] /= norm;
  }
  expect(orthogonalityError(q, n, n)).toBeLessThan(1e-13);
  return q;
}

/** Q diag(lambda) Qᵀ by explicit sums (row-major n×n), exactly symmetric. */
export function fromSpectrum(q: Float64Array, lambda: number[], n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * lambda[k] * q[j * n + k];
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  return a;
}

/** max |XᵀX − I| for X (rows×cols, row-major): how far the columns are from orthonormal. */
export function orthogonalityError(x: Float64Array, rows: number, cols: number): number {
  let worst = 0;
  for (let a = 0; a < cols; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += x[i * cols + a] * x[i * cols + b];
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

/** max |A − X diag(λ) Xᵀ| / max |A| by explicit sums. */
export function reconstructionError(
  a: Float64Array,
  values: Float64Array,
  x: Float64Array,
  n: number,
): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += x[i * n + k] * values[k] * x[j * n + k];
      worst = Math.max(worst, Math.abs(a[i * n + j] - s));
      scale = Math.max(scale, Math.abs(a[i * n + j]));
    }
  }
  return worst / scale;
}

/** Σ_{k in cols} x_k x_kᵀ: the orthogonal projector onto the span of the chosen columns of X,
 *  which (unlike the columns themselves) is unique for a repeated eigenvalue. */
export function projector(x: Float64Array, n: number, cols: number[]): Float64Array {
  const p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (const k of cols) s += x[i * n + k] * x[j * n + k];
      p[i * n + j] = s;
    }
  }
  return p;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) return NaN; // fails every `toBeLessThan`
    if (d > worst) worst = d;
  }
  return worst;
}

/** Column k of a row-major n×n matrix. */
export function column(x: Float64Array, n: number, k: number): number[] {
  return Array.from({ length: n }, (_, i) => x[i * n + k]);
}

export function sortedDescending(values: number[]): number[] {
  return [...values].sort((p, q) => q - p);
}
