// Overlap panel: gradient–eigenspace overlap per direction and the flat remainder.
import type { CurvatureRecord } from '../../../../protocol/records';
import type { ChartOption } from '../echarts';
import type { ChartPalette } from '../palette';
import { PointBuffer } from '../pointBuffer';
import { overlapBars } from '../histogram';
import { bars, baseOption, line } from './base';

export function overlapHistogramOption(
  record: CurvatureRecord | undefined,
  group: number,
  palette: ChartPalette,
  bins = 49,
): ChartOption | undefined {
  const g = record?.groups[group];
  if (!record || !g) return undefined;
  const b = overlapBars(g.eigenvalues, g.overlap, g.flatRemainder, bins);
  const labels = b.map((x) => x.label);
  const option = baseOption(
    { name: 'eigenvalue λ (log bins)', category: labels },
    { name: 'overlap γ̄²/‖g‖²' },
    palette,
  );
  option.series = [
    {
      ...bars(
        'overlap',
        `step ${record.step}`,
        b.map((x) => [x.label, x.value]),
        palette.train,
      ),
      // The flat remainder is a different kind of bar: colour it apart.
      data: b.map((x, i) =>
        i === 0
          ? { value: [x.label, x.value], itemStyle: { color: palette.eval } }
          : [x.label, x.value],
      ) as never,
    },
  ];
  return option;
}

export function remainderOption(
  records: readonly CurvatureRecord[],
  group: number,
  palette: ChartPalette,
): ChartOption | undefined {
  const data = new PointBuffer(Math.max(1, records.length));
  for (const r of records) {
    const g = r.groups[group];
    if (g && Number.isFinite(g.flatRemainder)) data.push(r.step, g.flatRemainder);
  }
  if (data.length === 0) return undefined;
  const option = baseOption({ name: 'step' }, { name: 'flat remainder' }, palette, {
    trigger: 'axis',
  });
  option.series = [line('remainder', 'flat remainder', data, palette.eval)];
  return option;
}
