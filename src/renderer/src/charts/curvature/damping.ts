// Damping panel (damped Newton runs): per-direction damping, relative damping, and the loss
// change against the quadratic model's prediction.
import type { DampingRecord } from '../../../../protocol/records';
import type { ChartOption } from '../echarts';
import type { ChartPalette } from '../palette';
import { PointBuffer } from '../pointBuffer';
import { type Pt, baseOption, line, memo, scatter, usable } from './base';

export function dampingScatterOption(
  record: DampingRecord | undefined,
  palette: ChartPalette,
  log: boolean,
): ChartOption | undefined {
  if (!record) return undefined;
  const data: Pt[] = [];
  let offset = 0;
  record.groupSizes.forEach((size, gi) => {
    for (let k = 0; k < size; k++) {
      const x = record.lambdaMean[offset + k];
      const y = record.damping[offset + k];
      if (usable(x, log) && usable(y, log)) data.push([x, y, k, gi]);
    }
    offset += size;
  });
  const option = baseOption({ name: 'λ̄_k', log }, { name: 'δ_k', log }, palette, { zoomY: true });
  option.series = [scatter('damping', `step ${record.step}`, data, palette.train)];
  return option;
}

/** Median, minimum and maximum of the finite relative dampings δ_k / λ̄_k of a step. */
export const relativeDampingStats = memo(computeRelativeDampingStats);

function computeRelativeDampingStats(record: DampingRecord): [number, number, number] | undefined {
  const values: number[] = [];
  record.damping.forEach((d, i) => {
    const r = d / record.lambdaMean[i];
    if (Number.isFinite(r) && r > 0) values.push(r);
  });
  if (values.length === 0) return undefined;
  values.sort((a, b) => a - b);
  const m = values.length >> 1;
  const median = values.length % 2 ? values[m] : (values[m - 1] + values[m]) / 2;
  return [median, values[0], values[values.length - 1]];
}

export function relativeDampingOption(
  records: readonly DampingRecord[],
  palette: ChartPalette,
  log: boolean,
): ChartOption | undefined {
  const med = new PointBuffer(Math.max(1, records.length));
  const min = new PointBuffer(Math.max(1, records.length));
  const max = new PointBuffer(Math.max(1, records.length));
  for (const r of records) {
    const s = relativeDampingStats(r);
    if (!s || (log && !(s[1] > 0))) continue;
    med.push(r.step, s[0]);
    min.push(r.step, s[1]);
    max.push(r.step, s[2]);
  }
  if (med.length === 0) return undefined;
  const option = baseOption({ name: 'step' }, { name: 'δ_k / λ̄_k', log }, palette, {
    trigger: 'axis',
    legend: true,
  });
  option.series = [
    line('relMedian', 'median', med, palette.train),
    line('relMin', 'min', min, palette.muted, { lineStyle: { width: 1, type: 'dashed' } }),
    line('relMax', 'max', max, palette.muted, { lineStyle: { width: 1, type: 'dotted' } }),
  ];
  return option;
}

export function lossChangeOption(
  records: readonly DampingRecord[],
  palette: ChartPalette,
): ChartOption | undefined {
  if (records.length === 0) return undefined;
  const option = baseOption({ name: 'step' }, { name: 'Δ loss' }, palette, {
    trigger: 'axis',
    legend: true,
  });
  const predicted = new PointBuffer(Math.max(1, records.length));
  const actual = new PointBuffer(Math.max(1, records.length));
  for (const r of records) {
    predicted.push(r.step, r.predictedChange);
    actual.push(r.step, r.actualChange);
  }
  option.series = [
    line('predicted', 'predicted', predicted, palette.train),
    line('actual', 'actual', actual, palette.eval),
  ];
  return option;
}

/** ‖Σ_k s_k e_k‖ = ‖s‖ (the e_k are orthonormal within a group, groups are disjoint). */
export const updateSize = memo(computeUpdateSize);

function computeUpdateSize(record: DampingRecord): number {
  let sum = 0;
  for (const s of record.stepLength) if (Number.isFinite(s)) sum += s * s;
  return Math.sqrt(sum);
}
