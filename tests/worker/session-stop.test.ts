// Stopping while a run's work is in flight (steps are asynchronous: GPU backends read results
// back asynchronously, so a step can be interrupted between its parts). The stop here is sent
// from inside the session's own message callback, i.e. exactly while the step or curvature step
// is half done: nothing of the stopped run may be posted after its 'stopped' state, and a run
// started right after gets only its own records.
import { describe, expect, it } from 'vitest';
import type { WorkerMessage } from '../../src/protocol/worker';
import { parseDefinition } from '../../src/worker/definition';
import { TrainingSession } from '../../src/worker/session';
import { forceWasmBackend } from './helpers/session-harness';

forceWasmBackend();

const definition = (steps: number, curvature = '') =>
  parseDefinition(
    `data: {source: synthetic, features: 6, outputs: 3, train_size: 256, test_size: 32}
model: [{type: linear, in: 6, out: 16}, relu, {type: linear, in: 16, out: 3}]
loss: cross_entropy
optimizer: {type: sgd, lr: 0.1}
batch_size: 32
steps: ${steps}
eval: {every: 5}
${curvature}`,
    'stop.yaml',
  ).definition!;

/** A session that sends itself `command` the moment it posts a message passing `stopOn`. */
function selfStopping(stopOn: (m: WorkerMessage) => boolean, command: 'stop' | 'pause' = 'stop') {
  const messages: WorkerMessage[] = [];
  let armed = true;
  let waiter: { test: (m: WorkerMessage) => boolean; resolve: () => void } | null = null;
  const session: TrainingSession = new TrainingSession((m) => {
    messages.push(m);
    if (armed && stopOn(m)) {
      armed = false;
      session.handle({ type: command });
    }
    if (waiter?.test(m)) {
      waiter.resolve();
      waiter = null;
    }
  });
  const until = (test: (m: WorkerMessage) => boolean) =>
    new Promise<void>((resolve) => {
      if (messages.some(test)) resolve();
      else waiter = { test, resolve };
    });
  return { session, messages, until };
}

const isRecord = (type: string, step?: number) => (m: WorkerMessage) =>
  m.type === 'record' && m.record.type === type && (step === undefined || m.record.step === step);
const stepsOf = (messages: WorkerMessage[]) =>
  messages.flatMap((m) => (m.type === 'record' && m.record.type === 'step' ? [m.record.step] : []));

describe('stopping a run while its work is in flight', () => {
  it.each([
    // After step 5's record the step goes on to the held-out evaluation (eval every 5).
    ['a training step, before its evaluation', '', isRecord('step', 5)],
    // After the curvature record the monitor still posts its cost message.
    [
      'a curvature step, before its cost message',
      'curvature: {quantities: [eigenvalues, gammas], schedule: {every: 3}, samples: 16, batch: train}',
      isRecord('curvature', 3),
    ],
  ])('during %s', async (_what, curvature, stopOn) => {
    const { session, messages, until } = selfStopping(stopOn);
    session.handle({ type: 'start', definition: definition(1000, curvature) });
    await until((m) => m.type === 'state' && m.state === 'stopped');
    // Let the interrupted work finish (it is queued behind nothing, so a few turns suffice).
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    const stoppedAt = messages.findIndex((m) => m.type === 'state' && m.state === 'stopped');
    expect(messages.slice(stoppedAt + 1)).toEqual([]);

    session.handle({ type: 'start', definition: definition(4) });
    await until((m) => m.type === 'state' && m.state === 'finished');
    expect(stepsOf(messages.slice(stoppedAt + 1))).toEqual([1, 2, 3, 4]);
  });

  it('a pause during a step takes effect after it: paused comes after its records, and resume goes on', async () => {
    const { session, messages, until } = selfStopping(isRecord('step', 5), 'pause');
    session.handle({ type: 'start', definition: definition(8) });
    await until((m) => m.type === 'state' && m.state === 'paused');
    const pausedAt = messages.findIndex((m) => m.type === 'state' && m.state === 'paused');
    // Step 5's evaluation (eval every 5) was still to come when the pause arrived.
    const evalAt = messages.findIndex(isRecord('eval', 5));
    expect(evalAt).toBeGreaterThan(-1);
    expect(evalAt).toBeLessThan(pausedAt);
    expect(messages[pausedAt]).toEqual({ type: 'state', state: 'paused', step: 5 });
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(stepsOf(messages)).toEqual([1, 2, 3, 4, 5]); // no step after the pause
    session.handle({ type: 'resume' });
    await until((m) => m.type === 'state' && m.state === 'finished');
    expect(stepsOf(messages)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a resume before the pause took effect withdraws it', async () => {
    const { session, messages, until } = selfStopping(isRecord('step', 2), 'pause');
    session.handle({ type: 'start', definition: definition(6) });
    await until(isRecord('step', 2));
    session.handle({ type: 'resume' });
    await until((m) => m.type === 'state' && m.state === 'finished');
    expect(stepsOf(messages)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
