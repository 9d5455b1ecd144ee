// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, nextTick, type App } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import RunBar from '../../src/renderer/src/components/RunBar.vue';
import { ACTIONS_KEY, type AppActions } from '../../src/renderer/src/actions';
import { availableCommands, REPLAY_COMMANDS_HINT } from '../../src/renderer/src/runControls';
import { applyHostEvent } from '../../src/renderer/src/stores/dispatch';
import { useUiStore } from '../../src/renderer/src/stores/ui';
import type { RunState } from '../../src/protocol/worker';
import type { RunCommand } from '../../src/protocol/host';
import { definition, header, snapshot } from './fixtures';
import type { BodyRecord } from '../../src/protocol/records';

let app: App;
let root: HTMLElement;
let calls: string[];

beforeEach(() => {
  calls = [];
  const pinia = createPinia();
  setActivePinia(pinia);
  const actions: AppActions = {
    command: (c) => void calls.push(`command:${c}`),
    loadExample: (p) => void calls.push(`example:${p}`),
    loadDefinitionFile: async (f) => void calls.push(`definition:${f.name}`),
    openLogFile: async (f) => void calls.push(`log:${f.name}`),
    saveLog: async () => void calls.push('save'),
    inspect: (g, k) => void calls.push(`inspect:${g}:${k}`),
  };
  root = document.createElement('div');
  document.body.append(root);
  app = createApp(RunBar);
  app.use(pinia);
  app.provide(ACTIONS_KEY, actions);
  app.mount(root);
});

afterEach(() => {
  app.unmount();
  root.remove();
});

const button = (c: string) => root.querySelector<HTMLButtonElement>(`[data-testid=btn-${c}]`);
/** Enabled state of each command button shown; absent buttons are reported as such. */
function shown(): Record<string, boolean | 'absent'> {
  const out: Record<string, boolean | 'absent'> = {};
  for (const c of ['start', 'pause', 'resume', 'step', 'stop']) {
    const b = button(c);
    out[c] = b ? !b.disabled : 'absent';
  }
  return out;
}

const validDefinition = { name: 'mnist-mlp.yaml', text: '', definition, issues: [] };

async function load(state: RunState, valid = true, source?: 'replay'): Promise<void> {
  useUiStore().setConnection({ phase: 'open' });
  applyHostEvent(
    snapshot({
      definition: valid
        ? validDefinition
        : { name: 'bad.yaml', text: '', issues: [{ path: 'lr', message: 'must be > 0' }] },
      header: state === 'idle' ? undefined : header(),
      state,
      step: state === 'idle' ? 0 : 12,
      source: source ?? (state === 'idle' ? 'none' : 'live'),
    }),
  );
  await nextTick();
}

const sourceChip = () => root.querySelector('[data-testid=session-source]')?.textContent?.trim();
const commandTitles = () =>
  [...root.querySelectorAll<HTMLButtonElement>('[data-testid^=btn-]')].map((b) => b.title);

