// Curvature monitoring through the host core with the real worker thread: curvature records
// in the log and to renderers, and the inspect request relayed while paused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostCore } from '../../src/main/host/host-core';
import type { HostEvent } from '../../src/protocol/host';
import { parseLog } from '../../src/protocol/log-codec';
import { EventLog, tempDir } from './helpers';

const TINY = `name: host curvature test
seed: 5
data: { source: synthetic, task: classification, features: 4, outputs: 3, train_size: 64, test_size: 32 }
model:
  - { type: linear, in: 4, out: 8 }
  - { type: relu }
  - { type: linear, in: 8, out: 3 }
loss: cross_entropy
optimizer: { type: sgd, lr: 0.1 }
batch_size: 16
steps: 12
eval: { every: 10 }
curvature: { schedule: { every: 5 }, samples: 8, mc_samples: 0, groups: per_layer }
`;

describe('host core: curvature records and the inspector', () => {
  let dir: ReturnType<typeof tempDir>;
  let core: HostCore;
  let events: EventLog;
  const replies: HostEvent[] = [];
  const reply = (e: HostEvent) => void replies.push(e);

  beforeAll(async () => {
    dir = tempDir();
    core = new HostCore({ sessionsDir: join(dir.path, 'sessions'), flushIntervalMs: 20 });
    events = new EventLog();
    core.subscribe(events.listener);
    const info = await core.loadDefinitionText(TINY, 'tiny.yaml');
    expect(info?.issues).toEqual([]);
  });
  afterAll(async () => {
    await core.dispose();
    dir.remove();
  });

  it('an inspect request with nothing running gets a notice', async () => {
    await core.handle({ kind: 'inspect', group: 0, direction: 0 }, reply);
    expect(events.of('notice').at(-1)).toMatchObject({
      level: 'info',
      message: expect.stringContaining('no direction to inspect'),
    });
  });

  it('logs curvature records on schedule and relays inspect while paused', async () => {
    expect(core.start({ paused: true })).toBe(true);
    const session = await events.waitFor('session');
    await events.waitFor('state', (e) => e.state === 'paused');
    for (let i = 0; i < 6; i++) core.command('step');
    await events.waitFor('state', (e) => e.state === 'paused' && e.step === 6);
    await core.handle({ kind: 'inspect', group: 1, direction: 0 }, reply);
    await core.handle({ kind: 'inspect', group: 0, direction: 999 }, reply);
    await events.waitFor('notice', (e) => e.message.includes('direction 999 does not exist'));
    core.command('resume');
    await events.waitFor('state', (e) => e.state === 'finished');

    const log = parseLog(readFileSync(session.kind === 'session' ? session.logPath! : '', 'utf8'));
    expect(log.problems).toEqual([]);
    const curvature = log.records.filter((r) => r.type === 'curvature');
    expect(curvature.map((r) => r.step)).toEqual([0, 5, 10]);
    for (const r of curvature) {
      expect(r.groups.map((g) => g.name)).toEqual(['model[0] linear', 'model[2] linear']);
      expect(r.layerNames).toEqual(['model[0] linear', 'model[2] linear']);
    }
    const inspect = log.records.filter((r) => r.type === 'inspect');
    expect(inspect).toHaveLength(1);
    expect(inspect[0]).toMatchObject({
      step: 6,
      group: 1,
      direction: 0,
      layerShares: Float64Array.of(0, 1),
    });
    expect(inspect[0].type === 'inspect' && inspect[0].gammas).toHaveLength(8);
    // Renderers got exactly what the log holds (NaN-free here, so plain equality).
    expect(events.records()).toEqual(log.records);
    expect(events.of('status').some((e) => /^curvature step 0: \d+ ms/.test(e.message))).toBe(true);
  }, 120_000);
});
