// @vitest-environment happy-dom
// The dashboard's panel groups and Cockpit's instrument panels, mounted as the app mounts them
// and driven by host events. ECharts is the recording stub (chartStub.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, nextTick, type App as VueApp } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import App from '../../src/renderer/src/App.vue';
import { ACTIONS_KEY, type AppActions } from '../../src/renderer/src/actions';
import { applyHostEvent } from '../../src/renderer/src/stores/dispatch';
import { useUiStore } from '../../src/renderer/src/stores/ui';
import { installDebugHook } from '../../src/renderer/src/debug';
import { chartFlushQueue } from '../../src/renderer/src/charts/flushQueue';
import {
  GROUP_IDS,
  LAYOUT_KEY,
  defaultLayout,
  loadLayout,
  moved,
  placed,
  useLayoutStore,
} from '../../src/renderer/src/stores/layout';
import type { BodyRecord } from '../../src/protocol/records';
import type { RunDefinition } from '../../src/protocol/definition';
import { header, steps } from './fixtures';
import { curvatureRecord } from './curvatureFixtures';
import { histogramRecord, noiseRecord, stepQualityRecord } from './instrumentFixtures';

vi.mock('vue-echarts', async () => ({ default: (await import('./chartStub')).VChartStub }));

/** Every instrument panel and its charts (debug-hook names). */
const PANELS: Record<string, string[]> = {
  'panel-grad-norm-histogram': ['sample-grad-norms'],
  'panel-gsnr': ['gsnr'],
  'panel-batch-size-tests': ['batch-size-tests', 'batch-size-tests-2d'],
  'panel-alpha': ['alpha', 'alpha-histogram'],
  'panel-distance': ['distance'],
  'panel-cabs': ['cabs'],
  'panel-ggn-trace': ['ggn-trace'],
  'panel-max-eigenvalue': ['max-eigenvalue'],
  'panel-tic': ['tic'],
  'panel-gradient-histogram': ['gradient-histogram'],
  'panel-layer-histogram': ['layer-histogram'],
};

let frames: FrameRequestCallback[] = [];
function runFrames(): void {
  for (let i = 0; i < 200 && frames.length > 0; i++) {
    const run = frames;
    frames = [];
    run.forEach((cb) => cb(performance.now()));
  }
}
async function settle(): Promise<void> {
  await nextTick();
  runFrames();
  await nextTick();
}

let app: VueApp | undefined;
let root: HTMLElement;

function mount(): void {
  const actions: AppActions = {
    command: () => {},
    loadExample: () => {},
    loadDefinitionFile: async () => {},
    openLogFile: async () => {},
    saveLog: async () => {},
    inspect: () => {},
  };
  const pinia = createPinia();
  setActivePinia(pinia);
  app = createApp(App);
  app.use(pinia);
  app.provide(ACTIONS_KEY, actions);
  app.mount(root);
  useUiStore().setConnection({ phase: 'open' });
}

const q = (testid: string) => root.querySelector(`[data-testid="${testid}"]`);
const charts = () => window.__vivitDebug!.charts();
const groupOrder = () =>
  [...root.querySelectorAll('[data-testid^=group-][data-collapsed]')].map((e) =>
    e.getAttribute('data-testid'),
  );

function instrumented(): RunDefinition {
  const definition = header().definition;
  return {
    ...definition,
    batch_size: 128,
    curvature: {
      quantities: ['eigenvalues'],
      schedule: { every: 10 },
      batch: 'fixed',
      samples: 32,
      mc_samples: 1,
      groups: 'whole',
      eig_threshold: 1e-4,
    } as unknown as RunDefinition['curvature'],
    instruments: {
      noise: { schedule: { every: 10 } },
      step: { schedule: { every: 10 } },
      histograms: { schedule: { every: 10 }, gradient_bins: 4, param_bins: 3 },
    },
  };
}

