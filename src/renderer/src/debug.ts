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
    const data = Array.isArray(s.data) ? (s.data as [number, number][]) : [];
    return {
      id: String(s.id ?? ''),
      name: String(s.name ?? ''),
      length: data.length,
      first: data[0] ? [data[0][0], data[0][1]] : undefined,
      last: data.length ? [data[data.length - 1][0], data[data.length - 1][1]] : undefined,
    };
  });
}
