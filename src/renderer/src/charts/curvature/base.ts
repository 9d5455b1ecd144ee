// What the curvature-era panels' charts share: axes (log axes drop what they cannot show), the
// base option (grid, legend, tooltip, zoom), and line, scatter and bar series. Scatter points
// carry [x, y, k, group] so a click names the direction to inspect.
import type { ChartOption } from '../echarts';
import type { ChartPalette } from '../palette';
import { formatValue } from '../format';
import { PointBuffer } from '../pointBuffer';

export type Pt = [number, number, number?, number?];

export interface AxisSpec {
  name: string;
  log?: boolean;
  category?: string[];
}

/** Distinct hues for series that are not train/eval (top-k ranks, SNR kinds, …). */
export const SERIES_COLORS = ['#3b6fe0', '#e07a1f', '#2aa876', '#c2418f', '#8a6de0', '#b59b1b'];

export const usable = (v: number, log: boolean | undefined): boolean =>
  Number.isFinite(v) && (!log || v > 0);

function axis(spec: AxisSpec, palette: ChartPalette, which: 'x' | 'y') {
  return {
    type: spec.category ? ('category' as const) : spec.log ? ('log' as const) : ('value' as const),
    data: spec.category,
    name: spec.name,
    nameLocation: which === 'x' ? ('middle' as const) : ('end' as const),
    nameGap: which === 'x' ? 26 : 8,
    scale: !spec.category,
    axisLine: { lineStyle: { color: palette.axis } },
    axisTick: { lineStyle: { color: palette.axis } },
    axisLabel: {
      color: palette.muted,
      fontSize: 10.5,
      hideOverlap: true,
      ...(spec.category ? {} : { formatter: (v: number) => formatValue(v) }),
    },
    splitLine: { show: which === 'y', lineStyle: { color: palette.grid } },
    nameTextStyle: { color: palette.muted, fontSize: 11, align: which === 'y' ? 'left' : 'center' },
  };
}

/** Axes, tooltip and zoom shared by every chart; `series` is filled in by the builders. */
export function baseOption(
  x: AxisSpec,
  y: AxisSpec,
  palette: ChartPalette,
  options: { trigger?: 'item' | 'axis'; legend?: boolean; zoomY?: boolean } = {},
): ChartOption {
  const trigger = options.trigger ?? 'item';
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { color: palette.text, fontFamily: 'inherit' },
    // Fixed margins: no measuring of axis labels against the container on every redraw.
    grid: {
      left: 56,
      right: 16,
      top: options.legend ? 46 : 28,
      bottom: 40,
      outerBoundsMode: 'none',
    },
    // One builder for value, log and category axes: ECharts types them as a discriminated union.
    xAxis: axis(x, palette, 'x') as never,
    yAxis: axis(y, palette, 'y') as never,
    legend: options.legend
      ? {
          // Above the y-axis name, left of the export buttons.
          top: 2,
          left: 50,
          right: 96,
          itemWidth: 14,
          itemHeight: 8,
          textStyle: { color: palette.muted, fontSize: 11 },
          // Markers at full strength even when the first series is an old, faded step.
          itemStyle: { opacity: 1 },
        }
      : undefined,
    tooltip: {
      trigger,
      confine: true,
      backgroundColor: palette.surface,
      borderColor: palette.border,
      textStyle: { color: palette.text, fontSize: 12 },
      transitionDuration: 0,
      // The pointer on a canvas of its own: moving it does not repaint the series.
      axisPointer: { zlevel: 1 },
      ...(trigger === 'item'
        ? { formatter: itemTooltip(x.name, y.name) as never }
        : { valueFormatter: ((v: number) => formatValue(Number(v))) as never }),
    },
    dataZoom: [
      // At most ten zoom redraws a second (ECharts' default without animation is fifty).
      {
        type: 'inside',
        xAxisIndex: 0,
        zoomOnMouseWheel: 'shift',
        filterMode: 'none',
        throttle: 100,
      },
      ...(options.zoomY
        ? [
            {
              type: 'inside' as const,
              yAxisIndex: 0,
              zoomOnMouseWheel: 'alt' as const,
              filterMode: 'none' as const,
              throttle: 100,
            },
          ]
        : []),
    ],
    series: [],
  };
}

/** Exact values of the hovered point, with its direction when it has one. */
function itemTooltip(xName: string, yName: string) {
  return (p: { value?: unknown; seriesName?: string; name?: string }): string => {
    const v = p.value;
    if (!Array.isArray(v)) return `${p.name ?? ''}: <b>${formatValue(Number(v))}</b>`;
    const [xv, yv, k, g] = v as Pt;
    const xs = typeof xv === 'number' ? formatValue(xv) : String(xv);
    const dir = k === undefined ? '' : `<div>direction k = ${k}${g ? `, group ${g}` : ''}</div>`;
    return (
      `<div class="tt-head">${p.seriesName ?? ''}</div>${dir}` +
      `<div>${xName}: <b>${xs}</b></div><div>${yName}: <b>${formatValue(Number(yv))}</b></div>`
    );
  };
}

/** Over-time lines hold one point per step: a flat typed array (x0, y0, x1, y1, …) that ECharts
 *  copies in one go (see pointBuffer.ts), not one small array per point. */
export function line(
  id: string,
  name: string,
  points: PointBuffer | Pt[],
  color: string,
  extra: object = {},
) {
  const data = Array.isArray(points) ? toBuffer(points) : points;
  return {
    id,
    name,
    type: 'line' as const,
    // ECharts reads a flat typed array as consecutive (x, y) pairs; its types omit this form.
    data: data.view() as never,
    dimensions: ['x', 'y'],
    color,
    showSymbol: data.length < 60,
    symbolSize: 5,
    sampling: 'lttb' as const,
    lineStyle: { width: 1.6 },
    emphasis: { disabled: true },
    ...extra,
  };
}

function toBuffer(points: readonly Pt[]): PointBuffer {
  const out = new PointBuffer(Math.max(1, points.length));
  for (const p of points) out.push(p[0], p[1]);
  return out;
}

export function scatter(id: string, name: string, data: Pt[], color: string, opacity = 0.8) {
  return {
    id,
    name,
    type: 'scatter' as const,
    data: data as never,
    color,
    symbolSize: 5,
    itemStyle: { opacity },
    large: data.length > 2000,
    largeThreshold: 2000,
  };
}

export function bars(id: string, name: string, data: [string, number][], color: string) {
  return {
    id,
    name,
    type: 'bar' as const,
    data: data as never,
    color,
    barCategoryGap: '8%',
  };
}

/**
 * Per-record derived numbers, computed once: records never change after they arrive, and
 * redrawing 10,000 steps of history must not redo a sort per step on every frame.
 */
export function memo<R extends object, T>(compute: (record: R) => T): (record: R) => T {
  const cache = new WeakMap<R, T>();
  return (record) => {
    let value = cache.get(record);
    if (value === undefined && !cache.has(record)) {
      value = compute(record);
      cache.set(record, value);
    }
    return value as T;
  };
}
