import { describe, expect, it } from 'vitest';
import {
  linearHistogram,
  logHistogram,
  logSpacedEdges,
  overlapBars,
} from '../../src/renderer/src/charts/histogram';

describe('log-spaced histogram', () => {
  it('edges are geometric and hit the ends exactly', () => {
    const edges = logSpacedEdges(1e-3, 1, 3);
    expect(edges[0]).toBe(1e-3);
    expect(edges[3]).toBe(1);
    expect(edges[1]).toBeCloseTo(1e-2, 15);
    expect(edges[2]).toBeCloseTo(1e-1, 15);
  });

  it('sums weights per bin, closes the last bin, drops what a log axis cannot show', () => {
    // Bins [1e-3, 1e-2), [1e-2, 1e-1), [1e-1, 1]; by hand: 10^-2.5 -> 0; 10^-1.5, 10^-1.2 -> 1;
    // 10^-0.5 and 1 (closed end) -> 2; 2 is out of range; 0, -1 and NaN are not positive.
    const values = [10 ** -2.5, 10 ** -1.5, 10 ** -1.2, 10 ** -0.5, 1, 2, 0, -1, Number.NaN];
    const weights = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const h = logHistogram(values, 3, { weights, range: [1e-3, 1] });
    expect(h.values).toEqual([1, 5, 9]);
    expect(h.dropped).toBe(4);
  });

  it('counts over [min, max] by default', () => {
    expect(logHistogram([1, 10, 100, 30], 2).values).toEqual([1, 3]);
  });

  it('puts a single value mid-range rather than failing on a zero-width range', () => {
    const h = logHistogram([5], 4);
    expect(h.edges[0]).toBe(2.5);
    expect(h.edges[4]).toBe(10);
    expect(h.values).toEqual([0, 0, 1, 0]);
  });

  it('is empty without positive values', () => {
    expect(logHistogram([0, -1], 5)).toEqual({ edges: [], values: [], dropped: 2 });
  });
});

describe('linear histogram', () => {
  it('bins equal widths over [min, max], the last bin closed', () => {
    const h = linearHistogram([0, 1, 2, 3, 4, Number.NaN], 4);
    expect(h.edges).toEqual([0, 1, 2, 3, 4]);
    expect(h.values).toEqual([1, 1, 1, 2]);
    expect(h.dropped).toBe(1);
  });
});

describe('overlap bars (paper Fig. 2)', () => {
  it('puts the flat remainder first, then overlap summed per curvature bin', () => {
    // Range [1, 100] in 2 bins: 1 -> [1, 10); 10 and 100 -> [10, 100].
    const bars = overlapBars([100, 10, 1], [0.5, 0.2, 0.1], 0.2, 2);
    expect(bars.map((b) => b.label)).toEqual(['flat', '1–10', '10–100']);
    expect(bars[0]).toEqual({ label: 'flat', value: 0.2 });
    expect(bars[1].value).toBeCloseTo(0.1, 15);
    expect(bars[2].value).toBeCloseTo(0.7, 15);
  });

  it('has 49 curvature bins by default and keeps the total', () => {
    const eig = Array.from({ length: 200 }, (_, i) => 10 ** (-3 + (6 * i) / 199));
    const overlap = eig.map(() => 0.8 / 200);
    const bars = overlapBars(eig, overlap, 0.2);
    expect(bars).toHaveLength(50);
    const total = bars.reduce((s, b) => s + b.value, 0);
    expect(total).toBeCloseTo(1, 12);
    expect(bars[1].lo).toBeCloseTo(1e-3, 15);
    expect(bars[49].hi).toBeCloseTo(1e3, 9);
  });
});
