// @vitest-environment happy-dom
// A second log opened for comparison: parsed in the page with the real log codec, overlaid as
// a dashed series on the performance chart; the session itself is untouched.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, nextTick, type App } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import { chartCalls, driveChartQueue } from './chartStub';
import PerformancePanel from '../../src/renderer/src/components/PerformancePanel.vue';
import { applyHostEvent } from '../../src/renderer/src/stores/dispatch';
import { useComparisonStore } from '../../src/renderer/src/stores/comparison';
import { useSessionStore } from '../../src/renderer/src/stores/session';
import { comparisonLoss } from '../../src/renderer/src/charts/comparisonSeries';
import { encodeRecord } from '../../src/protocol/log-codec';
import { header, steps } from './fixtures';
import { curvatureRecord } from './curvatureFixtures';

vi.mock('vue-echarts', async () => ({ default: (await import('./chartStub')).VChartStub }));

const logText = (name: string, to: number): string =>
  [header(name), ...steps(1, to), curvatureRecord(0)].map((r) => encodeRecord(r)).join('');

let frames: FrameRequestCallback[] = [];
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
});

afterEach(() => {
  app?.unmount();
  root.remove();
  vi.unstubAllGlobals();
});

function runFrames(): void {
  for (let i = 0; i < 10 && frames.length; i++) {
    const run = frames;
    frames = [];
    run.forEach((cb) => cb(performance.now() + 10_000 * (i + 1)));
  }
}

describe('comparison log', () => {
  it('reads a log into its own columns and reports an unreadable file', () => {
    const comparison = useComparisonStore();
    expect(comparison.open(logText('Other run', 7), 'other.jsonl')).toBeUndefined();
    expect(comparison.name).toBe('Other run (other.jsonl)');
    expect(comparison.columns!.steps.step).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(comparison.columns!.curvature).toHaveLength(1);
    expect(useSessionStore().columns.steps.step).toEqual([]); // the session is untouched
    expect(comparison.open('not a log', 'x.jsonl')).toMatch(/^x\.jsonl cannot be compared: /);
    comparison.clear();
    expect(comparison.columns).toBeUndefined();
  });

  it('smooths like the session (weight 0 = raw) and leaves gaps on a log axis', () => {
    const comparison = useComparisonStore();
    comparison.open(logText('Other', 3), 'o.jsonl');
    const raw = comparisonLoss(comparison.columns!, {
      smoothing: 0,
      logStep: false,
      logLoss: false,
    });
    expect(raw.toPairs()).toEqual([
      [1, 2],
      [2, 1],
      [3, 2 / 3],
    ]);
  });

  it('is overlaid on the performance chart as its own series', async () => {
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    applyHostEvent({ kind: 'records', records: steps(1, 20) });
    await nextTick();
    runFrames();
    useComparisonStore().open(logText('Other', 12), 'o.jsonl');
    await nextTick();
    runFrames();
    const last = chartCalls[chartCalls.length - 1];
    const series = last.option.series ?? [];
    expect(series.find((s) => s.id === 'trainLoss')?.data?.length).toBe(2 * 20);
    expect(series.find((s) => s.id === 'comparisonLoss')?.data?.length).toBe(2 * 12);
  });
});
