// `window.__vivitDebug`: a read-only view of what the charts hold (taken from the ECharts
// instances themselves), used by the browser tests and handy in bug reports.

export interface SeriesSummary {
  id: string;
  name: string;
  length: number;
  first?: [number, number];
  last?: [number, number];
}

export interface ChartSummary {
  series: SeriesSummary[];
  /** How many times the chart was redrawn with new data (coalesced per frame). */
  flushes: number;
  /** A redraw is scheduled: `series` lags behind the stores until it runs. */
  pending: boolean;
  /** How long the last of those redraws took, in milliseconds. */
  lastFlushMs: number;
}

export interface VivitDebug {
  charts(): Record<string, ChartSummary>;
}

const charts = new Map<string, () => ChartSummary>();

export function registerChartDebug(name: string, summary: () => ChartSummary): () => void {
  charts.set(name, summary);
  return () => {
    if (charts.get(name) === summary) charts.delete(name);
  };
}

export function installDebugHook(win: Window = window): void {
  win.__vivitDebug = {
    charts: () => Object.fromEntries([...charts].map(([name, summary]) => [name, summary()])),
  };
}

/** Summaries of the `series` of an ECharts option as returned by `getOption()`. */
export function summarizeSeries(option: unknown): SeriesSummary[] {
  const series = (option as { series?: unknown[] } | undefined)?.series ?? [];
  return series.map((raw) => {
    const s = raw as { id?: unknown; name?: unknown; data?: unknown };
    const points = toPoints(s.data);
    return {
      id: String(s.id ?? ''),
      name: String(s.name ?? ''),
      length: points.length,
      first: points.length ? points.at(0) : undefined,
      last: points.length ? points.at(-1) : undefined,
    };
  });
}

/** Reads series data given as [x, y] pairs or as a flat typed array x0, y0, x1, y1, …. */
function toPoints(data: unknown): { length: number; at(i: number): [number, number] } {
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const flat = data as unknown as ArrayLike<number>;
    const length = Math.floor(flat.length / 2);
    return {
      length,
      at: (i) => {
        const k = i < 0 ? length + i : i;
        return [flat[2 * k], flat[2 * k + 1]];
      },
    };
  }
  const pairs = Array.isArray(data) ? (data as [number, number][]) : [];
  return { length: pairs.length, at: (i) => [pairs.at(i)![0], pairs.at(i)![1]] };
}
