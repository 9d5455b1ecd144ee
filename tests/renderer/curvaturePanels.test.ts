// @vitest-environment happy-dom
// The curvature-era stores and panels, driven by host events as in the app. ECharts needs a
// real canvas, which happy-dom lacks: the chart is the recording stub (chartStub.ts); the
// browser test (tests/e2e/dashboards.test.ts) drives the real one.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, defineComponent, h, nextTick, type App, type Component } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import SpectrumPanel from '../../src/renderer/src/panels/SpectrumPanel.vue';
import OverlapPanel from '../../src/renderer/src/panels/OverlapPanel.vue';
import NoisePanel from '../../src/renderer/src/panels/NoisePanel.vue';
import DampingPanel from '../../src/renderer/src/panels/DampingPanel.vue';
import GradientNormPanel from '../../src/renderer/src/panels/GradientNormPanel.vue';
import InspectorPanel from '../../src/renderer/src/panels/InspectorPanel.vue';
import { ACTIONS_KEY, type AppActions } from '../../src/renderer/src/actions';
import { applyHostEvent } from '../../src/renderer/src/stores/dispatch';
import { useSessionStore } from '../../src/renderer/src/stores/session';
import { installDebugHook } from '../../src/renderer/src/debug';
import { chartFlushQueue } from '../../src/renderer/src/charts/flushQueue';
import { relativeDampingStats, updateSize } from '../../src/renderer/src/charts/curvature/damping';
import { dominantSamples } from '../../src/renderer/src/charts/curvature/inspector';
import { topEigenvalues } from '../../src/renderer/src/charts/curvature/spectrum';
import { header, steps } from './fixtures';
import { curvatureRecord, dampingRecord, inspectRecord } from './curvatureFixtures';

vi.mock('vue-echarts', async () => ({ default: (await import('./chartStub')).VChartStub }));

let frames: FrameRequestCallback[] = [];
/** Runs frames until none is requested: the charts redraw one per frame (flushQueue.ts). */
function runFrames(): void {
  for (let i = 0; i < 100 && frames.length > 0; i++) {
    const run = frames;
    frames = [];
    run.forEach((cb) => cb(performance.now()));
  }
}

let app: App | undefined;
let root: HTMLElement;
let inspected: string[] = [];

function mount(component: Component): void {
  const actions: AppActions = {
    command: () => {},
    loadExample: () => {},
    loadDefinitionFile: async () => {},
    openLogFile: async () => {},
    saveLog: async () => {},
    inspect: (g, k) => void inspected.push(`${g}:${k}`),
  };
  app = createApp(defineComponent({ render: () => h(component) }));
  app.use(createPinia());
  app.provide(ACTIONS_KEY, actions);
  app.mount(root);
  setActivePinia(app.config.globalProperties.$pinia);
}

const charts = () => window.__vivitDebug!.charts();
const seriesOf = (name: string) => charts()[name]?.series ?? [];

beforeEach(() => {
  frames = [];
  inspected = [];
  vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
  vi.stubGlobal('cancelAnimationFrame', () => {});
  // Charts redraw one per frame, each waiting out the previous one's cost: a clock that moves
  // a second per reading lets every frame draw.
  let now = 0;
  chartFlushQueue.reset({
    request: (cb) => frames.push(cb),
    cancel: () => {},
    now: () => (now += 1000),
  });
  root = document.createElement('div');
  document.body.append(root);
  installDebugHook(window);
});

afterEach(() => {
  app?.unmount();
  root.remove();
  vi.unstubAllGlobals();
});

