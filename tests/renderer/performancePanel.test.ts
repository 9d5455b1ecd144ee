// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, nextTick, type App } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import { chartCalls, driveChartQueue } from './chartStub';
import PerformancePanel from '../../src/renderer/src/components/PerformancePanel.vue';
import { applyHostEvent } from '../../src/renderer/src/stores/dispatch';
import { installDebugHook } from '../../src/renderer/src/debug';
import { evalRecord, header, steps } from './fixtures';

vi.mock('vue-echarts', async () => ({ default: (await import('./chartStub')).VChartStub }));

let frames: FrameRequestCallback[] = [];
function runFrame(): void {
  const run = frames;
  frames = [];
  run.forEach((cb) => cb(performance.now()));
}

let app: App | undefined;
let root: HTMLElement;

beforeEach(() => {
  frames = [];
  chartCalls.length = 0;
  vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
  vi.stubGlobal('cancelAnimationFrame', () => {});
  driveChartQueue((frame) => frames.push(frame));
  const pinia = createPinia();
  setActivePinia(pinia);
  root = document.createElement('div');
  document.body.append(root);
  app = createApp(PerformancePanel);
  app.use(pinia);
  app.mount(root);
  installDebugHook(window);
});

afterEach(() => {
  app?.unmount();
  root.remove();
  vi.unstubAllGlobals();
});

describe('performance panel', () => {
  it('says what to do when nothing is loaded', () => {
    expect(root.querySelector('[data-testid=performance-empty]')?.textContent).toContain(
      'Load a definition and press Start',
    );
  });

  it('coalesces many record batches into one chart update per frame', async () => {
    runFrame();
    const afterMount = chartCalls.length;
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    for (let s = 1; s <= 50; s++) applyHostEvent({ kind: 'records', records: steps(s, s) });
    await nextTick();
    expect(chartCalls.length).toBe(afterMount); // nothing drawn between frames
    expect(frames.length).toBe(1); // one frame requested for all 51 events
    runFrame();
    expect(chartCalls.length).toBe(afterMount + 1);
    const first = chartCalls[chartCalls.length - 1];
    expect(first.opts?.notMerge).toBe(true); // a new session starts from a clean chart
    expect(first.option.series?.find((s) => s.id === 'trainLoss')?.data?.length).toBe(2 * 50);

    for (let s = 51; s <= 80; s++) applyHostEvent({ kind: 'records', records: steps(s, s) });
    applyHostEvent({ kind: 'records', records: [evalRecord(80)] });
    await nextTick();
    runFrame();
    runFrame();
    expect(chartCalls.length).toBe(afterMount + 2);
    const patch = chartCalls[chartCalls.length - 1];
    expect(patch.opts?.notMerge).toBeFalsy(); // appended: a data-only merge
    expect(patch.option.series?.map((s) => s.id)).toEqual([
      'trainLoss',
      'trainLossSmooth',
      'evalLoss',
      'trainAccuracy',
      'trainAccuracySmooth',
      'evalAccuracy',
    ]);

    const summary = window.__vivitDebug!.charts().performance;
    const trainLoss = summary.series.find((s) => s.id === 'trainLoss')!;
    expect(trainLoss.length).toBe(80);
    expect(trainLoss.first).toEqual([1, 2]);
    expect(trainLoss.last).toEqual([80, 2 / 80]);
    expect(summary.series.find((s) => s.id === 'evalLoss')!.length).toBe(1);
    await nextTick();
    expect(root.querySelector('[data-testid=performance-empty]')).toBeNull();
    expect(root.querySelector('[data-testid=readout-loss]')?.textContent).toBe('0.025');
  });

  it('changing the smoothing redraws the smoothed series without resetting the chart', async () => {
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    applyHostEvent({ kind: 'records', records: steps(1, 10) });
    await nextTick();
    runFrame();
    const before = chartCalls.length;
    const slider = root.querySelector<HTMLInputElement>('[data-testid=smoothing]')!;
    slider.value = '0';
    slider.dispatchEvent(new Event('input'));
    await nextTick();
    runFrame();
    expect(chartCalls.length).toBe(before + 1);
    const call = chartCalls[chartCalls.length - 1];
    expect(call.opts?.notMerge).toBe(false); // zoom and legend survive
    const raw = call.option.series?.find((s) => s.id === 'trainLoss')?.data;
    const smooth = call.option.series?.find((s) => s.id === 'trainLossSmooth')?.data;
    expect(raw?.length).toBe(2 * 10);
    expect(Array.from(smooth ?? [])).toEqual(Array.from(raw ?? [])); // weight 0 = no smoothing
  });
});
