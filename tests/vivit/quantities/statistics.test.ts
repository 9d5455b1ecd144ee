// Means and SNRs of per-sample directional derivatives (closed forms).
import { expect, test } from 'vitest';
import {
  columnMeans,
  columnVariances,
  signalToNoise,
} from '../../../src/vivit/quantities/statistics';
import type { Matrix } from '../../../src/vivit/quantities/matrix';

const m = (rows: number[][]): Matrix => ({
  rows: rows.length,
  cols: rows[0].length,
  data: Float64Array.from(rows.flat()),
});

test('means and variances are per column, the variance divides by N', () => {
  const x = m([
    [1, 4],
    [2, 4],
    [3, 7],
  ]);
  expect(Array.from(columnMeans(x))).toEqual([2, 5]);
  // [1,2,3]: Σ(x−2)² = 2, /3 (not /2); [4,4,7]: Σ(x−5)² = 6, /3.
  expect(Array.from(columnVariances(x, columnMeans(x)))).toEqual([2 / 3, 2]);
});

test('SNR = mean² / variance', () => {
  const x = m([
    [1, 4, -1],
    [2, 4, 1],
    [3, 7, -3],
  ]);
  const snr = signalToNoise(x);
  expect(snr[0]).toBeCloseTo(4 / (2 / 3), 14);
  expect(snr[1]).toBeCloseTo(25 / 2, 14);
  // mean −1, deviations 0, 2, −2 → var 8/3.
  expect(snr[2]).toBeCloseTo(1 / (8 / 3), 14);
});

test('zero variance: +∞ for a nonzero mean, 0 for all zeros', () => {
  const snr = signalToNoise(
    m([
      [2, 0],
      [2, 0],
    ]),
  );
  expect(snr[0]).toBe(Infinity);
  expect(snr[1]).toBe(0);
});
