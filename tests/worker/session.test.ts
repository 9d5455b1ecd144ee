// The session without a thread: races that a worker round-trip cannot hit reliably.
import { describe, expect, it } from 'vitest';
import { parseDefinition } from '../../src/worker/definition';
import { collect, forceWasmBackend } from './helpers/session-harness';

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

forceWasmBackend();

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
    const epochs = collect();
    epochs.session.handle({ type: 'start', definition: byEpochs });
    await epochs.until((m) => m.type === 'state' && m.state === 'finished');
    // 70 samples in batches of 16: 4 full batches per epoch.
    expect(epochs.headers()[0]?.plannedSteps).toBe(8);
    expect(epochs.records('step')).toHaveLength(8);

    const capped = collect();
    capped.session.handle({ type: 'start', definition: byEpochs, maxSteps: 2 });
    await capped.until((m) => m.type === 'state' && m.state === 'finished');
    expect(capped.headers()[0]?.plannedSteps).toBe(2);
    expect(capped.records('step')).toHaveLength(2);
  });

  it('commands without a run do nothing and do not throw', () => {
    const { session, messages } = collect();
    for (const type of ['pause', 'resume', 'step', 'stop'] as const) session.handle({ type });
    expect(messages).toEqual([]);
    expect(session.state).toBe('idle');
  });
});
