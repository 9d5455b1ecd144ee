// Noise panel: SNRs of the directional gradients and curvatures against λ, and γ against λ,
// for the most recent curvature steps.
import type { CurvatureRecord } from '../../../../protocol/records';
import type { ChartOption } from '../echarts';
import type { ChartPalette } from '../palette';
import { type Pt, SERIES_COLORS, baseOption, scatter, usable } from './base';

/** The last `count` records, oldest first, with an opacity that fades with age. */
function recent(records: readonly CurvatureRecord[], count: number) {
  const from = Math.max(0, records.length - count);
  const list = records.slice(from);
  return list.map((record, i) => ({
    record,
    opacity: list.length === 1 ? 0.85 : 0.15 + (0.7 * i) / (list.length - 1),
  }));
}

function points(
  record: CurvatureRecord,
  x: GroupArray,
  y: GroupArray,
  logX: boolean,
  logY: boolean,
): Pt[] {
  const out: Pt[] = [];
  record.groups.forEach((g, gi) => {
    const xs = x(g);
    const ys = y(g);
    for (let k = 0; k < xs.length; k++) {
      if (usable(xs[k], logX) && usable(ys[k], logY)) out.push([xs[k], ys[k], k, gi]);
    }
  });
  return out;
}

export function snrAgainstLambdaOption(
  records: readonly CurvatureRecord[],
  palette: ChartPalette,
  log: boolean,
  ages = 6,
): ChartOption | undefined {
  if (records.length === 0) return undefined;
  const option = baseOption({ name: 'λ_k', log }, { name: 'SNR', log }, palette, {
    legend: true,
    zoomY: true,
  });
  option.series = recent(records, ages).flatMap(({ record, opacity }) => [
    scatter(
      `snrLambda-${record.step}`,
      'SNR(λ_k)',
      points(
        record,
        (g) => g.eigenvalues,
        (g) => g.snrLambda,
        log,
        log,
      ),
      SERIES_COLORS[0],
      opacity,
    ),
    scatter(
      `snrGamma-${record.step}`,
      'SNR(γ_k)',
      points(
        record,
        (g) => g.eigenvalues,
        (g) => g.snrGamma,
        log,
        log,
      ),
      SERIES_COLORS[1],
      opacity,
    ),
  ]);
  return option;
}

type GroupArray = (g: CurvatureRecord['groups'][number]) => ArrayLike<number>;

/** One scatter of y against x per recent curvature step, coloured by its age. */
function perStepScatterOption(
  records: readonly CurvatureRecord[],
  palette: ChartPalette,
  log: boolean,
  ages: number,
  plot: { id: string; xName: string; yName: string; x: GroupArray; y: GroupArray; color: string },
): ChartOption | undefined {
  if (records.length === 0) return undefined;
  const option = baseOption({ name: plot.xName, log }, { name: plot.yName, log }, palette, {
    zoomY: true,
  });
  option.series = recent(records, ages).map(({ record, opacity }) =>
    scatter(
      `${plot.id}-${record.step}`,
      `step ${record.step}`,
      points(record, plot.x, plot.y, log, log),
      plot.color,
      opacity,
    ),
  );
  return option;
}

export function snrPairOption(
  records: readonly CurvatureRecord[],
  palette: ChartPalette,
  log: boolean,
  ages = 6,
): ChartOption | undefined {
  return perStepScatterOption(records, palette, log, ages, {
    id: 'snrPair',
    xName: 'SNR(γ_k)',
    yName: 'SNR(λ_k)',
    x: (g) => g.snrGamma,
    y: (g) => g.snrLambda,
    color: SERIES_COLORS[2],
  });
}

export function gammaLambdaOption(
  records: readonly CurvatureRecord[],
  palette: ChartPalette,
  log: boolean,
  ages = 6,
): ChartOption | undefined {
  return perStepScatterOption(records, palette, log, ages, {
    id: 'gammaLambda',
    xName: 'λ̄_k',
    yName: '|γ̄_k|',
    x: (g) => g.lambdaMean,
    y: (g) => g.gammaMean.map(Math.abs),
    color: SERIES_COLORS[3],
  });
}
