// The oracle's cyclic Jacobi eigensolver on matrices with a known spectrum Q diag(λ) Qᵀ,
// Q a product of random Householder reflections.
import { describe, expect, it } from 'vitest';
import { fixSign, jacobiEigen, symmetricSqrt } from './index';
import { OracleRng } from './rng';
import { entrywiseRelErr, relErr } from './compare';

function randomOrthogonal(n: number, rng: OracleRng): Float64Array {
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  for (let h = 0; h < n; h++) {
    const v = Float64Array.from({ length: n }, () => rng.normal());
    const norm2 = v.reduce((s, x) => s + x * x, 0);
    // Q ← Q (I − 2 v vᵀ / vᵀv)
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += Q[i * n + j] * v[j];
      for (let j = 0; j < n; j++) Q[i * n + j] -= (2 * s * v[j]) / norm2;
    }
  }
  return Q;
}

function withSpectrum(lambda: number[], rng: OracleRng): { A: Float64Array; Q: Float64Array } {
  const n = lambda.length;
  const Q = randomOrthogonal(n, rng);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += Q[i * n + k] * lambda[k] * Q[j * n + k];
      A[i * n + j] = s;
    }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[j * n + i] = A[i * n + j];
  return { A, Q };
}

describe('jacobiEigen', () => {
  it('recovers a known spectrum with graded and rank-deficient eigenvalues', () => {
    const rng = new OracleRng(1);
    const n = 40;
    // 25 nontrivial eigenvalues spanning 6 decades, 15 exact zeros (like a low-rank GGN).
    const lambda = Array.from({ length: n }, (_, k) => (k < 25 ? 10 ** (1 - (6 * k) / 24) : 0));
    const { A, Q } = withSpectrum(lambda, rng);
    const { values, vectors } = jacobiEigen(A, n);
    expect(entrywiseRelErr(values.subarray(0, 25), lambda.slice(0, 25))).toBeLessThan(1e-9);
    for (let k = 25; k < n; k++) expect(Math.abs(values[k])).toBeLessThan(1e-14 * 10 * n);
    // Eigenvectors of the well-separated eigenvalues match Q's columns up to sign.
    for (let k = 0; k < 25; k++) {
      const q = fixSign(Float64Array.from({ length: n }, (_, i) => Q[i * n + k]));
      expect(relErr(fixSign(vectors[k].slice()), q)).toBeLessThan(1e-8);
    }
  });

  it('handles repeated eigenvalues: the eigenvectors still reconstruct A', () => {
    const rng = new OracleRng(2);
    const lambda = [3, 3, 3, 1, 1, 0.5, 0, 0, -2];
    const n = lambda.length;
    const { A } = withSpectrum(lambda, rng);
    const { values, vectors } = jacobiEigen(A, n);
    expect(relErr(values, lambda)).toBeLessThan(1e-14);
    const R = new Float64Array(n * n);
    values.forEach((l, k) =>
      vectors[k].forEach((vi, i) => vectors[k].forEach((vj, j) => (R[i * n + j] += l * vi * vj))),
    );
    expect(relErr(R, A)).toBeLessThan(1e-14);
  });

  it('rejects a non-symmetric matrix', () => {
    expect(() => jacobiEigen([1, 2, 3, 4], 2)).toThrow(/not symmetric/);
  });

  it('symmetricSqrt squares back to the matrix (a softmax Hessian)', () => {
    const p = [0.5, 0.3, 0.15, 0.05];
    const H = Float64Array.from({ length: 16 }, (_, ij) => {
      const [i, j] = [Math.floor(ij / 4), ij % 4];
      return (i === j ? p[i] : 0) - p[i] * p[j];
    });
    const S = symmetricSqrt(H, 4);
    const SS = Float64Array.from({ length: 16 }, (_, ij) => {
      const [i, j] = [Math.floor(ij / 4), ij % 4];
      let s = 0;
      for (let k = 0; k < 4; k++) s += S[i * 4 + k] * S[k * 4 + j];
      return s;
    });
    expect(relErr(SS, H)).toBeLessThan(1e-12);
  });

  it('fixSign makes the largest-magnitude entry positive', () => {
    expect(Array.from(fixSign(Float64Array.of(0.1, -0.9, 0.3)))).toEqual([-0.1, 0.9, -0.3]);
    expect(Array.from(fixSign(Float64Array.of(0.1, 0.9, -0.3)))).toEqual([0.1, 0.9, -0.3]);
  });
});
