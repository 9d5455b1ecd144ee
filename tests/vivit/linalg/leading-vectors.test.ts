// symmetricEigen with `vectorCount`: only the eigenvectors of the m largest eigenvalues. In wasm
// these come from a different algorithm than the full solve (inverse iteration on the
// tridiagonal matrix + back-transformation, for m ≤ n/2), so they are checked against
// independent oracles: the defining equation A x = λ x, orthonormality, the dense
// reconstruction Σ λ_k x_k x_kᵀ of a matrix whose other eigenvalues are zero, eigenspace
// projectors of a matrix built as QΛQᵀ, and the cyclic Jacobi solver of tests/oracle.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  fromEigen,
  gramMatrix,
  loadEigensolver,
  maxAbs,
  symmetricEigen,
} from '../../../src/vivit/linalg';
import { jacobiEigen } from '../../oracle/jacobi';
import {
  fromSpectrum,
  gaussian,
  maxAbsDifference,
  orthogonalityError,
  randomOrthogonal,
  randomSymmetric,
  sortedDescending,
  TestRng,
} from './helpers';

beforeAll(async () => {
  expect((await loadEigensolver()).backend).toBe('wasm');
});

/** max_k ‖A x_k − λ_k x_k‖_∞ / max|A| over the m columns of x (row-major n×m). */
function residual(a: Float64Array, n: number, values: Float64Array, x: Float64Array, m: number) {
  let worst = 0;
  for (let k = 0; k < m; k++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * x[j * m + k];
      worst = Math.max(worst, Math.abs(s - values[k] * x[i * m + k]));
    }
  }
  return worst / maxAbs(a);
}

