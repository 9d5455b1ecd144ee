// Stand-in for vue-echarts' VChart: ECharts needs a real canvas, which happy-dom lacks (the
// browser e2e test drives the real chart). It records every setOption call and keeps the
// merged series data so getOption() answers like ECharts does for what the panel uses.
import { defineComponent, h } from 'vue';
import { chartFlushQueue } from '../../src/renderer/src/charts/flushQueue';

/**
 * Drives the page's shared chart queue (flushQueue.ts) by hand: `push` receives each frame and
 * the test runs them; ten seconds pass per frame and redraws cost nothing, so every frame may
 * draw.
 */
export function driveChartQueue(push: (frame: () => void) => number): void {
  let now = 0;
  chartFlushQueue.reset({
    request: (cb) =>
      push(() => {
        now += 10_000;
        cb();
      }),
    cancel: () => {},
    now: () => now,
  });
}

export interface SetOptionCall {
  option: { series?: { id: string; data?: ArrayLike<number> }[] };
  opts?: { notMerge?: boolean; replaceMerge?: string[] };
}

export const chartCalls: SetOptionCall[] = [];

export const VChartStub = defineComponent({
  name: 'VChartStub',
  props: {
    option: { type: Object, default: () => ({}) },
    initOptions: { type: Object, default: () => ({}) },
    manualUpdate: Boolean,
    autoresize: Boolean,
  },
  setup(props, { expose }) {
    let series = new Map<string, { id: string; name?: string; data: ArrayLike<number> }>();
    // notMerge replaces the whole option, replaceMerge ['series'] the series: either way,
    // series missing from the new option are gone.
    const apply = (option: SetOptionCall['option'], replace: boolean): void => {
      if (replace) series = new Map();
      for (const s of option.series ?? []) {
        const prev = series.get(s.id);
        series.set(s.id, { ...prev, ...s, data: s.data ?? prev?.data ?? [] });
      }
    };
    apply(props.option as SetOptionCall['option'], true);
    expose({
      setOption(option: SetOptionCall['option'], opts?: SetOptionCall['opts']) {
        chartCalls.push({ option, opts });
        apply(option, opts?.notMerge === true || opts?.replaceMerge?.includes('series') === true);
      },
      getOption: () => ({ series: [...series.values()] }),
    });
    return () => h('div', { class: 'chart-stub' });
  },
});
