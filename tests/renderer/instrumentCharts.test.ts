// The instrument panels' chart builders: pure functions from session columns and records to
// ECharts options (what each series holds, reference lines, bins, empty inputs).
import { describe, expect, it } from 'vitest';
import { appendRecords, emptyColumns } from '../../src/renderer/src/stores/columns';
import type { ChartPalette } from '../../src/renderer/src/charts/palette';
import {
  batchSizeTests2dOption,
  batchSizeTestsOption,
  gsnrOption,
  sampleGradNormHistogramOption,
  testPoints,
} from '../../src/renderer/src/charts/instruments/noise';
import {
  alphaHistogramOption,
  alphaOption,
  cabsOption,
  clippedHistogram,
  distanceOption,
} from '../../src/renderer/src/charts/instruments/step';
import {
  ggnTraceOption,
  maxEigenvalueOption,
  ticOption,
} from '../../src/renderer/src/charts/instruments/curvature';
import {
  gradientHistogramOption,
  heatCells,
  layerHistogramOption,
} from '../../src/renderer/src/charts/instruments/histograms';
import { histogramRecord, noiseRecord, stepQualityRecord } from './instrumentFixtures';
import { curvatureRecord } from './curvatureFixtures';

const palette: ChartPalette = {
  text: '#000',
  muted: '#666',
  axis: '#ccc',
  grid: '#eee',
  surface: '#fff',
  border: '#ddd',
  train: '#00f',
  eval: '#f80',
  zoom: 'rgba(0,0,0,0.1)',
};

interface S {
  id: string;
  name: string;
  data: unknown;
  markLine?: { data: { yAxis?: number; name: string }[] };
}
const series = (option: unknown): S[] => (option as { series: S[] }).series;
/** A line's typed-array data as [x, y] pairs; bars and scatters as they are. */
const pairs = (s: S): number[][] => {
  if (ArrayBuffer.isView(s.data)) {
    const flat = Array.from(s.data as Float64Array);
    return flat.flatMap((v, i) => (i % 2 ? [] : [[v, flat[i + 1]]]));
  }
  return s.data as number[][];
};

function columnsWith(...records: Parameters<typeof appendRecords>[1]) {
  const c = emptyColumns();
  appendRecords(c, records);
  return c;
}

describe('gradient noise builders', () => {
  const c = columnsWith(noiseRecord(0), noiseRecord(10), noiseRecord(20, { meanGsnr: 0 }));

  it('histograms the latest per-sample gradient norms', () => {
    const option = sampleGradNormHistogramOption(c.latestNoise, palette, 7);
    const [bars] = series(option);
    expect(bars.name).toBe('step 20 (B = 8)');
    const counts = (bars.data as [string, number][]).map((d) => d[1]);
    expect(counts).toHaveLength(7);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(8);
    expect(sampleGradNormHistogramOption(undefined, palette)).toBeUndefined();
  });

  it('mean GSNR drops what a log axis cannot show', () => {
    expect(pairs(series(gsnrOption(c.noise, palette, true))[0])).toEqual([
      [0, 0.1],
      [10, 0.1 * 11],
    ]);
    expect(pairs(series(gsnrOption(c.noise, palette, false))[0])).toHaveLength(3);
    expect(gsnrOption(emptyColumns().noise, palette)).toBeUndefined();
  });

  it('three test lines with the dashed threshold at 1', () => {
    const s = series(batchSizeTestsOption(c.noise, palette));
    expect(s.map((x) => x.id)).toEqual(['normTest', 'innerProductTest', 'orthogonalityTest']);
    expect(pairs(s[0])[1]).toEqual([10, 1]);
    expect(s[0].markLine?.data).toEqual([{ yAxis: 1, name: 'threshold 1' }]);
    expect(batchSizeTestsOption(emptyColumns().noise, palette)).toBeUndefined();
  });

  it('2-D view: (ν, θ_ip) per step, the latest apart, and the unit circle', () => {
    const pts = testPoints(c.noise, 2);
    expect(pts.map((p) => p[2])).toEqual([10, 20]);
    expect(pts[1][0]).toBeCloseTo(0.4, 12);
    expect(pts[1][1]).toBeCloseTo(0.5, 12);
    expect(pts[1][3]).toBeCloseTo(2 / 3, 12);
    const s = series(batchSizeTests2dOption(c.noise, palette));
    expect(s.map((x) => x.id)).toEqual(['unitCircle', 'earlier', 'latest']);
    const circle = s[0].data as [number, number][];
    for (const [x, y] of circle) expect(Math.hypot(x, y)).toBeCloseTo(1, 12);
    expect(s[1].data).toHaveLength(2);
    expect((s[2].data as number[][])[0][2]).toBe(20);
  });
});

