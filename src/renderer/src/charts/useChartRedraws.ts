// A chart's place in the page's redraw queue (flushQueue.ts: one chart per frame, spaced by
// their cost), shared by ChartBox and the performance panel: any number of `schedule` calls
// before the chart's turn cost one redraw; a chart without data draws at the next turn; a
// pointer over the chart holds the other redraws; the debug hook sees redraws and their cost.
import { onMounted, onUnmounted } from 'vue';
import { registerChartDebug, summarizeSeries, type ChartSummary } from '../debug';
import { chartFlushQueue } from './flushQueue';

export interface ChartRedrawOptions {
  /** Debug-hook name (read when the component mounts). */
  name: () => string;
  /** The chart instance's current option, or undefined before it exists. */
  getOption: () => unknown;
  /** Redraws the chart; called only while the chart instance exists. */
  draw: () => void;
  /** True while the chart has no data yet: its next redraw is urgent. */
  isEmpty: () => boolean;
  /** The debug hook's series (default: those of the chart's option). */
  debugSeries?: () => ChartSummary['series'];
  /** Whether the chart instance exists (a redraw before it does is counted, then skipped). */
  ready: () => boolean;
}

export function useChartRedraws(o: ChartRedrawOptions) {
  /** Redraws done and the duration of the last one (ms), for the debug hook. */
  let flushes = 0;
  let lastFlushMs = 0;
  function flush(): void {
    flushes += 1;
    if (!o.ready()) return;
    const started = performance.now();
    o.draw();
    lastFlushMs = performance.now() - started;
  }

  /** Asks for a redraw; `urgent` (a new session, a changed setting) takes the next turn. */
  const schedule = (urgent = false): void =>
    chartFlushQueue.schedule(flush, { urgent: urgent || o.isEmpty() });
  /** Pointer over the chart: hold other redraws until it rests (see flushQueue.ts). */
  const onPointer = (): void => chartFlushQueue.interacting();

  let unregister: () => void = () => {};
  onMounted(() => {
    unregister = registerChartDebug(o.name(), () => ({
      series: o.debugSeries ? o.debugSeries() : summarizeSeries(o.getOption()),
      flushes,
      pending: chartFlushQueue.isPending(flush),
      lastFlushMs,
    }));
    schedule(true);
  });
  onUnmounted(() => {
    unregister();
    chartFlushQueue.cancel(flush);
  });

  return { schedule, onPointer };
}
