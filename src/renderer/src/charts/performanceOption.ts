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

export function buildPerformanceOption(
  series: PerformanceSeries,
  settings: PerformanceSettings,
  palette: ChartPalette,
): ChartOption {
  const two = series.hasAccuracy;
  const axisIndices = two ? [0, 1] : [0];
  const grids = two
    ? [
        { left: 64, right: 20, top: 44, height: '40%' },
        { left: 64, right: 20, top: '60%', bottom: 78 },
      ]
    : [{ left: 64, right: 20, top: 44, bottom: 78 }];

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
    axisPointer: { link: [{ xAxisIndex: 'all' }], lineStyle: { color: palette.muted } },
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
      axisPointer: { type: 'line', animation: false },
      formatter: tooltipFormatter as never, // ECharts' formatter union is wider than we need
    },
    dataZoom: [
      { type: 'inside', xAxisIndex: axisIndices, zoomOnMouseWheel: 'shift' },
      {
        type: 'slider',
        xAxisIndex: axisIndices,
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
    })),
  };
}

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
        showSymbol: true,
        symbol: 'circle',
        symbolSize: 6,
        itemStyle: { color, borderColor: palette.surface, borderWidth: 1 },
        lineStyle: { width: 1.5 },
      };
  }
}

function formatStep(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : formatValue(value);
}

interface TooltipParam {
  seriesId?: string;
  seriesName?: string;
  marker?: unknown;
  value?: unknown;
  axisValue?: unknown;
}

/** Exact values per series, with the step of the nearest point when it differs (evaluations). */
export function tooltipFormatter(params: TooltipParam | TooltipParam[]): string {
  const list = Array.isArray(params) ? params : [params];
  if (list.length === 0) return '';
  const axisStep = Number(list[0].axisValue ?? (list[0].value as Point | undefined)?.[0]);
  const rows = list
    .map((p) => {
      const point = p.value as Point | undefined;
      if (!point || !Number.isFinite(point[1])) return '';
      const style = SERIES.find((s) => s.id === p.seriesId);
      const isAccuracy = style?.axis === 1;
      const quantity = isAccuracy ? 'accuracy' : 'loss';
      const shown = isAccuracy ? `${formatValue(point[1] * 100)}%` : formatValue(point[1]);
      const at =
        point[0] !== axisStep ? ` <span class="tt-at">@${formatStep(point[0])}</span>` : '';
      const marker = typeof p.marker === 'string' ? p.marker : '';
      return (
        `<div class="tt-row">${marker}<span class="tt-name">${escapeHtml(p.seriesName ?? '')} ${quantity}</span>` +
        `<b class="tt-value">${shown}</b>${at}</div>`
      );
    })
    .join('');
  return `<div class="tt-head">step ${formatStep(axisStep)}</div>${rows}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
