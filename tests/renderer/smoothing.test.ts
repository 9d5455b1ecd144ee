// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { EmaSmoother, smoothEma } from '../../src/renderer/src/charts/smoothing';
import { PerformanceSeries, SERIES_IDS } from '../../src/renderer/src/charts/performanceSeries';
import { PointBuffer } from '../../src/renderer/src/charts/pointBuffer';
import { emptyColumns, appendRecords } from '../../src/renderer/src/stores/columns';
import { evalRecord, stepRecord, steps } from './fixtures';

/** Oracle: the debiased EMA is the average of the values so far with weights (1-w)·w^(n-k). */
function weightedAverage(values: number[], w: number): number[] {
  return values.map((_, n) => {
    let num = 0;
    let den = 0;
    for (let k = 0; k <= n; k++) {
      const weight = (1 - w) * w ** (n - k);
      num += weight * values[k];
      den += weight;
    }
    return num / den;
  });
}

describe('EMA smoothing (TensorBoard, bias-corrected)', () => {
  it('matches a hand computation', () => {
    // w = 0.6: m1 = 0.4 -> 0.4/0.4 = 1; m2 = 1.04 -> 1.04/0.64 = 1.625;
    // m3 = 0.6·1.04 + 0.4·4 = 2.224 -> 2.224/0.784
    const out = smoothEma([1, 2, 4], 0.6);
    expect(out[0]).toBeCloseTo(1, 14);
    expect(out[1]).toBeCloseTo(1.625, 14);
    expect(out[2]).toBeCloseTo(2.224 / 0.784, 14);
  });

  it('equals the normalized exponentially weighted average', () => {
    const values = Array.from({ length: 60 }, (_, i) => Math.sin(i * 0.7) * 3 + 5 + i * 0.01);
    for (const w of [0, 0.3, 0.6, 0.9, 0.99]) {
      const got = smoothEma(values, w);
      const want = weightedAverage(values, w);
      got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 10));
    }
  });

  it('weight 0 returns the raw values and the first value is never pulled toward zero', () => {
    expect(smoothEma([3, 1, 2], 0)).toEqual([3, 1, 2]);
    expect(smoothEma([7, 7, 7], 0.95)[0]).toBeCloseTo(7, 12);
    expect(smoothEma([7, 7, 7], 0.95)[2]).toBeCloseTo(7, 12);
  });

  it('passes non-finite values through without letting them into the average', () => {
    const out = smoothEma([1, Number.NaN, 3], 0.5);
    expect(out[0]).toBe(1);
    expect(out[1]).toBeNaN();
    // m = 0.5·0.5 + 0.5·3 = 1.75 over 1 - 0.25
    expect(out[2]).toBeCloseTo(1.75 / 0.75, 14);
  });

  it('rejects weights outside [0, 1)', () => {
    expect(() => new EmaSmoother(1)).toThrow(/not in \[0, 1\)/);
    expect(() => new EmaSmoother(-0.1)).toThrow();
  });
});

describe('incremental display series', () => {
  const settings = { smoothing: 0.8, logStep: false, logLoss: false };

  it('appending batch by batch gives the same series as one full build', () => {
    const records = [...steps(1, 30), evalRecord(10), ...steps(31, 47), evalRecord(40)];
    const columns = emptyColumns();
    const incremental = new PerformanceSeries();
    for (let i = 0; i < records.length; i += 4) {
      appendRecords(columns, records.slice(i, i + 4));
      incremental.sync(columns, 1, settings);
    }
    const full = new PerformanceSeries();
    expect(full.sync(columns, 1, settings)).toBe('rebuilt');
    for (const id of SERIES_IDS) {
      expect(incremental.data[id].toPairs()).toEqual(full.data[id].toPairs());
    }
    expect(incremental.data.trainLoss.length).toBe(47);
    expect(incremental.data.evalLoss.toPairs().map((p) => p[0])).toEqual([10, 40]);
    const smooth = smoothEma(columns.steps.loss, 0.8);
    expect(incremental.data.trainLossSmooth.toPairs().map((p) => p[1])).toEqual(smooth);
    expect(incremental.sync(columns, 1, settings)).toBe('unchanged');
  });

  it('rebuilds on a new session or a new smoothing weight', () => {
    const columns = emptyColumns();
    appendRecords(columns, steps(1, 5));
    const series = new PerformanceSeries();
    series.sync(columns, 1, settings);
    expect(series.sync(columns, 1, { ...settings, smoothing: 0.1 })).toBe('rebuilt');
    expect(series.data.trainLossSmooth.toPairs().map((p) => p[1])).toEqual(
      smoothEma(columns.steps.loss, 0.1),
    );
    const fresh = emptyColumns();
    appendRecords(fresh, steps(1, 2));
    expect(series.sync(fresh, 2, { ...settings, smoothing: 0.1 })).toBe('rebuilt');
    expect(series.data.trainLoss.length).toBe(2);
  });

  it('on log axes drops step 0 and turns non-positive losses into gaps', () => {
    const columns = emptyColumns();
    appendRecords(columns, [stepRecord(0, 1), stepRecord(1, 0), stepRecord(2, 0.5)]);
    const series = new PerformanceSeries();
    series.sync(columns, 1, { smoothing: 0, logStep: true, logLoss: true });
    expect(series.data.trainLoss.toPairs().map((p) => p[0])).toEqual([1, 2]);
    expect(series.data.trainLoss.y(0)).toBeNaN();
    expect(series.data.trainLoss.y(1)).toBe(0.5);
  });

  it('shows accuracy only when some record has it', () => {
    const columns = emptyColumns();
    appendRecords(columns, [stepRecord(1, 1, null), stepRecord(2, 0.9, null)]);
    const series = new PerformanceSeries();
    series.sync(columns, 1, settings);
    expect(series.hasAccuracy).toBe(false);
    appendRecords(columns, [evalRecord(2)]);
    series.sync(columns, 1, settings);
    expect(series.hasAccuracy).toBe(true);
    expect(series.data.evalAccuracy.toPairs()).toEqual([[2, 0.502]]);
  });
});

describe('point buffer', () => {
  it('grows past its capacity and hands out an interleaved view', () => {
    const b = new PointBuffer(2);
    for (let i = 0; i < 5; i++) b.push(i + 1, 10 * (i + 1));
    expect(b.length).toBe(5);
    expect(Array.from(b.view())).toEqual([1, 10, 2, 20, 3, 30, 4, 40, 5, 50]);
    expect(b.toPairs()[4]).toEqual([5, 50]);
  });
});