/** Σ_{k in cols} x_k x_kᵀ for x row-major n×m: the projector onto those columns' span. */
function projectorOf(x: Float64Array, n: number, m: number, cols: number[]): Float64Array {
  const p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (const k of cols) s += x[i * m + k] * x[j * m + k];
      p[i * n + j] = s;
    }
  }
  return p;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe.each(['wasm', 'js'] as const)(
  'symmetricEigen with vectorCount (%s backend)',
  (backend) => {
    it('random symmetric n = 150: m leading vectors solve A x = λx, are orthonormal, match the full solve', () => {
      const n = 150;
      const a = randomSymmetric(n, new TestRng(11));
      const full = symmetricEigen(a, n, { vectors: true, backend });
      const valuesOnly = symmetricEigen(a, n, { vectors: false, backend });
      for (const m of [1, 7, 40, 75, 76, 149]) {
        const { values, vectors } = symmetricEigen(a, n, {
          vectors: true,
          vectorCount: m,
          backend,
        });
        expect(vectors!.length).toBe(n * m);
        expect(maxAbsDifference(values, valuesOnly.values)).toBe(0);
        expect(residual(a, n, values, vectors!, m)).toBeLessThan(1e-12);
        expect(orthogonalityError(vectors!, n, m)).toBeLessThan(1e-12);
        // Simple eigenvalues here: the sign-normalized columns are unique.
        let worst = 0;
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < m; k++) {
            worst = Math.max(worst, Math.abs(vectors![i * m + k] - full.vectors![i * n + k]));
          }
        }
        expect(worst).toBeLessThan(1e-10);
      }
    });

    it('agrees with the Jacobi oracle (values and sign-normalized vectors), n = 40, m = 12', () => {
      const n = 40;
      const m = 12;
      const a = randomSymmetric(n, new TestRng(5));
      const oracle = jacobiEigen(a, n);
      const { values, vectors } = symmetricEigen(a, n, { vectors: true, vectorCount: m, backend });
      expect(maxAbsDifference(values, oracle.values)).toBeLessThan(1e-12 * maxAbs(a));
      for (let k = 0; k < m; k++) {
        const ref = oracle.vectors[k];
        let big = 0;
        for (let i = 1; i < n; i++) if (Math.abs(ref[i]) > Math.abs(ref[big])) big = i;
        const sign = ref[big] < 0 ? -1 : 1;
        const got = Array.from({ length: n }, (_, i) => vectors![i * m + k]);
        expect(
          maxAbsDifference(
            got,
            Array.from(ref, (r) => sign * r),
          ),
        ).toBeLessThan(1e-10);
      }
    });

    it('rank-deficient Gram matrix VᵀV: the K nontrivial vectors rebuild it (X_K Λ_K X_Kᵀ = A)', () => {
      const rng = new TestRng(21);
      for (const [d, n] of [
        [10, 60],
        [30, 120],
      ]) {
        const a = gramMatrix(gaussian(d, n, rng), d, n);
        const { values, vectors } = symmetricEigen(a, n, {
          vectors: true,
          vectorCount: d,
          backend,
        });
        const rebuilt = fromEigen(values.subarray(0, d), vectors!, n);
        expect(maxAbsDifference(rebuilt, a) / maxAbs(a)).toBeLessThan(1e-12);
        expect(orthogonalityError(vectors!, n, d)).toBeLessThan(1e-12);
        expect(residual(a, n, values, vectors!, d)).toBeLessThan(1e-12);
      }
    });

    it('repeated and tightly clustered leading eigenvalues: unique eigenspaces match QΛQᵀ', () => {
      const n = 60;
      const rng = new TestRng(8);
      const q = randomOrthogonal(n, rng);
      // 4.0 three times, then a cluster spaced 1e-12, then a pair, then the rest.
      const spectrum = [4, 4, 4, 3, 3 - 1e-12, 3 - 2e-12, 3 - 3e-12, 2, 2];
      for (let k = spectrum.length; k < n; k++) spectrum.push(1 - k / n);
      const a = fromSpectrum(q, spectrum, n);
      const m = 9;
      const { values, vectors } = symmetricEigen(a, n, { vectors: true, vectorCount: m, backend });
      expect(maxAbsDifference(values, sortedDescending(spectrum))).toBeLessThan(1e-13);
      expect(orthogonalityError(vectors!, n, m)).toBeLessThan(1e-12);
      expect(residual(a, n, values, vectors!, m)).toBeLessThan(1e-12);
      // Eigenspaces: {4}, the 1e-12 cluster (as a whole), {2}.
      for (const cols of [range(0, 3), range(3, 7), range(7, 9)]) {
        const got = projectorOf(vectors!, n, m, cols);
        const expected = projectorOf(q, n, n, cols);
        expect(maxAbsDifference(got, expected)).toBeLessThan(1e-10);
      }
    });

    it('cutting through a repeated eigenvalue still gives orthonormal eigenvectors of it', () => {
      const n = 30;
      const q = randomOrthogonal(n, new TestRng(9));
      const spectrum = [5, 2, 2, 2, 2, ...range(5, n).map((k) => 1 - k / n)];
      const a = fromSpectrum(q, spectrum, n);
      const m = 3; // two of the four eigenvectors of 2
      const { values, vectors } = symmetricEigen(a, n, { vectors: true, vectorCount: m, backend });
      expect(orthogonalityError(vectors!, n, m)).toBeLessThan(1e-12);
      expect(residual(a, n, values, vectors!, m)).toBeLessThan(1e-12);
      // Columns 1, 2 lie in the eigenspace of 2: projecting onto it changes nothing.
      const p = projectorOf(q, n, n, [1, 2, 3, 4]);
      for (const k of [1, 2]) {
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += p[i * n + j] * vectors![j * m + k];
          expect(Math.abs(s - vectors![i * m + k])).toBeLessThan(1e-11);
        }
      }
    });

    it('vectors into the null space of a Gram matrix (m = n/2 > rank) stay orthonormal', () => {
      const n = 80;
      const d = 20;
      const a = gramMatrix(gaussian(d, n, new TestRng(33)), d, n);
      const m = n / 2;
      const { values, vectors } = symmetricEigen(a, n, { vectors: true, vectorCount: m, backend });
      expect(orthogonalityError(vectors!, n, m)).toBeLessThan(1e-12);
      expect(residual(a, n, values, vectors!, m)).toBeLessThan(1e-12);
    });

    it('extreme scales (1e±150) and the edge cases m = 0, n = 1', () => {
      const n = 50;
      const a = randomSymmetric(n, new TestRng(2));
      const m = 5;
      const ref = symmetricEigen(a, n, { vectors: true, vectorCount: m, backend });
      for (const scale of [1e150, 1e-150]) {
        const scaled = a.map((x) => x * scale);
        const { values, vectors } = symmetricEigen(scaled, n, {
          vectors: true,
          vectorCount: m,
          backend,
        });
        expect(
          maxAbsDifference(
            values.map((v) => v / scale),
            ref.values,
          ),
        ).toBeLessThan(1e-12);
        expect(maxAbsDifference(vectors!, ref.vectors!)).toBeLessThan(1e-10);
      }
      const none = symmetricEigen(a, n, { vectors: true, vectorCount: 0, backend });
      expect(none.vectors).toEqual(new Float64Array(0));
      expect(maxAbsDifference(none.values, ref.values)).toBe(0);
      const one = symmetricEigen(new Float64Array([-3]), 1, {
        vectors: true,
        vectorCount: 1,
        backend,
      });
      expect(one).toEqual({ values: new Float64Array([-3]), vectors: new Float64Array([1]) });
    });
  },
);

describe('vectorCount input checks', () => {
  it('rejects a count that is not an integer in 0..n, naming it', () => {
    const a = new Float64Array([2, 1, 1, 2]);
    for (const bad of [-1, 3, 1.5, Number.NaN]) {
      expect(() => symmetricEigen(a, 2, { vectors: true, vectorCount: bad })).toThrow(
        new RegExp(`vectorCount must be an integer from 0 to n = 2, got ${bad}`),
      );
    }
  });

  it('is ignored without vectors: values only', () => {
    const a = new Float64Array([2, 1, 1, 2]);
    const r = symmetricEigen(a, 2, { vectors: false, vectorCount: 1 });
    expect(r.vectors).toBeUndefined();
    expect(maxAbsDifference(r.values, [3, 1])).toBeLessThan(1e-15);
  });
});
