// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import {
  buildPerformanceOption,
  nearestIndex,
  seriesUpdate,
  tooltipFormatter,
} from '../../src/renderer/src/charts/performanceOption';
import { PerformanceSeries } from '../../src/renderer/src/charts/performanceSeries';
import { readPalette } from '../../src/renderer/src/charts/palette';
import { appendRecords, emptyColumns } from '../../src/renderer/src/stores/columns';
import { evalRecord, stepRecord, steps } from './fixtures';

function seriesFrom(records: Parameters<typeof appendRecords>[1]) {
  const columns = emptyColumns();
  appendRecords(columns, records);
  const series = new PerformanceSeries();
  series.sync(columns, 1, { smoothing: 0.5, logStep: false, logLoss: false });
  return series;
}

describe('performance chart option', () => {
  it('has a loss grid and, for classification, an accuracy grid sharing the step zoom', () => {
    const option = buildPerformanceOption(
      seriesFrom([...steps(1, 10), evalRecord(10)]),
      { smoothing: 0.5, logStep: true, logLoss: true },
      readPalette(),
    );
    const xAxis = option.xAxis as { type: string }[];
    const yAxis = option.yAxis as { type: string; name: string }[];
    expect(xAxis.map((a) => a.type)).toEqual(['log', 'log']);
    expect(yAxis.map((a) => [a.name, a.type])).toEqual([
      ['loss', 'log'],
      ['accuracy', 'value'],
    ]);
    const zoom = option.dataZoom as { xAxisIndex: number[] }[];
    expect(zoom.every((z) => z.xAxisIndex.join() === '0,1')).toBe(true);
    const ids = (option.series as { id: string; sampling?: string }[]).map((s) => s.id);
    expect(ids).toEqual([
      'trainLoss',
      'trainLossSmooth',
      'evalLoss',
      'trainAccuracy',
      'trainAccuracySmooth',
      'evalAccuracy',
    ]);
    expect((option.series as { sampling?: string }[])[0].sampling).toBe('lttb');
  });

  it('regression runs get the loss grid only', () => {
    const series = seriesFrom([stepRecord(1, 1, null), stepRecord(2, 0.5, null)]);
    const option = buildPerformanceOption(
      series,
      { smoothing: 0.5, logStep: false, logLoss: false },
      readPalette(),
    );
    expect((option.grid as unknown[]).length).toBe(1);
    expect((seriesUpdate(series).series as { id: string }[]).map((s) => s.id)).toEqual([
      'trainLoss',
      'trainLossSmooth',
      'evalLoss',
    ]);
  });

  it('the data patch carries every point, keyed by series id', () => {
    const series = seriesFrom(steps(1, 25));
    const patch = seriesUpdate(series).series as { id: string; data: Float64Array }[];
    expect(patch[0].data).toBeInstanceOf(Float64Array);
    expect(patch[0].data.length).toBe(2 * 25); // interleaved step, loss
    expect([patch[0].data[48], patch[0].data[49]]).toEqual([25, 2 / 25]);
  });

  it('tooltips show exact values at the hovered step, with the nearest evaluation', () => {
    const series = seriesFrom([
      ...steps(1, 12),
      evalRecord(10, 0.2, 0.9125),
      stepRecord(13, 0.123456789, 0.5),
    ]);
    const format = tooltipFormatter(series, readPalette());
    // ECharts passes the (possibly downsampled) point it snapped to; values come from our data.
    const html = format([{ axisValue: 13, value: [13, 999] }]);
    expect(html).toContain('step 13');
    expect(html).toContain('train loss</span><b class="tt-value">0.123457</b>');
    expect(html).toContain('train accuracy</span><b class="tt-value">50%</b>');
    expect(html).toContain(
      'held-out loss</span><b class="tt-value">0.2</b> <span class="tt-at">@10</span>',
    );
    expect(html).toContain('held-out accuracy</span><b class="tt-value">91.25%</b>');
    // The smoothed loss at step 13, from the same EMA the chart draws.
    const smooth = series.data.trainLossSmooth.y(12);
    expect(html).toContain(
      `smoothed loss</span><b class="tt-value">${Number(smooth.toPrecision(6))}</b>`,
    );
  });

  it('finds the nearest point by binary search', () => {
    const series = seriesFrom([evalRecord(10), evalRecord(20), evalRecord(40)]);
    const evals = series.data.evalLoss;
    expect([0, 10, 14, 15, 16, 29, 31, 100].map((x) => evals.x(nearestIndex(evals, x)))).toEqual([
      10, 10, 10, 10, 20, 20, 40, 40,
    ]);
    expect(nearestIndex(series.data.trainLoss, 5)).toBe(-1);
  });
});
