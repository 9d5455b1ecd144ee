// Host core with the real training worker (src/worker, run from source through tsx in its own
// thread) and the real definition module: commands in, records to the log and to renderers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostCore } from '../../src/main/host/host-core';
import { parseLog } from '../../src/protocol/log-codec';
import { EventLog, tempDir } from './helpers';

const TINY = `name: host test
seed: 5
data: { source: synthetic, task: classification, features: 4, outputs: 3, train_size: 64, test_size: 32 }
model:
  - { type: linear, in: 4, out: 8 }
  - { type: relu }
  - { type: linear, in: 8, out: 3 }
loss: cross_entropy
optimizer: { type: sgd, lr: 0.1 }
batch_size: 16
steps: 30
eval: { every: 10 }
`;

describe('host core with the real worker', () => {
  let dir: ReturnType<typeof tempDir>;
  let core: HostCore;
  let events: EventLog;
  const sessions = (): string[] => readdirSync(join(dir.path, 'sessions')).sort();

  beforeAll(() => {
    dir = tempDir();
    core = new HostCore({ sessionsDir: join(dir.path, 'sessions'), flushIntervalMs: 50 });
    events = new EventLog();
    core.subscribe(events.listener);
  });
  afterAll(async () => {
    await core.dispose();
    dir.remove();
  });

  it('validates a definition on load with the worker room’s module', async () => {
    const bad = await core.loadDefinitionText(TINY.replace('in: 8', 'in: 7'), 'bad.yaml');
    expect(bad?.definition).toBeUndefined();
    expect(bad?.issues).toEqual([
      {
        path: 'model[2].in',
        line: 7,
        message: '7 does not match the 8 features coming out of model[1] (relu)',
      },
    ]);
    const good = await core.loadDefinitionText(TINY, 'tiny.yaml');
    expect(good).toMatchObject({ name: 'host test', issues: [], definition: { steps: 30 } });
  });

  it('runs to the end: every record in the log at once, batched to renderers', async () => {
    events.clear();
    expect(core.start()).toBe(true);
    const session = await events.waitFor('session');
    await events.waitFor('state', (e) => e.state === 'finished');
    expect(session).toMatchObject({
      source: 'live',
      header: { name: 'host test', trainSamples: 64 },
    });
    const log = parseLog(readFileSync(session.logPath!, 'utf8'));
    expect(log.problems).toEqual([]);
    expect(log.header).toEqual(session.header);
    expect(log.records.filter((r) => r.type === 'step')).toHaveLength(30);
    expect(log.records.filter((r) => r.type === 'eval').map((r) => r.step)).toEqual([10, 20, 30]);
    expect(events.records()).toEqual(log.records);
    expect(events.of('records').length).toBeLessThan(log.records.length);
    // Ordering: all records of the run reach renderers before the state that ends it.
    const finishedAt = events.events.findIndex((e) => e.kind === 'state' && e.state === 'finished');
    const lastRecords = events.events.map((e) => e.kind).lastIndexOf('records');
    expect(lastRecords).toBeLessThan(finishedAt);
    expect(core.snapshot()).toMatchObject({
      source: 'live',
      state: 'finished',
      step: 30,
      records: log.records,
    });
  });

  it('step from idle starts a new session paused and takes exactly one step', async () => {
    const before = sessions().length;
    events.clear();
    core.command('step');
    await events.waitFor('state', (e) => e.state === 'paused' && e.step === 1);
    expect(sessions()).toHaveLength(before + 1);
    core.command('step');
    await events.waitFor('state', (e) => e.state === 'paused' && e.step === 2);
    expect(
      events
        .records()
        .filter((r) => r.type === 'step')
        .map((r) => r.step),
    ).toEqual([1, 2]);

    // While a run is live, a page cannot swap the session or the definition under it.
    events.clear();
    core.openLogText('{}', 'x.jsonl');
    await core.loadDefinitionText(TINY, 'again.yaml');
    expect(events.of('notice').map((n) => n.message)).toEqual([
      'Stop the current run before you open a log.',
      'Stop the current run before you load another definition.',
    ]);
    expect(core.start()).toBe(false);

    // Save As while paused mid-run: a valid log of the steps so far.
    const copy = core.saveLogAs(join(dir.path, 'mid-run.jsonl'));
    const saved = parseLog(readFileSync(copy, 'utf8'));
    expect(saved.records.filter((r) => r.type === 'step').map((r) => r.step)).toEqual([1, 2]);

    core.command('resume');
    await events.waitFor('state', (e) => e.state === 'finished');
    const full = parseLog(readFileSync(core.currentLogPath!, 'utf8'));
    expect(full.records.slice(0, saved.records.length)).toEqual(saved.records);
    expect(full.records.filter((r) => r.type === 'step')).toHaveLength(30);
  });

  it('stop ends the run, and a start afterwards opens a new log', async () => {
    events.clear();
    const before = sessions().length;
    core.command('step');
    await events.waitFor('state', (e) => e.state === 'paused' && e.step === 1);
    core.command('stop');
    await events.waitFor('state', (e) => e.state === 'stopped');
    const stopped = parseLog(readFileSync(core.currentLogPath!, 'utf8'));
    expect(stopped.records.at(-1)).toMatchObject({ type: 'event', kind: 'stopped', step: 1 });
    events.clear();
    expect(core.start({ maxSteps: 5 })).toBe(true);
    await events.waitFor('state', (e) => e.state === 'finished');
    expect(sessions()).toHaveLength(before + 2);
    expect(events.records().filter((r) => r.type === 'step')).toHaveLength(5);
  });

  it('shutdown mid-run stops the run first, so the log ends with the stopped record', async () => {
    const other = new HostCore({ sessionsDir: join(dir.path, 'shutdown') });
    const log = new EventLog();
    other.subscribe(log.listener);
    await other.loadDefinitionText(TINY, 'tiny.yaml');
    expect(other.start({ maxSteps: 1_000_000 })).toBe(true);
    await log.waitFor('records', (e) => e.records.some((r) => r.type === 'step'));
    await other.shutdown();
    const path = readdirSync(join(dir.path, 'shutdown'));
    expect(path).toHaveLength(1);
    const parsed = parseLog(readFileSync(join(dir.path, 'shutdown', path[0]), 'utf8'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.records.at(-1)).toMatchObject({ type: 'event', kind: 'stopped' });
  });
});
