// What must match for a new chart option to be merged into the one drawn instead of replacing
// it: the kinds of axes, whether there is a legend, the zoom components and the tooltip trigger.
// Merging keeps ECharts' component models (a full replace rebuilds them all); anything else
// that differs is overwritten by the merge, and series are replaced wholesale by the caller.
import type { ChartOption } from './echarts';

type Part = { type?: unknown; trigger?: unknown } | undefined;

const list = (value: unknown): Part[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]) as Part[];

export function optionShape(option: ChartOption): string {
  return JSON.stringify([
    list(option.xAxis).map((a) => a?.type),
    list(option.yAxis).map((a) => a?.type),
    list(option.grid).length,
    option.legend !== undefined,
    list(option.dataZoom).map((z) => z?.type),
    (option.tooltip as Part)?.trigger,
  ]);
}
