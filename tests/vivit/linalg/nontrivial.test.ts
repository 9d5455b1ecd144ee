// The nontrivial-eigenvalue rule λ > rtol · max λ (curvature-case format, `eig_rtol`).
import { describe, expect, it } from 'vitest';
import { nontrivialCount } from '../../../src/vivit/linalg';

describe('nontrivialCount', () => {
  it('counts eigenvalues strictly above rtol · max λ', () => {
    const values = [5, 1e-9, 5e-10, 1e-12, 0, -1e-15];
    expect(nontrivialCount(values, 1e-10)).toBe(2); // threshold 5e-10: 5e-10 itself is out
    expect(nontrivialCount(values, 1e-11)).toBe(3);
    expect(nontrivialCount(values, 1e-13)).toBe(4);
    expect(nontrivialCount(values, 0)).toBe(4); // rtol 0: exactly the positive ones
    expect(nontrivialCount(values, 1)).toBe(0); // nothing exceeds the maximum itself
    expect(nontrivialCount(new Float64Array(values), 1e-10)).toBe(2);
  });

  it('does not assume sorted input', () => {
    expect(nontrivialCount([1e-12, 3, -2, 0.5, 1e-11], 1e-11)).toBe(2);
  });

  it('is zero for an empty, zero or non-positive spectrum', () => {
    expect(nontrivialCount([], 1e-10)).toBe(0);
    expect(nontrivialCount([0, 0, 0], 1e-10)).toBe(0);
    expect(nontrivialCount([-1, -2], 1e-10)).toBe(0);
  });

  it('is scale-invariant', () => {
    const values = [2, 1e-3, 3e-9, 1e-11];
    for (const factor of [1e-200, 1, 1e200]) {
      expect(
        nontrivialCount(
          values.map((v) => v * factor),
          1e-9,
        ),
      ).toBe(3);
    }
  });

  it('rejects a bad tolerance or a NaN eigenvalue with a message', () => {
    expect(() => nontrivialCount([1], -1e-10)).toThrow(
      /rtol must be a finite number >= 0, got -1e-10/,
    );
    expect(() => nontrivialCount([1], NaN)).toThrow(/rtol/);
    expect(() => nontrivialCount([1, NaN], 1e-10)).toThrow(/eigenvalue 1 is NaN/);
  });
});
