// What the real ECharts instances in the page hold, read through `window.__vivitDebug`
// (src/renderer/src/debug.ts): points per chart, and series summaries to compare sessions.
import type { Page } from 'playwright-core';

export interface SeriesSummary {
  id: string;
  length: number;
  first?: [number, number];
  last?: [number, number];
}
export interface PageGlobals {
  __vivitDebug?: {
    charts(): Record<string, { series: SeriesSummary[]; lastFlushMs: number; pending: boolean }>;
  };
}

/** Points per chart (summed over its series) as the ECharts instances hold them. */
export async function chartPoints(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const charts = (globalThis as unknown as PageGlobals).__vivitDebug?.charts() ?? {};
    return Object.fromEntries(
      Object.entries(charts).map(([name, c]) => [name, c.series.reduce((n, s) => n + s.length, 0)]),
    );
  });
}

/** Per chart, its series' ids, lengths and first/last points (what "same data" means here);
 *  null while any of them still waits for a redraw and so may show an earlier session. */
export async function seriesSummaries(
  page: Page,
  names: string[],
): Promise<Record<string, SeriesSummary[]> | null> {
  return page.evaluate((wanted) => {
    const charts = (globalThis as unknown as PageGlobals).__vivitDebug?.charts() ?? {};
    if (wanted.some((name) => charts[name]?.pending)) return null;
    return Object.fromEntries(
      wanted
        .filter((name) => charts[name])
        .map((name) => [
          name,
          charts[name].series.map(({ id, length, first, last }) => ({ id, length, first, last })),
        ]),
    );
  }, names);
}