describe('step builders', () => {
  const c = columnsWith(
    stepQualityRecord(1, { alpha: null }),
    stepQualityRecord(2, { alpha: 0.5 }),
    stepQualityRecord(3, { alpha: 7 }),
    stepQualityRecord(4, { alpha: -0.25 }),
  );

  it('α scatter skips missing fits and draws the lines at 0 and 1', () => {
    const [s] = series(alphaOption(c.stepQuality, palette));
    expect(s.data).toEqual([
      [2, 0.5],
      [3, 7],
      [4, -0.25],
    ]);
    expect(s.markLine?.data.map((d) => d.yAxis)).toEqual([0, 1]);
    expect(alphaOption(emptyColumns().stepQuality, palette)).toBeUndefined();
  });

  it('clipped histogram counts outliers into the edge bins', () => {
    expect(clippedHistogram([-5, -1.9, 0, 0.4, 1, 99, Number.NaN], -2, 2, 4).counts).toEqual([
      2, 0, 2, 2,
    ]);
    const [bars] = series(alphaHistogramOption(c.stepQuality, palette, 4));
    expect(bars.data).toEqual([
      ['≤ -1', 0],
      ['-1–0', 1],
      ['0–1', 1],
      ['≥ 1', 1],
    ]);
  });

  it('distance and update size; CABS with the batch size line, absent without CABS', () => {
    const s = series(distanceOption(c.stepQuality, palette));
    expect(s.map((x) => x.id)).toEqual(['distance', 'updateSize']);
    expect(pairs(s[0]).at(-1)).toEqual([4, 2]);
    const noise = columnsWith(noiseRecord(0), noiseRecord(10)).noise;
    const [cabs] = series(cabsOption(noise, 128, palette));
    expect(pairs(cabs)).toEqual([
      [0, 50],
      [10, 60],
    ]);
    expect(cabs.markLine?.data[0].yAxis).toBe(128);
    const adam = columnsWith(noiseRecord(0, { cabsBatchSize: undefined })).noise;
    expect(cabsOption(adam, 128, palette)).toBeUndefined();
  });
});

describe('curvature builders', () => {
  const records = [curvatureRecord(0), curvatureRecord(10)];
  records[0].groups[0].ggnTrace = 12;
  records[1].groups[0].ggnTrace = 8;
  records[1].groups.push({ ...records[1].groups[0], name: 'second', ggnTrace: 3 });
  const noise = columnsWith(noiseRecord(5), noiseRecord(15)).noise;

  it('GGN trace per group and the MC estimate as its own series', () => {
    const s = series(ggnTraceOption(records, noise, palette));
    expect(s.map((x) => x.id)).toEqual(['ggnTrace-0', 'ggnTrace-1', 'ggnTraceMc']);
    expect(s[0].name).toBe('ViViT tr G̃ (all)');
    expect(pairs(s[0])).toEqual([
      [0, 12],
      [10, 8],
    ]);
    expect(pairs(s[1])).toEqual([[10, 3]]);
    expect(pairs(s[2])).toEqual([
      [5, 15],
      [15, 25],
    ]);
    // Curvature records from before ggnTrace was recorded, no noise: nothing to draw.
    expect(ggnTraceOption([curvatureRecord(0)], emptyColumns().noise, palette)).toBeUndefined();
  });

  it('largest eigenvalue per group and TIC', () => {
    const s = series(maxEigenvalueOption(records, palette));
    expect(pairs(s[0])).toEqual([
      [0, 10],
      [10, 10 * 1.1],
    ]);
    expect(pairs(s[1])).toEqual([[10, 10 * 1.1]]);
    expect(pairs(series(ticOption(noise, palette))[0])).toEqual([
      [5, 0.55],
      [15, 0.65],
    ]);
  });
});

describe('histogram builders', () => {
  const record = histogramRecord(100);

  it('gradient elements as bars over the record edges; log counts hide empty bins', () => {
    const [bars] = series(gradientHistogramOption(record, palette, false));
    expect((bars.data as [string, number][]).map((d) => d[1])).toEqual([1, 10, 100, 0]);
    expect((bars.data as [string, number][])[0][0]).toBe('-2–-1');
    const [logBars] = series(gradientHistogramOption(record, palette, true));
    expect((logBars.data as [string, number][])[3][1]).toBeNaN();
  });

  it('2-D cells: columns are gradient bins, rows parameter bins, zero counts left out', () => {
    const cells = heatCells(record.layers[1]);
    // counts[r * 4 + c] = 10 (i + 1) except i = 0, 5, 10.
    expect(cells).toHaveLength(9);
    expect(cells[0]).toEqual([1, 0, Math.log10(20), 20]);
    expect(cells.at(-1)).toEqual([3, 2, Math.log10(120), 120]);
    const option = layerHistogramOption(record, 1, palette) as {
      series: S[];
      visualMap: { max: number };
    };
    expect(option.series[0].name).toBe('model[3] linear');
    expect(option.visualMap.max).toBeCloseTo(Math.log10(120), 12);
    expect(layerHistogramOption(record, 5, palette)).toBeUndefined();
  });
});
