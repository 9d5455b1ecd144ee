// Spectrum panel: histogram of the nontrivial GGN eigenvalues, the top-k over steps, and the
// number of nontrivial directions.
import type { CurvatureRecord } from '../../../../protocol/records';
import type { ChartOption } from '../echarts';
import type { ChartPalette } from '../palette';
import { PointBuffer } from '../pointBuffer';
import { binLabel, logHistogram } from '../histogram';
import { SERIES_COLORS, bars, baseOption, line, memo, usable } from './base';

/** All nontrivial eigenvalues of a curvature step (every group). */
export function allEigenvalues(record: CurvatureRecord): number[] {
  return record.groups.flatMap((g) => Array.from(g.eigenvalues));
}

export function spectrumHistogramOption(
  record: CurvatureRecord | undefined,
  palette: ChartPalette,
  logCounts: boolean,
  bins = 40,
): ChartOption | undefined {
  if (!record) return undefined;
  const h = logHistogram(allEigenvalues(record), bins);
  if (h.values.length === 0) return undefined;
  const labels = h.values.map((_, i) => binLabel(h.edges[i], h.edges[i + 1]));
  const data: [string, number][] = h.values.map((v, i) => [
    labels[i],
    logCounts && v === 0 ? Number.NaN : v,
  ]);
  const option = baseOption(
    { name: 'eigenvalue λ (log bins)', category: labels },
    { name: 'count', log: logCounts },
    palette,
  );
  option.series = [bars('eigenvalues', `step ${record.step}`, data, palette.train)];
  return option;
}

const TOP_K_CACHED = 8;
const cachedTop = memo((record: CurvatureRecord) => {
  // Each group's eigenvalues are descending: only their heads can be among the largest.
  if (record.groups.length === 1)
    return Array.from(record.groups[0].eigenvalues.subarray(0, TOP_K_CACHED));
  const firsts = record.groups.flatMap((g) => Array.from(g.eigenvalues.subarray(0, TOP_K_CACHED)));
  return firsts.sort((a, b) => b - a).slice(0, TOP_K_CACHED);
});

/** The k largest eigenvalues of a step over all groups, descending. */
export function topEigenvalues(record: CurvatureRecord, k: number): number[] {
  if (k <= TOP_K_CACHED) return cachedTop(record).slice(0, k);
  const firsts = record.groups.flatMap((g) => Array.from(g.eigenvalues.subarray(0, k)));
  return firsts.sort((a, b) => b - a).slice(0, k);
}

export function topKOption(
  records: readonly CurvatureRecord[],
  palette: ChartPalette,
  logY: boolean,
  k = 5,
): ChartOption | undefined {
  if (records.length === 0) return undefined;
  const ranks = Array.from({ length: k }, () => new PointBuffer(Math.max(1, records.length)));
  for (const r of records) {
    const top = topEigenvalues(r, k);
    for (let i = 0; i < top.length; i++) if (usable(top[i], logY)) ranks[i].push(r.step, top[i]);
  }
  const option = baseOption({ name: 'step' }, { name: 'λ', log: logY }, palette, {
    trigger: 'axis',
    legend: true,
  });
  option.series = ranks
    .filter((data) => data.length > 0)
    // Series id `top<r>`: with a single group the rank r - 1 is the direction index (a click
    // on the line can inspect it).
    .map((data, i) => line(`top${i + 1}`, `λ${i + 1}`, data, SERIES_COLORS[i % 6]));
  return option;
}

export function directionCountOption(
  records: readonly CurvatureRecord[],
  palette: ChartPalette,
): ChartOption | undefined {
  if (records.length === 0) return undefined;
  const data = new PointBuffer(Math.max(1, records.length));
  for (const r of records) {
    data.push(
      r.step,
      r.groups.reduce((n, g) => n + g.eigenvalues.length, 0),
    );
  }
  const option = baseOption({ name: 'step' }, { name: 'K' }, palette, { trigger: 'axis' });
  option.series = [line('K', 'nontrivial directions K', data, palette.train, { step: 'end' })];
  return option;
}
