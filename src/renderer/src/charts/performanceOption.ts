// The performance chart's ECharts option: training loss (raw, faint, and smoothed) with the
// held-out loss on top, and, for classification, accuracy below on a shared step axis.
// `buildPerformanceOption` gives the full option (on structural changes); `seriesUpdate` the
// data-only patch merged on every frame that has new points.
import type { ChartOption } from './echarts';
import type { ChartPalette } from './palette';
import type { PerformanceSeries, PerformanceSettings, Point, SeriesId } from './performanceSeries';
import type { PointBuffer } from './pointBuffer';
import { formatValue } from './format';

interface SeriesStyle {
  id: SeriesId;
  name: string;
  axis: 0 | 1;
  role: 'raw' | 'smooth' | 'eval';
}

/** Legend names are shared by the loss and accuracy series so one click toggles both. */
const SERIES: SeriesStyle[] = [
  { id: 'trainLoss', name: 'train', axis: 0, role: 'raw' },
  { id: 'trainLossSmooth', name: 'train (smoothed)', axis: 0, role: 'smooth' },
  { id: 'evalLoss', name: 'held-out', axis: 0, role: 'eval' },
  { id: 'trainAccuracy', name: 'train', axis: 1, role: 'raw' },
  { id: 'trainAccuracySmooth', name: 'train (smoothed)', axis: 1, role: 'smooth' },
  { id: 'evalAccuracy', name: 'held-out', axis: 1, role: 'eval' },
];

function visibleSeries(hasAccuracy: boolean): SeriesStyle[] {
  return SERIES.filter((s) => hasAccuracy || s.axis === 0);
}

const HOVER_ZLEVEL = 1;
const ZOOM_THROTTLE_MS = 100;

export function buildPerformanceOption(
  series: PerformanceSeries,
  settings: PerformanceSettings,
  palette: ChartPalette,
): ChartOption {
  const two = series.hasAccuracy;
  const axisIndices = two ? [0, 1] : [0];
  const grids = two
    ? [
        { left: 64, right: 20, top: 44, height: '40%', outerBoundsMode: 'none' as const },
        { left: 64, right: 20, top: '60%', bottom: 78, outerBoundsMode: 'none' as const },
      ]
    : [{ left: 64, right: 20, top: 44, bottom: 78, outerBoundsMode: 'none' as const }];

  const axisCommon = {
    axisLine: { lineStyle: { color: palette.axis } },
    axisTick: { lineStyle: { color: palette.axis } },
    axisLabel: { color: palette.muted, fontSize: 11, hideOverlap: true },
    splitLine: { lineStyle: { color: palette.grid } },
    nameTextStyle: { color: palette.muted, fontSize: 11 },
  };

  const xAxis = axisIndices.map((index) => {
    const bottom = index === axisIndices.length - 1;
    return {
      ...axisCommon,
      type: settings.logStep ? ('log' as const) : ('value' as const),
      gridIndex: index,
      min: 'dataMin' as const,
      max: 'dataMax' as const,
      name: bottom ? 'step' : '',
      nameLocation: 'middle' as const,
      nameGap: 26,
      axisLabel: { ...axisCommon.axisLabel, show: bottom, formatter: formatStep },
      splitLine: { show: false },
    };
  });

  const yAxis = [
    {
      ...axisCommon,
      gridIndex: 0,
      type: settings.logLoss ? ('log' as const) : ('value' as const),
      scale: true,
      name: 'loss',
      nameLocation: 'end' as const,
      nameGap: 10,
      nameTextStyle: { ...axisCommon.nameTextStyle, align: 'right' as const },
      axisLabel: { ...axisCommon.axisLabel, formatter: (v: number) => formatValue(v) },
    },
    ...(two
      ? [
          {
            ...axisCommon,
            gridIndex: 1,
            type: 'value' as const,
            scale: true,
            max: 1,
            name: 'accuracy',
            nameLocation: 'end' as const,
            nameGap: 10,
            nameTextStyle: { ...axisCommon.nameTextStyle, align: 'right' as const },
            axisLabel: {
              ...axisCommon.axisLabel,
              formatter: (v: number) => `${Math.round(v * 100)}%`,
            },
          },
        ]
      : []),
  ];

  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { color: palette.text, fontFamily: 'inherit' },
    grid: grids,
    xAxis,
    yAxis,
    // The pointer gets a canvas of its own (zlevel 1): moving it repaints that layer only,
    // not the 10,000-point lines beneath.
    axisPointer: {
      link: [{ xAxisIndex: 'all' }],
      lineStyle: { color: palette.muted },
      zlevel: HOVER_ZLEVEL,
    },
    legend: {
      top: 6,
      left: 56,
      itemWidth: 16,
      itemHeight: 8,
      textStyle: { color: palette.muted, fontSize: 12 },
      data: ['train', 'train (smoothed)', 'held-out'],
    },
    tooltip: {
      trigger: 'axis',
      confine: true,
      backgroundColor: palette.surface,
      borderColor: palette.border,
      textStyle: { color: palette.text, fontSize: 12 },
      axisPointer: { type: 'line', animation: false, zlevel: HOVER_ZLEVEL },
      transitionDuration: 0,
      // ECharts' formatter type is a wide union; ours takes the axis-trigger parameters.
      formatter: tooltipFormatter(series, palette) as never,
    },
    dataZoom: [
      {
        type: 'inside',
        xAxisIndex: axisIndices,
        zoomOnMouseWheel: 'shift',
        throttle: ZOOM_THROTTLE_MS,
      },
      {
        type: 'slider',
        xAxisIndex: axisIndices,
        throttle: ZOOM_THROTTLE_MS,
        height: 18,
        bottom: 10,
        borderColor: palette.border,
        fillerColor: palette.zoom,
        backgroundColor: 'transparent',
        dataBackground: {
          lineStyle: { color: palette.axis, opacity: 0.8 },
          areaStyle: { color: palette.grid },
        },
        textStyle: { color: palette.muted, fontSize: 10 },
        handleStyle: { color: palette.surface, borderColor: palette.muted },
        moveHandleStyle: { color: palette.axis },
        labelFormatter: (v: number) => formatStep(v),
      },
    ],
    series: visibleSeries(two).map((s) => lineSeries(s, series.data[s.id], palette)),
  };
}

