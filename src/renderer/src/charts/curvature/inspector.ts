// Inspector panel: per-sample γ_nk and λ_nk of one direction, its layer shares, the loss along
// it against the quadratic model, and the samples that dominate it.
import type { InspectRecord } from '../../../../protocol/records';
import type { ChartOption } from '../echarts';
import type { ChartPalette } from '../palette';
import { formatValue } from '../format';
import { linearHistogram } from '../histogram';
import { SERIES_COLORS, bars, baseOption, line } from './base';

export function sampleHistogramOption(
  values: ArrayLike<number> | undefined,
  name: string,
  palette: ChartPalette,
  color: string,
  bins = 30,
): ChartOption | undefined {
  if (!values || values.length === 0) return undefined;
  const h = linearHistogram(values, bins);
  if (h.values.length === 0) return undefined;
  const labels = h.values.map((_, i) =>
    formatValue(Number(((h.edges[i] + h.edges[i + 1]) / 2).toPrecision(3))),
  );
  const option = baseOption({ name, category: labels }, { name: 'samples' }, palette);
  option.series = [
    bars(
      name,
      name,
      h.values.map((v, i) => [labels[i], v]),
      color,
    ),
  ];
  return option;
}

export function layerSharesOption(
  record: InspectRecord | undefined,
  palette: ChartPalette,
): ChartOption | undefined {
  if (!record || record.layerShares.length === 0) return undefined;
  const option = baseOption(
    { name: 'layer', category: record.layerNames },
    { name: 'share of ‖e_k‖²' },
    palette,
  );
  option.series = [
    bars(
      'layerShares',
      'share',
      Array.from(record.layerShares, (v, i) => [record.layerNames[i] ?? String(i), v]),
      SERIES_COLORS[4],
    ),
  ];
  return option;
}

export function sliceOption(
  record: InspectRecord | undefined,
  palette: ChartPalette,
): ChartOption | undefined {
  if (!record || record.slice.t.length === 0) return undefined;
  const { t, loss, quadratic } = record.slice;
  const option = baseOption({ name: 't' }, { name: 'loss' }, palette, {
    trigger: 'axis',
    legend: true,
  });
  option.series = [
    line(
      'sliceLoss',
      'L(θ + t·e_k)',
      Array.from(t, (x, i) => [x, loss[i]]),
      palette.train,
      { sampling: undefined },
    ),
    line(
      'sliceQuadratic',
      'q(t)',
      Array.from(t, (x, i) => [x, quadratic[i]]),
      palette.eval,
      {
        sampling: undefined,
        lineStyle: { width: 1.6, type: 'dashed' },
      },
    ),
  ];
  return option;
}

/**
 * The samples that dominate a direction, largest first: by |γ_nk| (its gradient) or by λ_nk
 * (its curvature). Ties keep the batch order.
 */
export function dominantSamples(
  record: InspectRecord,
  count = 8,
  by: 'gamma' | 'lambda' = 'gamma',
) {
  const key = (s: { gamma: number; lambda: number }): number =>
    by === 'gamma' ? Math.abs(s.gamma) : s.lambda;
  return Array.from(record.gammas, (gamma, n) => ({
    n,
    index: record.sampleIndices[n] ?? n,
    gamma,
    lambda: record.lambdas[n],
  }))
    .filter((s) => Number.isFinite(key(s)))
    .sort((a, b) => key(b) - key(a) || a.n - b.n)
    .slice(0, count);
}