function records(): BodyRecord[] {
  const out: BodyRecord[] = [];
  for (let s = 0; s <= 30; s += 10) {
    const c = curvatureRecord(s);
    c.groups[0].ggnTrace = 20 - s / 10;
    out.push(...(s > 0 ? steps(s - 9, s) : []), c, noiseRecord(s), histogramRecord(s));
    if (s > 0) out.push(stepQualityRecord(s));
  }
  return out;
}

beforeEach(() => {
  frames = [];
  localStorage.clear();
  vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
  vi.stubGlobal('cancelAnimationFrame', () => {});
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
  app = undefined;
  root.remove();
  vi.unstubAllGlobals();
});

describe('instrument panels', () => {
  it('every panel shows data from live records and from the same records replayed', async () => {
    mount();
    const h = { ...header(), definition: instrumented() };
    applyHostEvent({ kind: 'session', header: h, source: 'live' });
    applyHostEvent({ kind: 'state', state: 'running', step: 0 });
    await settle();
    for (const panel of Object.keys(PANELS)) {
      expect(q(panel)?.getAttribute('data-has-data'), panel).toBe('false');
    }
    expect(q('empty-gsnr')?.textContent).toContain('Waiting for the first noise record');
    expect(q('panel-gsnr')?.textContent).toContain('every 10 steps');

    const all = records();
    applyHostEvent({ kind: 'records', records: all.slice(0, 20) });
    applyHostEvent({ kind: 'records', records: all.slice(20) });
    await settle();
    const live: Record<string, unknown> = {};
    for (const [panel, names] of Object.entries(PANELS)) {
      expect(q(panel)?.getAttribute('data-has-data'), panel).toBe('true');
      for (const name of names) {
        expect(q(`chart-${name}`), name).not.toBeNull();
        expect(q(`empty-${name}`), name).toBeNull();
        const series = charts()[name].series;
        expect(
          series.some((s) => s.length > 0),
          name,
        ).toBe(true);
        live[name] = series;
      }
    }
    expect(charts()['batch-size-tests'].series.map((s) => s.length)).toEqual([4, 4, 4]);
    expect(charts()['ggn-trace'].series.map((s) => s.id)).toEqual(['ggnTrace-0', 'ggnTraceMc']);
    expect(charts().cabs.series[0].last).toEqual([30, 80]);
    expect(q('panel-layer-histogram')?.textContent).toContain('step 30');

    applyHostEvent({
      kind: 'snapshot',
      examples: [],
      header: h,
      records: all,
      state: 'finished',
      step: 30,
      source: 'replay',
    });
    await settle();
    for (const names of Object.values(PANELS)) {
      for (const name of names) expect(charts()[name].series, name).toEqual(live[name]);
    }
  });

  it('empty states name the instruments section that turns a panel on', async () => {
    mount();
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    await settle();
    expect(q('empty-sample-grad-norms')?.textContent).toContain(
      'add `instruments.noise` to the run definition',
    );
    expect(q('empty-alpha')?.textContent).toContain('`instruments.step`');
    expect(q('empty-layer-histogram')?.textContent).toContain('`instruments.histograms`');
    expect(q('empty-ggn-trace')?.textContent).toContain(
      '`curvature` section or `instruments.noise`',
    );
    // Adam: noise records without CABS.
    applyHostEvent({
      kind: 'records',
      records: [noiseRecord(0, { cabsBatchSize: undefined })],
    });
    await settle();
    expect(q('empty-cabs')?.textContent).toContain('No CABS batch size');
    expect(q('panel-gsnr')?.getAttribute('data-has-data')).toBe('true');
  });

  it('the layer selector switches the heat map', async () => {
    mount();
    applyHostEvent({ kind: 'session', header: header(), source: 'replay' });
    applyHostEvent({ kind: 'records', records: [histogramRecord(100)] });
    await settle();
    expect(charts()['layer-histogram'].series[0].name).toBe('model[1] linear');
    const select = q('layer-histogram-layer') as HTMLSelectElement;
    select.value = 'model[3] linear';
    select.dispatchEvent(new Event('change'));
    await settle();
    expect(charts()['layer-histogram'].series[0].name).toBe('model[3] linear');
  });
});