/** Data-only patch, merged into the chart by series id. */
export function seriesUpdate(series: PerformanceSeries): ChartOption {
  return {
    series: visibleSeries(series.hasAccuracy).map((s) => ({
      id: s.id,
      data: series.data[s.id].view() as never, // typed-array data: see pointBuffer.ts
      ...(s.role === 'eval' && { showSymbol: series.data[s.id].length <= MAX_EVAL_MARKERS }),
    })),
  };
}

const MAX_EVAL_MARKERS = 300;

function lineSeries(style: SeriesStyle, points: PointBuffer, palette: ChartPalette) {
  const color = style.role === 'eval' ? palette.eval : palette.train;
  const base = {
    id: style.id,
    name: style.name,
    type: 'line' as const,
    xAxisIndex: style.axis,
    yAxisIndex: style.axis,
    // ECharts reads a flat typed array as consecutive (x, y) pairs; its types omit this form.
    data: points.view() as never,
    dimensions: ['step', 'value'],
    color,
    animation: false,
    // Long runs: draw a largest-triangle-three-buckets sample per pixel; the store keeps all.
    sampling: 'lttb' as const,
    connectNulls: false,
    emphasis: { disabled: true },
  };
  switch (style.role) {
    case 'raw':
      return { ...base, showSymbol: false, z: 1, lineStyle: { width: 1, opacity: 0.22 } };
    case 'smooth':
      return { ...base, showSymbol: false, z: 2, lineStyle: { width: 2 } };
    case 'eval':
      return {
        ...base,
        sampling: undefined,
        z: 3,
        // Markers help while evaluations are sparse; thousands of them would cost every redraw.
        showSymbol: points.length <= MAX_EVAL_MARKERS,
        symbol: 'circle',
        symbolSize: 6,
        itemStyle: { color, borderColor: palette.surface, borderWidth: 1 },
        lineStyle: { width: 1.5 },
      };
  }
}

// One formatter for every label and tooltip: `toLocaleString` builds a new one per call, which
// showed up among the costliest functions of a hover.
const STEP_FORMAT = new Intl.NumberFormat('en-US');

function formatStep(value: number): string {
  return Number.isInteger(value) ? STEP_FORMAT.format(value) : formatValue(value);
}

interface TooltipParam {
  axisValue?: unknown;
  value?: unknown;
}

const TOOLTIP_LABEL: Record<SeriesId, string> = {
  trainLoss: 'train loss',
  trainLossSmooth: 'smoothed loss',
  evalLoss: 'held-out loss',
  trainAccuracy: 'train accuracy',
  trainAccuracySmooth: 'smoothed accuracy',
  evalAccuracy: 'held-out accuracy',
};

/**
 * The tooltip reads exact values from the full series at the hovered step. (ECharts' own
 * parameters come from the downsampled data, where each series' nearest point can differ.)
 * Evaluations show the nearest one, with its step when it is not the hovered step.
 */
export function tooltipFormatter(series: PerformanceSeries, palette: ChartPalette) {
  return (params: TooltipParam | TooltipParam[]): string => {
    const first = Array.isArray(params) ? params[0] : params;
    const hovered = Number(first?.axisValue ?? (first?.value as Point | undefined)?.[0]);
    if (!Number.isFinite(hovered)) return '';
    const rows = visibleSeries(series.hasAccuracy).map((style) => {
      const points = series.data[style.id];
      const i = nearestIndex(points, hovered);
      if (i < 0 || !Number.isFinite(points.y(i))) return '';
      if (style.role !== 'eval' && points.x(i) !== Math.round(hovered)) return '';
      const y = points.y(i);
      const shown = style.axis === 1 ? `${formatValue(y * 100)}%` : formatValue(y);
      const at =
        points.x(i) !== Math.round(hovered)
          ? ` <span class="tt-at">@${formatStep(points.x(i))}</span>`
          : '';
      const color = style.role === 'eval' ? palette.eval : palette.train;
      const dot = `<span class="tt-dot tt-${style.role}" style="background:${color}"></span>`;
      return (
        `<div class="tt-row">${dot}<span class="tt-name">${TOOLTIP_LABEL[style.id]}</span>` +
        `<b class="tt-value">${shown}</b>${at}</div>`
      );
    });
    return `<div class="tt-head">step ${formatStep(Math.round(hovered))}</div>${rows.join('')}`;
  };
}

/** Index of the point whose x is nearest to `x` (x ascending), or -1 when empty. */
export function nearestIndex(points: PointBuffer, x: number): number {
  let lo = 0;
  let hi = points.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points.x(mid) < x) lo = mid + 1;
    else hi = mid;
  }
  // lo is the first point at or after x; the one before may be nearer.
  if (lo > 0 && x - points.x(lo - 1) <= points.x(lo) - x) return lo - 1;
  return lo;
}
