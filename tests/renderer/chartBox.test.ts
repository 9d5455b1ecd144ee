// @vitest-environment happy-dom
// ChartBox sends each new option as a merge that replaces the series while the option's shape
// (axis kinds, legend, zooms) stays the same, and as a full replace when it changes.
// ECharts needs a real canvas, which happy-dom lacks: the chart is the recording stub.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, h, nextTick, ref, type App } from 'vue';
import { chartCalls, driveChartQueue } from './chartStub';
import ChartBox from '../../src/renderer/src/components/ChartBox.vue';
import { installDebugHook } from '../../src/renderer/src/debug';
import { snrAgainstLambdaOption } from '../../src/renderer/src/charts/curvature/noise';
import type { ChartPalette } from '../../src/renderer/src/charts/palette';
import type { CurvatureRecord } from '../../src/protocol/records';
import { curvatureRecord } from './curvatureFixtures';

vi.mock('vue-echarts', async () => ({ default: (await import('./chartStub')).VChartStub }));

const palette = new Proxy({}, { get: () => '#123456' }) as ChartPalette;
let frames: (() => void)[] = [];
let app: App | undefined;
let root: HTMLElement;

function runFrames(): void {
  for (let i = 0; i < 20 && frames.length; i++) {
    const run = frames;
    frames = [];
    run.forEach((cb) => cb());
  }
}

beforeEach(() => {
  frames = [];
  chartCalls.length = 0;
  driveChartQueue((frame) => frames.push(frame));
  root = document.createElement('div');
  document.body.append(root);
  installDebugHook(window);
});

afterEach(() => {
  app?.unmount();
  root.remove();
});

describe('chart box', () => {
  it('merges options of the same shape, replacing their series, and replaces the rest', async () => {
    const records = ref<CurvatureRecord[]>([curvatureRecord(0)]);
    const log = ref(true);
    app = createApp({
      render: () =>
        h(ChartBox, {
          name: 'snr',
          build: () => snrAgainstLambdaOption(records.value, palette, log.value, 2),
          trigger: [records.value, log.value],
          emptyTitle: 'empty',
        }),
    });
    app.mount(root);
    runFrames();
    expect(chartCalls.at(-1)!.opts).toEqual({ notMerge: true }); // the first draw

    records.value = [curvatureRecord(0), curvatureRecord(10), curvatureRecord(20)];
    await nextTick();
    runFrames();
    expect(chartCalls.at(-1)!.opts).toEqual({ replaceMerge: ['series'] });
    // Only the two newest steps are drawn: the oldest step's series is gone, not merged in.
    const ids = window.__vivitDebug!.charts().snr.series.map((s) => s.id);
    expect(ids).toEqual(['snrLambda-10', 'snrGamma-10', 'snrLambda-20', 'snrGamma-20']);
    expect(window.__vivitDebug!.charts().snr.pending).toBe(false);

    log.value = false; // linear axes: another shape
    await nextTick();
    expect(window.__vivitDebug!.charts().snr.pending).toBe(true);
    runFrames();
    expect(chartCalls.at(-1)!.opts).toEqual({ notMerge: true });
  });
});
