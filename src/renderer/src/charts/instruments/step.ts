// Step group: α over steps with its histogram (Cockpit's Alpha), the distance from
// initialization and the update size, and the CABS batch size against the run's batch size.
import type { NoiseColumns, StepQualityColumns } from '../../stores/columns';
import type { ChartOption } from '../echarts';
import type { ChartPalette } from '../palette';
import { SERIES_COLORS, bars, baseOption, line, type Pt, scatter } from '../curvature/base';
import { formatValue } from '../format';
import { barTooltip, columnPoints, referenceLines } from './common';

export function alphaOption(
  sq: StepQualityColumns,
  palette: ChartPalette,
): ChartOption | undefined {
  const pts: Pt[] = [];
  for (let i = 0; i < sq.step.length; i++)
    if (Number.isFinite(sq.alpha[i])) pts.push([sq.step[i], sq.alpha[i]]);
  if (pts.length === 0) return undefined;
  const option = baseOption({ name: 'step' }, { name: 'α' }, palette, { zoomY: true });
  // The reference lines stay in view: the axis reaches at least from −1 (the start) to 1.
  Object.assign(option.yAxis as object, {
    min: (v: { min: number }) => Math.min(v.min, -1),
    max: (v: { max: number }) => Math.max(v.max, 1.25),
  });
  option.series = [
    {
      ...scatter('alpha', 'α', pts, palette.train),
      markLine: referenceLines(
        [
          { y: 0, label: 'α = 0: minimum' },
          { y: 1, label: 'α = 1: far side' },
        ],
        palette,
      ),
    },
  ];
  return option;
}

export interface ClippedHistogram {
  edges: number[];
  counts: number[];
}

/** Equal bins over [lo, hi]; values outside count into the edge bins, NaN is left out. */
export function clippedHistogram(
  values: readonly number[],
  lo: number,
  hi: number,
  bins: number,
): ClippedHistogram {
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    const b = Math.floor(((v - lo) / (hi - lo)) * bins);
    counts[Math.min(bins - 1, Math.max(0, b))] += 1;
  }
  return { edges, counts };
}

export const ALPHA_RANGE: [number, number] = [-2, 2];

export function alphaHistogramOption(
  sq: StepQualityColumns,
  palette: ChartPalette,
  bins = 16,
): ChartOption | undefined {
  if (!sq.alpha.some(Number.isFinite)) return undefined;
  const [lo, hi] = ALPHA_RANGE;
  const h = clippedHistogram(sq.alpha, lo, hi, bins);
  const labels = h.counts.map((_, i) => {
    const a = formatValue(h.edges[i]);
    const b = formatValue(h.edges[i + 1]);
    if (i === 0) return `≤ ${b}`;
    if (i === bins - 1) return `≥ ${a}`;
    return `${a}–${b}`;
  });
  const option = baseOption({ name: 'α', category: labels }, { name: 'updates' }, palette);
  option.tooltip = { ...(option.tooltip as object), formatter: barTooltip('updates') as never };
  option.series = [
    bars(
      'alphaHistogram',
      'α',
      h.counts.map((v, i): [string, number] => [labels[i], v]),
      palette.train,
    ),
  ];
  return option;
}

export function distanceOption(
  sq: StepQualityColumns,
  palette: ChartPalette,
  logY = true,
): ChartOption | undefined {
  const distance = columnPoints(sq.step, sq.distance, logY);
  const update = columnPoints(sq.step, sq.updateSize, logY);
  if (distance.length === 0 && update.length === 0) return undefined;
  const option = baseOption({ name: 'step' }, { name: 'parameter norm', log: logY }, palette, {
    trigger: 'axis',
    legend: true,
  });
  option.series = [
    line('distance', 'distance from init ‖θ − θ₀‖', distance, SERIES_COLORS[0]),
    line('updateSize', 'update size ‖Δθ‖', update, SERIES_COLORS[1]),
  ];
  return option;
}

/** CABS' suggested batch size over steps, with the run's batch size as a reference line;
 *  undefined when no record has one (Adam). */
export function cabsOption(
  noise: NoiseColumns,
  batchSize: number | undefined,
  palette: ChartPalette,
  logY = true,
): ChartOption | undefined {
  const points = columnPoints(noise.step, noise.cabsBatchSize, logY);
  if (points.length === 0) return undefined;
  const option = baseOption({ name: 'step' }, { name: 'batch size', log: logY }, palette, {
    trigger: 'axis',
  });
  option.series = [
    line('cabs', 'CABS batch size', points, palette.train, {
      ...(batchSize !== undefined && {
        markLine: referenceLines(
          [{ y: batchSize, label: `run's batch size ${batchSize}` }],
          palette,
        ),
      }),
    }),
  ];
  return option;
}