describe('run bar', () => {
  it.each<[RunState, Record<string, boolean | 'absent'>]>([
    ['idle', { start: true, pause: false, resume: 'absent', step: true, stop: false }],
    ['running', { start: false, pause: true, resume: 'absent', step: false, stop: true }],
    ['paused', { start: false, pause: 'absent', resume: true, step: true, stop: true }],
    ['stopped', { start: true, pause: false, resume: 'absent', step: true, stop: false }],
    ['finished', { start: true, pause: false, resume: 'absent', step: true, stop: false }],
    ['error', { start: true, pause: false, resume: 'absent', step: true, stop: false }],
  ])('in state %s enables the right buttons', async (state, expected) => {
    await load(state);
    expect(shown()).toEqual(expected);
    expect(root.querySelector('[data-testid=run-state]')?.textContent?.trim().toLowerCase()).toBe(
      state,
    );
  });

  it('cannot start an invalid definition, and nothing works while disconnected', async () => {
    await load('idle', false);
    expect(button('start')!.disabled).toBe(true);
    expect(button('step')!.disabled).toBe(true);
    await load('running');
    useUiStore().setConnection({ phase: 'disconnected', retryInMs: 500, attempt: 1 });
    await nextTick();
    expect(Object.values(shown()).filter((v) => v === true)).toEqual([]);
    expect(root.querySelector<HTMLButtonElement>('[data-testid=save-log]')!.disabled).toBe(true);
  });

  it('sends the commands and shows name, step, total and backend', async () => {
    await load('running');
    button('pause')!.click();
    button('stop')!.click();
    expect(calls).toEqual(['command:pause', 'command:stop']);
    expect(root.querySelector('[data-testid=definition-name]')?.textContent?.trim()).toBe(
      'MNIST MLP',
    );
    expect(root.querySelector('[data-testid=step-counter]')?.textContent).toBe('12');
    expect(root.textContent).toContain('/ 20'); // 2 epochs × 10 full batches of 100
    const backend = root.querySelector('[data-testid=backend]')!.textContent!;
    expect(backend).toContain('wasm');
    expect(backend).toContain(
      'tensorflow-gpu skipped — package @tensorflow/tfjs-node-gpu is not installed',
    );
  });

  it('names the GPU adapter when the backend runs on one', async () => {
    await load('running');
    expect(root.querySelector('[data-testid=backend-device]')).toBeNull();
    applyHostEvent(
      snapshot({
        definition: validDefinition,
        header: {
          ...header(),
          backend: {
            chosen: 'webgpu',
            device: 'nvidia, hopper, NVIDIA H200 (native API)',
            skipped: [],
          },
        },
        state: 'running',
        step: 3,
        source: 'live',
      }),
    );
    await nextTick();
    const backend = root.querySelector('[data-testid=backend]')!.textContent!;
    expect(backend).toContain('webgpu');
    expect(root.querySelector('[data-testid=backend-device]')?.textContent?.trim()).toBe(
      'Device: nvidia, hopper, NVIDIA H200 (native API)',
    );
  });

  it('says where the latest curvature step solved its Gram eigenproblem', async () => {
    await load('running');
    const line = () => root.querySelector('[data-testid=backend-eigensolver]')?.textContent?.trim();
    expect(line()).toBeUndefined(); // no curvature record yet
    const curvature: BodyRecord = {
      type: 'curvature',
      step: 12,
      batch: 'fixed',
      samples: 32,
      gradSamples: 32,
      mcSamples: 0,
      loss: 0.4,
      gradNorm: 0.2,
      layerNames: ['model[1] linear'],
      groups: [],
      eigensolver: 'device',
      timings: { eigen: 3 },
    };
    applyHostEvent({ kind: 'records', records: [curvature] });
    await nextTick();
    expect(line()).toBe('Gram eigensolver: on the GPU (full spectrum, float32)');
    applyHostEvent({
      kind: 'records',
      records: [{ ...curvature, step: 13, eigensolver: 'host' } as BodyRecord],
    });
    await nextTick();
    expect(line()).toBe('Gram eigensolver: on the CPU (float64)');
  });

  it('other definitions and logs can be opened only once the run stops', async () => {
    const enabled = () =>
      ['example-select', 'open-definition', 'open-log'].map(
        (id) => !root.querySelector<HTMLButtonElement>(`[data-testid=${id}]`)!.disabled,
      );
    await load('paused');
    expect(enabled()).toEqual([false, false, false]);
    await load('stopped');
    expect(enabled()).toEqual([true, true, true]);
  });

  it('loads examples and files through the actions', async () => {
    await load('idle');
    const select = root.querySelector<HTMLSelectElement>('[data-testid=example-select]')!;
    select.value = '/examples/mnist-mlp.yaml';
    select.dispatchEvent(new Event('change'));
    const input = root.querySelector<HTMLInputElement>('[data-testid=open-log-input]')!;
    Object.defineProperty(input, 'files', {
      value: [new File(['{}'], 'run.jsonl')],
      configurable: true,
    });
    input.dispatchEvent(new Event('change'));
    await nextTick();
    expect(calls).toEqual(['example:/examples/mnist-mlp.yaml', 'log:run.jsonl']);
  });

  it('while a saved log is shown no command runs, and the buttons say why', async () => {
    await load('finished', true, 'replay');
    expect(sourceChip()).toBe('replay');
    expect(shown()).toEqual({
      start: false,
      pause: false,
      resume: 'absent',
      step: false,
      stop: false,
    });
    expect(commandTitles()).toEqual(Array(4).fill(REPLAY_COMMANDS_HINT));
    button('start')!.click();
    expect(calls).toEqual([]);
  });

  it('choosing a definition leaves the replay, so Start trains it', async () => {
    await load('stopped', true, 'replay');
    expect(button('start')!.disabled).toBe(true);
    applyHostEvent({ kind: 'definition', definition: { ...validDefinition, name: 'other.yaml' } });
    await nextTick();
    expect(sourceChip()).toBeUndefined();
    expect(shown()).toEqual({
      start: true,
      pause: false,
      resume: 'absent',
      step: true,
      stop: false,
    });
    expect(commandTitles()).toEqual(['', '', '', '']);
    button('start')!.click();
    expect(calls).toEqual(['command:start']);
  });

  it('a definition loaded after a live run keeps that run on screen', async () => {
    await load('finished');
    applyHostEvent({ kind: 'definition', definition: { ...validDefinition, name: 'other.yaml' } });
    await nextTick();
    expect(sourceChip()).toBe('live');
    expect(root.querySelector('[data-testid=step-counter]')?.textContent).toBe('12');
    expect(button('start')!.disabled).toBe(false);
  });

  it('the command table matches the buttons', () => {
    const all: RunCommand[] = ['start', 'pause', 'resume', 'step', 'stop'];
    const ctx = { connected: true, definitionValid: false, showingReplay: false };
    const c = availableCommands({ ...ctx, state: 'paused' });
    expect(all.filter((k) => c[k])).toEqual(['resume', 'step', 'stop']);
    const replay = availableCommands({
      ...ctx,
      state: 'stopped',
      definitionValid: true,
      showingReplay: true,
    });
    expect(all.filter((k) => replay[k])).toEqual([]);
  });
});
