// Dense helpers against hand-computed results.
import { describe, expect, it } from 'vitest';
import {
  fromEigen,
  gramMatrix,
  matmul,
  maxAbs,
  maxAbsDiff,
  transpose,
} from '../../../src/vivit/linalg';

describe('dense helpers', () => {
  const a = new Float64Array([1, 2, 3, 4, 5, 6]); // 2×3

  it('matmul', () => {
    const b = new Float64Array([7, 8, 9, 10, 11, 12]); // 3×2
    expect(Array.from(matmul(a, b, 2, 3, 2))).toEqual([58, 64, 139, 154]);
    expect(Array.from(matmul(b, a, 3, 2, 3))).toEqual([39, 54, 69, 49, 68, 87, 59, 82, 105]);
    expect(() => matmul(a, b, 3, 3, 2)).toThrow(/matmul: a has 6 entries, expected 9/);
  });

  it('transpose', () => {
    expect(Array.from(transpose(a, 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('gramMatrix is VᵀV', () => {
    // columns (1,4), (2,5), (3,6): pairwise dot products
    expect(Array.from(gramMatrix(a, 2, 3))).toEqual([17, 22, 27, 22, 29, 36, 27, 36, 45]);
  });

  it('fromEigen rebuilds X diag(λ) Xᵀ, also from a subset of columns', () => {
    const s = Math.SQRT1_2;
    const x = new Float64Array([s, s, s, -s]); // eigenvectors of [[2, 1], [1, 2]]
    const full = fromEigen(new Float64Array([3, 1]), x, 2);
    expect(maxAbsDiff(full, new Float64Array([2, 1, 1, 2]))).toBeLessThan(1e-15);
    const top = fromEigen(new Float64Array([3]), new Float64Array([s, s]), 2);
    expect(maxAbsDiff(top, new Float64Array([1.5, 1.5, 1.5, 1.5]))).toBeLessThan(1e-15);
  });

  it('maxAbs and maxAbsDiff, with NaN propagating', () => {
    expect(maxAbs(new Float64Array([1, -7, 3]))).toBe(7);
    expect(maxAbsDiff(new Float64Array([1, 2]), new Float64Array([1.5, -1]))).toBe(3);
    expect(maxAbsDiff(new Float64Array([NaN, 2]), new Float64Array([0, 0]))).toBeNaN();
    expect(maxAbs(new Float64Array([1, NaN, 3]))).toBeNaN();
  });
});