describe('session store: curvature, damping and inspect records', () => {
  it('keeps them in order from live batches and from a replayed snapshot alike', () => {
    setActivePinia(createPinia());
    const session = useSessionStore();
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    applyHostEvent({ kind: 'records', records: [curvatureRecord(0), ...steps(1, 5)] });
    applyHostEvent({
      kind: 'records',
      records: [dampingRecord(5), curvatureRecord(5), inspectRecord(5)],
    });
    const live = session.columns;
    expect(live.curvature.map((r) => r.step)).toEqual([0, 5]);
    expect(live.damping.map((r) => r.step)).toEqual([5]);
    expect(live.inspections).toHaveLength(1);
    expect(live.steps.step).toHaveLength(5);

    applyHostEvent({
      kind: 'snapshot',
      examples: [],
      header: header(),
      records: [
        curvatureRecord(0),
        ...steps(1, 5),
        dampingRecord(5),
        curvatureRecord(5),
        inspectRecord(5),
      ],
      state: 'finished',
      step: 5,
      source: 'replay',
    });
    expect(session.columns).not.toBe(live);
    expect(session.columns.curvature).toEqual(live.curvature);
    expect(session.columns.damping).toEqual(live.damping);
    expect(session.columns.inspections).toEqual(live.inspections);

    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    expect(session.columns.curvature).toHaveLength(0);
  });
});

describe('derived numbers', () => {
  it('update size, relative damping and the top eigenvalues', () => {
    expect(updateSize(dampingRecord(1))).toBeCloseTo(0.5, 15); // √(0.3² + 0.4²)
    // δ/λ̄ = 0.1, 0.5, ∞ (dropped): median of [0.1, 0.5] = 0.3.
    const [median, min, max] = relativeDampingStats(dampingRecord(1))!;
    expect(median).toBeCloseTo(0.3, 15);
    expect(min).toBeCloseTo(0.1, 15);
    expect(max).toBeCloseTo(0.5, 15);
    const r = curvatureRecord(0);
    r.groups.push({ ...r.groups[0], name: 'second', eigenvalues: Float64Array.of(50, 0.5) });
    expect(topEigenvalues(r, 3)).toEqual([50, 10, 1]);
    expect(dominantSamples(inspectRecord(1), 2).map((s) => s.index)).toEqual([11, 13]);
  });
});

describe('panel empty states', () => {
  it('names the missing curvature section of the definition', async () => {
    mount(SpectrumPanel);
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    await nextTick();
    runFrames();
    await nextTick();
    const text = root.querySelector('[data-testid=empty-spectrum-histogram]')?.textContent;
    expect(text).toContain('No curvature records yet — add a `curvature` section');
    expect(seriesOf('spectrum-histogram')).toEqual([]);
  });

  it('says which quantity a run did not record', async () => {
    mount(NoisePanel);
    applyHostEvent({ kind: 'session', header: header(), source: 'replay' });
    const record = curvatureRecord(0);
    record.groups[0].snrGamma = new Float64Array(0);
    record.groups[0].snrLambda = new Float64Array(0);
    applyHostEvent({ kind: 'records', records: [record] });
    await nextTick();
    runFrames();
    await nextTick();
    expect(root.querySelector('[data-testid=empty-noise-snr]')?.textContent).toContain(
      'does not record `snr`',
    );
  });

  it('damping explains the optimizer it needs', async () => {
    mount(DampingPanel);
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    await nextTick();
    expect(root.querySelector('[data-testid=empty-damping]')?.textContent).toContain(
      '`optimizer.type: damped_newton`',
    );
  });
});

