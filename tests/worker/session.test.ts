// The session without a thread: races that a worker round-trip cannot hit reliably.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerMessage } from '../../src/protocol/worker';
import { parseDefinition } from '../../src/worker/definition';
import { TrainingSession } from '../../src/worker/session';

const { definition } = parseDefinition(
  `data: {source: synthetic, features: 4, outputs: 2, train_size: 64, test_size: 16}
model: [{type: linear, in: 4, out: 2}]
loss: cross_entropy
optimizer: {type: sgd, lr: 0.1}
batch_size: 16
steps: 3
`,
  'session.yaml',
);

function collect() {
  const messages: WorkerMessage[] = [];
  let notify = () => {};
  const session = new TrainingSession((m) => {
    messages.push(m);
    notify();
  });
  const until = (test: (m: WorkerMessage) => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (messages.some(test)) resolve();
      };
      notify = check;
      check();
    });
  return { session, messages, until };
}

const savedBackend = process.env.VIVIT_BACKEND;
beforeAll(() => {
  process.env.VIVIT_BACKEND = 'wasm';
});
afterAll(() => {
  if (savedBackend === undefined) delete process.env.VIVIT_BACKEND;
  else process.env.VIVIT_BACKEND = savedBackend;
});

describe('training session (in process)', () => {
  it('a stop during preparation cancels the start; the session then starts normally', async () => {
    const { session, messages, until } = collect();
    session.handle({ type: 'start', definition: definition! });
    session.handle({ type: 'stop' }); // arrives while the backend is being chosen
    expect(session.state).toBe('stopped');
    await new Promise((r) => setTimeout(r, 300));
    expect(messages.filter((m) => m.type !== 'status')).toEqual([
      { type: 'state', state: 'stopped', step: 0 },
    ]);

    messages.length = 0;
    session.handle({ type: 'start', definition: definition! });
    await until((m) => m.type === 'state' && m.state === 'finished');
    expect(messages.filter((m) => m.type === 'header')).toHaveLength(1);
    expect(
      messages.flatMap((m) =>
        m.type === 'record' && m.record.type === 'step' ? [m.record.step] : [],
      ),
    ).toEqual([1, 2, 3]);
  });

  it('pause during preparation starts the run paused', async () => {
    const { session, messages, until } = collect();
    session.handle({ type: 'start', definition: definition! });
    session.handle({ type: 'pause' });
    await until((m) => m.type === 'state');
    expect(messages.find((m) => m.type === 'state')).toEqual({
      type: 'state',
      state: 'paused',
      step: 0,
    });
    session.handle({ type: 'resume' });
    await until((m) => m.type === 'state' && m.state === 'finished');
  });

  it('records the planned steps in the header and takes exactly that many', async () => {
    const byEpochs = parseDefinition(
      `data: {source: synthetic, features: 4, outputs: 2, train_size: 70, test_size: 16}
model: [{type: linear, in: 4, out: 2}]
loss: cross_entropy
optimizer: {type: sgd, lr: 0.1}
batch_size: 16
epochs: 2
`,
      'epochs.yaml',
    ).definition!;
    const stepsOf = (messages: WorkerMessage[]) =>
      messages.flatMap((m) => (m.type === 'record' && m.record.type === 'step' ? [m] : []));
    const headerOf = (messages: WorkerMessage[]) =>
      messages.flatMap((m) => (m.type === 'header' ? [m.header] : []))[0];

    const epochs = collect();
    epochs.session.handle({ type: 'start', definition: byEpochs });
    await epochs.until((m) => m.type === 'state' && m.state === 'finished');
    // 70 samples in batches of 16: 4 full batches per epoch.
    expect(headerOf(epochs.messages)?.plannedSteps).toBe(8);
    expect(stepsOf(epochs.messages)).toHaveLength(8);

    const capped = collect();
    capped.session.handle({ type: 'start', definition: byEpochs, maxSteps: 2 });
    await capped.until((m) => m.type === 'state' && m.state === 'finished');
    expect(headerOf(capped.messages)?.plannedSteps).toBe(2);
    expect(stepsOf(capped.messages)).toHaveLength(2);
  });

  it('commands without a run do nothing and do not throw', () => {
    const { session, messages } = collect();
    for (const type of ['pause', 'resume', 'step', 'stop'] as const) session.handle({ type });
    expect(messages).toEqual([]);
    expect(session.state).toBe('idle');
  });
});
