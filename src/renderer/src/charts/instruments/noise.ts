// Gradient-noise group: the per-sample gradient norms of the latest noise record as a
// histogram, the mean GSNR over steps, and the three batch-size tests (over steps and Cockpit's
// 2-D view: orthogonality ν against inner product θ, the unit circle being the norm test).
import type { NoiseRecord } from '../../../../protocol/records';
import type { NoiseColumns } from '../../stores/columns';
import type { ChartOption } from '../echarts';
import type { ChartPalette } from '../palette';
import { linearHistogram } from '../histogram';
import { formatValue } from '../format';
import { SERIES_COLORS, bars, baseOption, line } from '../curvature/base';
import { barTooltip, binLabels, columnPoints, referenceLines } from './common';

export function sampleGradNormHistogramOption(
  record: NoiseRecord | undefined,
  palette: ChartPalette,
  bins = 20,
): ChartOption | undefined {
  if (!record || record.sampleGradNorms.length === 0) return undefined;
  const h = linearHistogram(record.sampleGradNorms, bins);
  if (h.values.length === 0) return undefined;
  const labels = binLabels(h.edges);
  const option = baseOption(
    { name: 'per-sample gradient norm ‖g_n‖', category: labels },
    { name: 'samples' },
    palette,
  );
  option.tooltip = { ...(option.tooltip as object), formatter: barTooltip('samples') as never };
  option.series = [
    bars(
      'sampleGradNorms',
      `step ${record.step} (B = ${record.batch})`,
      h.values.map((v, i): [string, number] => [labels[i], v]),
      palette.train,
    ),
  ];
  return option;
}

export function gsnrOption(
  noise: NoiseColumns,
  palette: ChartPalette,
  logY = true,
): ChartOption | undefined {
  const points = columnPoints(noise.step, noise.meanGsnr, logY);
  if (points.length === 0) return undefined;
  const option = baseOption({ name: 'step' }, { name: 'mean GSNR', log: logY }, palette, {
    trigger: 'axis',
  });
  option.series = [line('meanGsnr', 'mean GSNR', points, palette.train)];
  return option;
}

export const BATCH_TESTS = [
  { key: 'normTest', name: 'norm test θ' },
  { key: 'innerProductTest', name: 'inner-product test θ' },
  { key: 'orthogonalityTest', name: 'orthogonality test ν' },
] as const;

/** The three tests over steps with the dashed threshold at 1 (above it: the batch is too small
 *  for θ = 1). */
export function batchSizeTestsOption(
  noise: NoiseColumns,
  palette: ChartPalette,
  logY = true,
): ChartOption | undefined {
  const lines = BATCH_TESTS.map((t) => columnPoints(noise.step, noise[t.key], logY));
  if (lines.every((p) => p.length === 0)) return undefined;
  const option = baseOption({ name: 'step' }, { name: 'test value', log: logY }, palette, {
    trigger: 'axis',
    legend: true,
  });
  option.series = BATCH_TESTS.map((t, i) =>
    line(t.key, t.name, lines[i], SERIES_COLORS[i], {
      ...(i === 0 && { markLine: referenceLines([{ y: 1, label: 'threshold 1' }], palette) }),
    }),
  );
  return option;
}

/** Points of the 2-D view: [ν, θ_ip, step, normTest] of the last `recent` noise records. */
export function testPoints(noise: NoiseColumns, recent = 50): [number, number, number, number][] {
  const out: [number, number, number, number][] = [];
  for (let i = Math.max(0, noise.step.length - recent); i < noise.step.length; i++) {
    const x = noise.orthogonalityTest[i];
    const y = noise.innerProductTest[i];
    if (Number.isFinite(x) && Number.isFinite(y))
      out.push([x, y, noise.step[i], noise.normTest[i]]);
  }
  return out;
}

function unitQuarterCircle(points = 65): [number, number][] {
  return Array.from({ length: points }, (_, i) => {
    const t = (Math.PI / 2) * (i / (points - 1));
    return [Math.cos(t), Math.sin(t)];
  });
}

/** Cockpit's gradient-test view: each measured step as a point (ν, θ_ip), older steps fainter;
 *  inside the unit circle (the norm test at θ = 1) all three tests pass. */
export function batchSizeTests2dOption(
  noise: NoiseColumns,
  palette: ChartPalette,
  recent = 50,
): ChartOption | undefined {
  const pts = testPoints(noise, recent);
  if (pts.length === 0) return undefined;
  const extent = Math.max(1.2, ...pts.map((p) => Math.max(p[0], p[1]))) * 1.05;
  const option = baseOption(
    { name: 'orthogonality test ν' },
    { name: 'inner-product test θ' },
    palette,
    { legend: true, zoomY: true },
  );
  for (const axis of [option.xAxis, option.yAxis] as { min?: number; max?: number }[]) {
    axis.min = 0;
    axis.max = Number(extent.toPrecision(2));
  }
  option.tooltip = {
    ...(option.tooltip as object),
    formatter: ((p: { value?: unknown; seriesName?: string }) => {
      const v = p.value as number[];
      if (v.length < 4) return p.seriesName ?? '';
      return (
        `<div class="tt-head">step ${v[2]}</div>` +
        `<div>orthogonality ν: <b>${formatValue(v[0])}</b></div>` +
        `<div>inner product θ: <b>${formatValue(v[1])}</b></div>` +
        `<div>norm test θ: <b>${formatValue(v[3])}</b></div>`
      );
    }) as never,
  };
  const latest = pts[pts.length - 1];
  option.series = [
    {
      id: 'unitCircle',
      name: 'norm test θ = 1',
      type: 'line',
      data: unitQuarterCircle() as never,
      color: palette.muted,
      showSymbol: false,
      silent: true,
      lineStyle: { type: 'dashed', width: 1.2 },
    },
    {
      id: 'earlier',
      name: 'earlier steps',
      type: 'scatter',
      data: pts.slice(0, -1) as never,
      color: SERIES_COLORS[0],
      symbolSize: 6,
      itemStyle: { opacity: 0.35 },
    },
    {
      id: 'latest',
      name: `step ${latest[2]}`,
      type: 'scatter',
      data: [latest] as never,
      color: SERIES_COLORS[1],
      symbolSize: 10,
    },
  ];
  return option;
}
