// Histograms group: Cockpit's GradHist1d (the individual gradient elements of the latest
// histogram record as bars over its edges) and GradHist2d (per layer: parameter-value bins as
// rows against gradient-value bins as columns, counts on a log colour scale).
import type { HistogramRecord, LayerHistogram2d } from '../../../../protocol/records';
import type { ChartOption } from '../echarts';
import type { ChartPalette } from '../palette';
import { formatValue } from '../format';
import { bars, baseOption } from '../curvature/base';
import { barTooltip, binLabels } from './common';

export function gradientHistogramOption(
  record: HistogramRecord | undefined,
  palette: ChartPalette,
  logCounts: boolean,
): ChartOption | undefined {
  if (!record || record.gradient.counts.length === 0) return undefined;
  const labels = binLabels(record.gradient.edges);
  const data = Array.from(record.gradient.counts, (v, i): [string, number] => [
    labels[i],
    logCounts && v <= 0 ? Number.NaN : v,
  ]);
  const option = baseOption(
    { name: 'gradient element g_nj', category: labels },
    { name: 'count', log: logCounts },
    palette,
  );
  option.tooltip = { ...(option.tooltip as object), formatter: barTooltip('count') as never };
  if (logCounts) {
    // Counts span many decades: 1e6 rather than 1000000.
    const y = option.yAxis as { axisLabel: { formatter?: unknown } };
    y.axisLabel.formatter = (v: number) =>
      v >= 1e4 ? v.toExponential(0).replace('+', '') : String(v);
  }
  option.series = [bars('gradientHistogram', `step ${record.step}`, data, palette.train)];
  return option;
}

/** Bin centres as axis labels. */
function centres(edges: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < edges.length; i++)
    out.push(formatValue(Number(((edges[i] + edges[i + 1]) / 2).toPrecision(3))));
  return out;
}

/** Heat-map cells [column, row, log10(count), count] of the non-empty bins (row-major counts). */
export function heatCells(layer: LayerHistogram2d): [number, number, number, number][] {
  const columns = layer.gradEdges.length - 1;
  const rows = layer.paramEdges.length - 1;
  const out: [number, number, number, number][] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const n = layer.counts[r * columns + c];
      if (n > 0) out.push([c, r, Math.log10(n), n]);
    }
  }
  return out;
}

export function layerHistogramOption(
  record: HistogramRecord | undefined,
  layerIndex: number,
  palette: ChartPalette,
): ChartOption | undefined {
  const layer = record?.layers[layerIndex];
  if (!record || !layer) return undefined;
  const cells = heatCells(layer);
  if (cells.length === 0) return undefined;
  const maxLog = Math.max(...cells.map((c) => c[2]));
  const option = baseOption(
    { name: 'gradient value', category: centres(layer.gradEdges) },
    { name: 'parameter value', category: centres(layer.paramEdges) },
    palette,
  );
  option.grid = { ...(option.grid as object), right: 64 };
  const { gradEdges, paramEdges } = layer;
  option.tooltip = {
    ...(option.tooltip as object),
    formatter: ((p: { value?: unknown }) => {
      const [c, r, , n] = p.value as number[];
      const range = (e: ArrayLike<number>, i: number) =>
        `${formatValue(Number(e[i].toPrecision(4)))} … ${formatValue(Number(e[i + 1].toPrecision(4)))}`;
      return (
        `<div class="tt-head">${layer.layer}, step ${record.step}</div>` +
        `<div>gradient: ${range(gradEdges, c)}</div>` +
        `<div>parameter: ${range(paramEdges, r)}</div>` +
        `<div>count: <b>${formatValue(n)}</b></div>`
      );
    }) as never,
  };
  option.visualMap = {
    type: 'continuous',
    min: 0,
    max: Math.max(maxLog, 1e-9),
    dimension: 2,
    calculable: false,
    orient: 'vertical',
    right: 4,
    top: 'middle',
    itemWidth: 10,
    itemHeight: 120,
    text: [`10^${formatValue(Number(maxLog.toFixed(1)))}`, '1'],
    textStyle: { color: palette.muted, fontSize: 10 },
    inRange: { color: ['#e8eefc', '#8fb0f0', '#3b6fe0', '#1b3a8c', '#0b1740'] },
  };
  option.series = [
    {
      id: 'layerHistogram',
      name: layer.layer,
      type: 'heatmap',
      data: cells as never,
      emphasis: { disabled: true },
      progressive: 0,
    },
  ];
  return option;
}
