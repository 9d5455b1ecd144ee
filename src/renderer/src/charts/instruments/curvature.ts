// Curvature group: the GGN trace (ViViT's exact trace per parameter group from the curvature
// records, and the noise records' Monte-Carlo estimate), the largest GGN eigenvalue per group,
// and the TIC over steps.
import type { CurvatureRecord } from '../../../../protocol/records';
import type { NoiseColumns } from '../../stores/columns';
import type { ChartOption } from '../echarts';
import type { ChartPalette } from '../palette';
import { PointBuffer } from '../pointBuffer';
import { SERIES_COLORS, baseOption, line, usable } from '../curvature/base';
import { columnPoints } from './common';

/** One line per parameter group (by index; named after the latest record's groups). */
function perGroupLines(
  records: readonly CurvatureRecord[],
  value: (g: CurvatureRecord['groups'][number]) => number | undefined,
  logY: boolean,
): { name: string; points: PointBuffer }[] {
  const lines: { name: string; points: PointBuffer }[] = [];
  for (const r of records) {
    r.groups.forEach((g, i) => {
      const v = value(g);
      if (v === undefined || !usable(v, logY)) return;
      lines[i] ??= { name: g.name, points: new PointBuffer(Math.max(1, records.length)) };
      lines[i].points.push(r.step, v);
    });
  }
  const names = records.at(-1)?.groups.map((g) => g.name) ?? [];
  return lines.flatMap((l, i) => (l ? [{ ...l, name: names[i] ?? l.name }] : []));
}

export function ggnTraceOption(
  curvature: readonly CurvatureRecord[],
  noise: NoiseColumns,
  palette: ChartPalette,
  logY = true,
): ChartOption | undefined {
  const groups = perGroupLines(curvature, (g) => g.ggnTrace, logY);
  const mc = columnPoints(noise.step, noise.ggnTrace, logY);
  if (groups.length === 0 && mc.length === 0) return undefined;
  const option = baseOption({ name: 'step' }, { name: 'tr(GGN)', log: logY }, palette, {
    trigger: 'axis',
    legend: true,
  });
  option.series = [
    ...groups.map((g, i) =>
      line(`ggnTrace-${i}`, `ViViT tr G̃ (${g.name})`, g.points, SERIES_COLORS[i % 6]),
    ),
    ...(mc.length > 0
      ? [
          line('ggnTraceMc', 'MC estimate (noise batch)', mc, palette.eval, {
            lineStyle: { width: 1.6, type: 'dashed' },
          }),
        ]
      : []),
  ];
  return option;
}

export function maxEigenvalueOption(
  curvature: readonly CurvatureRecord[],
  palette: ChartPalette,
  logY = true,
): ChartOption | undefined {
  const groups = perGroupLines(
    curvature,
    (g) => (g.eigenvalues.length > 0 ? g.eigenvalues[0] : undefined),
    logY,
  );
  if (groups.length === 0) return undefined;
  const option = baseOption({ name: 'step' }, { name: 'λ_max', log: logY }, palette, {
    trigger: 'axis',
    legend: groups.length > 1,
  });
  option.series = groups.map((g, i) =>
    line(`lambdaMax-${i}`, `λ_max (${g.name})`, g.points, SERIES_COLORS[i % 6]),
  );
  return option;
}

export function ticOption(
  noise: NoiseColumns,
  palette: ChartPalette,
  logY = false,
): ChartOption | undefined {
  const points = columnPoints(noise.step, noise.tic, logY);
  if (points.length === 0) return undefined;
  const option = baseOption({ name: 'step' }, { name: 'TIC  tr(C)/tr(GGN)', log: logY }, palette, {
    trigger: 'axis',
  });
  option.series = [line('tic', 'TIC', points, palette.train)];
  return option;
}