describe('histogram step slider', () => {
  it('shows the latest record, or the chosen step while newer ones arrive', async () => {
    mount();
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    applyHostEvent({ kind: 'records', records: [0, 100, 200].map(histogramRecord) });
    await settle();
    expect(charts()['gradient-histogram'].series[0].name).toBe('step 200');
    const slider = q('gradient-histogram-step') as HTMLInputElement;
    slider.value = '0';
    slider.dispatchEvent(new Event('input'));
    await settle();
    expect(charts()['gradient-histogram'].series[0].name).toBe('step 0');
    applyHostEvent({ kind: 'records', records: [histogramRecord(300)] });
    await settle();
    expect(charts()['gradient-histogram'].series[0].name).toBe('step 0');
    expect(q('panel-gradient-histogram')?.textContent).toContain('step 0');
    // The other histogram panel follows the latest on its own.
    expect(q('panel-layer-histogram')?.textContent).toContain('step 300 (latest)');
    slider.value = '3';
    slider.dispatchEvent(new Event('input'));
    await settle();
    expect(charts()['gradient-histogram'].series[0].name).toBe('step 300');
  });
});

describe('panel groups', () => {
  it('are all shown, collapse, reorder, and keep that in localStorage across a reload', async () => {
    mount();
    await settle();
    expect(groupOrder()).toEqual(GROUP_IDS.map((id) => `group-${id}`));
    expect(q('group-noise')?.getAttribute('data-has-data')).toBe('false');
    expect(q('panel-gsnr')).not.toBeNull();
    expect(q('spectrum-panel')?.closest('[data-testid=group-vivit]')).not.toBeNull();

    (q('group-noise-toggle') as HTMLButtonElement).click();
    await nextTick();
    expect(q('group-noise')?.getAttribute('data-collapsed')).toBe('true');
    expect(q('group-noise-toggle')?.getAttribute('aria-expanded')).toBe('false');
    expect(q('panel-gsnr')).toBeNull();
    expect(q('group-noise')).not.toBeNull();

    (q('group-histograms-up') as HTMLButtonElement).click();
    (q('group-vivit-down') as HTMLButtonElement).click();
    await nextTick();
    const order = ['noise', 'vivit', 'step', 'histograms', 'curvature'];
    expect(groupOrder()).toEqual(order.map((id) => `group-${id}`));
    expect((q('group-noise-up') as HTMLButtonElement).disabled).toBe(true);
    expect(JSON.parse(localStorage.getItem(LAYOUT_KEY)!)).toEqual({
      order,
      collapsed: { noise: true },
    });

    // A reload: a new app reads the stored arrangement.
    app!.unmount();
    root.innerHTML = '';
    mount();
    await settle();
    expect(groupOrder()).toEqual(order.map((id) => `group-${id}`));
    expect(q('group-noise')?.getAttribute('data-collapsed')).toBe('true');
    useLayoutStore().reset();
    await nextTick();
    expect(groupOrder()).toEqual(GROUP_IDS.map((id) => `group-${id}`));
  });

  it('stored layouts are repaired; moves clamp at the ends', () => {
    const storage = (value: string) => ({ getItem: () => value });
    expect(loadLayout(storage('not json'))).toEqual(defaultLayout());
    expect(
      loadLayout(
        storage(
          JSON.stringify({
            order: ['step', 'gone', 'step', 'vivit'],
            collapsed: { step: true, gone: true, vivit: 'yes' },
          }),
        ),
      ),
    ).toEqual({
      order: ['step', 'vivit', 'noise', 'curvature', 'histograms'],
      collapsed: { step: true },
    });
    const order = [...GROUP_IDS];
    expect(moved(order, 'vivit', -1)).toEqual(order);
    expect(moved(order, 'vivit', 9).at(-1)).toBe('vivit');
    expect(placed(order, 'vivit', 'step')).toEqual([
      'noise',
      'step',
      'vivit',
      'curvature',
      'histograms',
    ]);
    expect(placed(order, 'histograms', 'noise')).toEqual([
      'vivit',
      'histograms',
      'noise',
      'step',
      'curvature',
    ]);
  });
});
