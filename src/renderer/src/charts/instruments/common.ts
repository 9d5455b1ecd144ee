// What the instrument panels' charts share beyond charts/curvature/base.ts: over-step lines read
// straight from the session's columns, dashed reference lines, and bars over given bin edges.
import type { ChartPalette } from '../palette';
import { PointBuffer } from '../pointBuffer';
import { binLabel } from '../histogram';
import { formatValue } from '../format';
import { usable } from '../curvature/base';

/** (x, y) pairs of two columns, leaving out what the axis cannot show (NaN; ≤ 0 on log). */
export function columnPoints(
  xs: readonly number[],
  ys: readonly number[],
  logY: boolean,
): PointBuffer {
  const out = new PointBuffer(Math.max(1, xs.length));
  for (let i = 0; i < xs.length; i++) if (usable(ys[i], logY)) out.push(xs[i], ys[i]);
  return out;
}

export interface Reference {
  /** Horizontal line at this y … */
  y?: number;
  /** … or vertical line at this x. */
  x?: number;
  label: string;
}

/** Dashed reference lines (a series' markLine), labelled at their end; not interactive. */
export function referenceLines(references: Reference[], palette: ChartPalette) {
  return {
    silent: true,
    symbol: 'none',
    animation: false,
    lineStyle: { type: 'dashed' as const, color: palette.muted, width: 1.2 },
    label: {
      position: 'insideEndTop' as const,
      color: palette.muted,
      fontSize: 10.5,
      formatter: (p: { name?: string }) => p.name ?? '',
    },
    data: references.map((r) =>
      r.y !== undefined ? { yAxis: r.y, name: r.label } : { xAxis: r.x, name: r.label },
    ),
  };
}

/** Category labels of bins over ascending edges (bins = edges.length - 1). */
export function binLabels(edges: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < edges.length; i++) out.push(binLabel(edges[i], edges[i + 1]));
  return out;
}

/** Tooltip of one bar of a histogram: its range and count. */
export function barTooltip(unit: string) {
  return (p: { name?: string; value?: unknown }): string => {
    const v = Array.isArray(p.value) ? Number(p.value[1]) : Number(p.value);
    return `<div>${p.name ?? ''}</div><div>${unit}: <b>${Number.isNaN(v) ? 0 : formatValue(v)}</b></div>`;
  };
}
