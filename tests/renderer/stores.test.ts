// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { applyHostEvent } from '../../src/renderer/src/stores/dispatch';
import { useSessionStore } from '../../src/renderer/src/stores/session';
import { useDefinitionStore } from '../../src/renderer/src/stores/definition';
import { useUiStore } from '../../src/renderer/src/stores/ui';
import { recentStepsPerSecond } from '../../src/renderer/src/stores/columns';
import { definition, evalRecord, header, snapshot, stepRecord, steps } from './fixtures';

beforeEach(() => setActivePinia(createPinia()));

describe('session store driven by host events', () => {
  it('takes everything from a snapshot', () => {
    applyHostEvent(
      snapshot({
        definition: {
          name: 'mnist-mlp.yaml',
          path: '/x/mnist-mlp.yaml',
          text: '…',
          definition,
          issues: [],
        },
        header: header(),
        records: [...steps(1, 3), evalRecord(3), { type: 'epoch', epoch: 0, step: 3 }],
        state: 'paused',
        step: 3,
        source: 'live',
        logPath: '/logs/run.jsonl',
      }),
    );
    const session = useSessionStore();
    const defs = useDefinitionStore();
    expect(defs.displayName).toBe('MNIST MLP');
    expect(defs.valid).toBe(true);
    expect(defs.examples.map((e) => e.name)).toEqual(['MNIST MLP']);
    expect(session.header?.name).toBe('MNIST MLP');
    expect(session.state).toBe('paused');
    expect(session.step).toBe(3);
    expect(session.source).toBe('live');
    expect(session.logPath).toBe('/logs/run.jsonl');
    expect(session.columns.steps.step).toEqual([1, 2, 3]);
    expect(session.columns.steps.loss).toEqual([2, 1, 2 / 3]);
    expect(session.columns.evals.step).toEqual([3]);
    expect(session.columns.epochs.step).toEqual([3]);
    expect(session.backend?.chosen).toBe('wasm');
  });

  it('appends record batches in order and bumps the revision once per batch', () => {
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    const session = useSessionStore();
    const r0 = session.revision;
    applyHostEvent({ kind: 'records', records: steps(1, 5) });
    applyHostEvent({ kind: 'records', records: [...steps(6, 7), evalRecord(7)] });
    expect(session.revision).toBe(r0 + 2);
    expect(session.columns.steps.step).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(session.stepCount).toBe(7);
    expect(session.step).toBe(7);
    // A state report that lags behind the records does not move the counter back.
    applyHostEvent({ kind: 'state', state: 'running', step: 5 });
    expect(session.step).toBe(7);
    applyHostEvent({ kind: 'state', state: 'paused', step: 9 });
    expect(session.step).toBe(9);
    expect(session.state).toBe('paused');
  });

  it('keeps missing accuracy as NaN so columns stay aligned', () => {
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    applyHostEvent({
      kind: 'records',
      records: [stepRecord(1, 0.5, null), stepRecord(2, 0.4, 0.75)],
    });
    const cols = useSessionStore().columns.steps;
    expect(cols.accuracy[0]).toBeNaN();
    expect(cols.accuracy[1]).toBe(0.75);
    expect(cols.loss.length).toBe(cols.accuracy.length);
  });

  it('a new session (or an opened log) replaces the columns, and views see a new sessionId', () => {
    applyHostEvent({ kind: 'session', header: header('first'), source: 'live' });
    applyHostEvent({ kind: 'records', records: steps(1, 4) });
    const session = useSessionStore();
    const firstId = session.sessionId;
    const firstColumns = session.columns;

    applyHostEvent({
      kind: 'session',
      header: header('replayed'),
      source: 'replay',
      logPath: '/l/a.jsonl',
    });
    expect(session.sessionId).toBe(firstId + 1);
    expect(session.columns).not.toBe(firstColumns);
    expect(session.columns.steps.step).toEqual([]);
    expect(session.step).toBe(0);
    expect(session.source).toBe('replay');

    applyHostEvent({ kind: 'records', records: steps(1, 2) });
    expect(session.columns.steps.step).toEqual([1, 2]);
    expect(firstColumns.steps.step).toEqual([1, 2, 3, 4]); // the old session's data is untouched
  });

  it('a replayed log and the same records live produce identical columns', () => {
    const records = [...steps(1, 20), evalRecord(10), evalRecord(20)];
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    for (let i = 0; i < records.length; i += 3) {
      applyHostEvent({ kind: 'records', records: records.slice(i, i + 3) });
    }
    const live = structuredClone(useSessionStore().columns);
    applyHostEvent(snapshot({ header: header(), records, source: 'replay', state: 'idle' }));
    expect(useSessionStore().columns).toEqual(live);
  });

  it('a snapshot without a header empties the session', () => {
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    applyHostEvent({ kind: 'records', records: steps(1, 3) });
    applyHostEvent(snapshot());
    const session = useSessionStore();
    expect(session.header).toBeUndefined();
    expect(session.source).toBe('none');
    expect(session.columns.steps.step).toEqual([]);
  });

  it('routes status, notices and error states to the UI store', () => {
    const ui = useUiStore();
    applyHostEvent({ kind: 'status', message: 'Loading MNIST…' });
    expect(ui.status).toBe('Loading MNIST…');
    applyHostEvent({ kind: 'notice', level: 'warning', message: 'slow backend' });
    applyHostEvent({
      kind: 'state',
      state: 'error',
      step: 3,
      message: 'loss became NaN at step 3',
    });
    expect(ui.notices.map((n) => [n.level, n.message])).toEqual([
      ['warning', 'slow backend'],
      ['error', 'loss became NaN at step 3'],
    ]);
    expect(useSessionStore().stateMessage).toBe('loss became NaN at step 3');
  });

  it('formats definition issues as file:line: path: message', () => {
    applyHostEvent({
      kind: 'definition',
      definition: {
        name: 'bad.yaml',
        path: '/home/u/defs/bad.yaml',
        text: '',
        issues: [
          { path: 'model[1].in', message: 'expected 784 inputs, got 700', line: 7 },
          { path: '', message: 'not a mapping' },
        ],
      },
    });
    const defs = useDefinitionStore();
    expect(defs.valid).toBe(false);
    expect(defs.issueLines).toEqual([
      'bad.yaml:7: model[1].in: expected 784 inputs, got 700',
      'bad.yaml: not a mapping',
    ]);
  });
});