describe('panels with records', () => {
  async function feed(component: Component): Promise<void> {
    mount(component);
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    for (let s = 0; s <= 20; s += 5) {
      applyHostEvent({ kind: 'records', records: [curvatureRecord(s), dampingRecord(s + 1)] });
    }
    await nextTick();
    runFrames();
    await nextTick();
  }

  it('spectrum: histogram of the latest step, top-k and K over time, one flush per frame', async () => {
    await feed(SpectrumPanel);
    const hist = seriesOf('spectrum-histogram');
    expect(hist).toHaveLength(1);
    expect(hist[0].name).toBe('step 20');
    expect(hist[0].length).toBe(40);
    const top = seriesOf('spectrum-topk');
    expect(top.map((s) => s.id)).toEqual(['top1', 'top2', 'top3', 'top4']);
    expect(top[0].length).toBe(5);
    expect(top[0].last).toEqual([20, 10 * 1.2]);
    expect(seriesOf('spectrum-count')[0].last).toEqual([20, 4]);
    expect(charts()['spectrum-histogram'].flushes).toBe(1);
    expect(root.querySelector('[data-testid=empty-spectrum-histogram]')).toBeNull();
  });

  it('overlap: flat remainder bar first, 49 curvature bins, remainder over time', async () => {
    await feed(OverlapPanel);
    const [bars] = seriesOf('overlap-histogram');
    expect(bars.length).toBe(50);
    const remainder = seriesOf('overlap-remainder')[0];
    expect(remainder.length).toBe(5);
    const g = curvatureRecord(20).groups[0];
    expect(remainder.last).toEqual([20, g.flatRemainder]);
  });

  it('noise: SNR scatter per recent step, points carry their direction', async () => {
    await feed(NoisePanel);
    const snr = seriesOf('noise-snr');
    expect(snr.map((s) => s.id)).toContain('snrLambda-20');
    expect(snr.find((s) => s.id === 'snrLambda-20')!.first).toEqual([10 * 1.2, 5]);
    expect(seriesOf('noise-snr-pair').length).toBe(5);
    expect(seriesOf('noise-gamma-lambda').at(-1)!.length).toBe(4);
  });

  it('damping and gradient norm', async () => {
    await feed(DampingPanel);
    expect(seriesOf('damping-scatter')[0].length).toBe(2); // δ = ∞ is not drawn
    expect(seriesOf('damping-relative').map((s) => s.id)).toEqual([
      'relMedian',
      'relMin',
      'relMax',
    ]);
    expect(seriesOf('damping-loss-change')[1].last).toEqual([21, -0.08]);
    app!.unmount();
    root.innerHTML = '';
    await feed(GradientNormPanel);
    const norms = seriesOf('gradient-norm');
    expect(norms[0].last).toEqual([20, 1 / 21]);
    expect(norms[1].length).toBe(5);
  });
});

describe('inspector', () => {
  it('asks for a direction only while paused and shows the answer', async () => {
    mount(InspectorPanel);
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    applyHostEvent({ kind: 'records', records: [curvatureRecord(5)] });
    applyHostEvent({ kind: 'state', state: 'running', step: 5 });
    await nextTick();
    const rows = () => root.querySelectorAll('[data-testid=direction-table] tbody tr');
    expect(rows()).toHaveLength(4);
    (rows()[1] as HTMLElement).click();
    expect(inspected).toEqual([]); // running: not sent

    applyHostEvent({ kind: 'state', state: 'paused', step: 5 });
    await nextTick();
    (rows()[1] as HTMLElement).click();
    expect(inspected).toEqual(['0:1']);

    applyHostEvent({ kind: 'records', records: [inspectRecord(5, 1)] });
    await nextTick();
    runFrames();
    await nextTick();
    expect(root.querySelector('[data-testid=inspection-title]')?.textContent).toContain('k = 1');
    expect(seriesOf('inspect-slice').map((s) => s.length)).toEqual([3, 3]);
    expect(seriesOf('inspect-gamma')[0].length).toBe(30);
    expect(seriesOf('inspect-layers')[0].length).toBe(2);
    const samples = root.querySelectorAll('[data-testid=dominant-samples] tbody tr');
    expect(samples[0].textContent).toContain('#11');
    const curvatureSamples = root.querySelectorAll('[data-testid=curvature-samples] tbody tr');
    expect(curvatureSamples[0].textContent).toContain('#13'); // λ_nk = 4, the largest
    expect(root.querySelectorAll('[data-testid=dominant-samples] canvas')).toHaveLength(0);

    // Image data: the samples that have a picture in the record show it.
    const withImages = inspectRecord(6, 1);
    withImages.images = {
      width: 2,
      height: 2,
      channels: 1,
      positions: [1, 3], // samples #11 and #13
      pixels: Uint8Array.of(0, 64, 128, 255, 255, 128, 64, 0),
    };
    applyHostEvent({ kind: 'records', records: [withImages] });
    await nextTick();
    const pictures = root.querySelectorAll('[data-testid=dominant-samples] canvas');
    expect([...pictures].map((c) => c.getAttribute('aria-label'))).toEqual([
      'training sample #11',
      'training sample #13',
    ]);
  });
});