describe('derived numbers', () => {
  it('steps per second uses run time over the recent window', () => {
    const cols = { step: [1, 2, 3, 4, 5], time: [0.1, 0.2, 0.3, 0.5, 0.6] };
    // (5 - 1) / (0.6 - 0.1) = 8
    expect(recentStepsPerSecond({ ...emptySteps(), ...cols }, 20)).toBeCloseTo(8, 12);
    // window 2: (5 - 3) / (0.6 - 0.3)
    expect(recentStepsPerSecond({ ...emptySteps(), ...cols }, 2)).toBeCloseTo(2 / 0.3, 12);
    expect(recentStepsPerSecond({ ...emptySteps(), step: [1], time: [0.1] })).toBeUndefined();
  });

  it('planned steps come from the header, or from the definition in older logs', () => {
    const session = useSessionStore();
    expect(session.plannedSteps).toBeUndefined();
    applyHostEvent({ kind: 'session', header: { ...header(), plannedSteps: 7 }, source: 'replay' });
    expect(session.plannedSteps).toBe(7);
    // A log without the field: 2 epochs of 1000 samples in batches of 100.
    applyHostEvent({ kind: 'session', header: header(), source: 'replay' });
    expect(session.plannedSteps).toBe(20);
  });
});

function emptySteps() {
  return { step: [], epoch: [], loss: [], accuracy: [], time: [], stepMs: [], samplesPerSec: [] };
}
