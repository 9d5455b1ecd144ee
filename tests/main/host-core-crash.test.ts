// Host core against a worker thread that really crashes (tests/main/fixtures/crashing-worker.mjs):
// the real worker catches its own exceptions, so a crash can only be provoked with this one.
// Definitions come from a JSON stand-in for the same reason: the fixture needs a chosen name.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostCore } from '../../src/main/host/host-core';
import type { DefinitionSource } from '../../src/main/host/definitions';
import { parseLog } from '../../src/protocol/log-codec';
import { sampleDefinition } from '../protocol/sample-records';
import { EventLog, tempDir } from './helpers';

const crashingWorker = fileURLToPath(new URL('./fixtures/crashing-worker.mjs', import.meta.url));

/** Stand-in for the definition module: the file is the RunDefinition as JSON. */
const jsonDefinitions: DefinitionSource = {
  loadDefinitionFile: (path) => ({
    definition: JSON.parse(readFileSync(path, 'utf8')),
    issues: [],
  }),
  parseDefinition: (text) => ({ definition: JSON.parse(text), issues: [] }),
};

describe('host core: worker crash', () => {
  let dir: ReturnType<typeof tempDir>;
  let core: HostCore;
  let events: EventLog;

  beforeEach(() => {
    dir = tempDir();
    core = new HostCore({
      worker: { path: crashingWorker },
      sessionsDir: join(dir.path, 'sessions'),
      definitions: jsonDefinitions,
    });
    events = new EventLog();
    core.subscribe(events.listener);
  });
  afterEach(async () => {
    await core.dispose();
    dir.remove();
  });

  const definitionFile = (name: string): string => {
    const path = join(dir.path, `${name}.json`);
    writeFileSync(path, JSON.stringify({ ...sampleDefinition, name }));
    return path;
  };

  for (const how of ['throw', 'exit'] as const) {
    it(`keeps the log and the app when the worker dies (${how})`, async () => {
      await core.loadDefinitionFile(definitionFile(`crash-${how}-4`));
      expect(core.start()).toBe(true);
      const session = await events.waitFor('session');
      const failed = await events.waitFor('state', (e) => e.state === 'error');
      expect(failed.step).toBe(0); // the fixture sends no state after 'running'
      const notice = await events.waitFor('notice', (e) => e.level === 'error');
      expect(notice.message).toMatch(
        /^The training worker crashed \(.+\)\. The log keeps everything up to step/,
      );
      expect(notice.message).toContain(session.logPath);
      if (how === 'throw') expect(notice.message).toContain('fixture crash after step 4');
      else expect(notice.message).toContain('exited with code 3');

      // Everything the worker sent is on disk, followed by the host's note of the crash.
      const log = parseLog(readFileSync(session.logPath!, 'utf8'));
      expect(log.problems).toEqual([]);
      expect(log.header.name).toBe(`crash-${how}-4`);
      expect(log.records.map((r) => r.type)).toEqual([
        'event',
        'step',
        'step',
        'step',
        'step',
        'event',
      ]);
      expect(log.records.at(-1)).toMatchObject({ type: 'event', kind: 'error' });
      // Renderers got the same records (batched), and a late snapshot has them all.
      expect(events.records()).toEqual(log.records);
      expect(events.of('records').length).toBeLessThan(log.records.length);
      expect(core.snapshot()).toMatchObject({
        records: log.records,
        state: 'error',
        source: 'live',
        logPath: session.logPath,
      });

      // The app keeps working: a new start spawns a new worker and writes a new log.
      events.clear();
      expect(core.start()).toBe(true);
      const second = await events.waitFor('session');
      await events.waitFor('state', (e) => e.state === 'error');
      expect(second.logPath).not.toBe(session.logPath);
      expect(readdirSync(join(dir.path, 'sessions'))).toHaveLength(2);
    });
  }

  it('refuses to start a definition that has issues, and says why', async () => {
    const broken: DefinitionSource = {
      loadDefinitionFile: () => ({
        issues: [{ path: 'optimizer.lr', message: 'must be > 0', line: 9 }],
      }),
      parseDefinition: () => ({ issues: [] }),
    };
    const strict = new HostCore({
      worker: { path: crashingWorker },
      sessionsDir: dir.path,
      definitions: broken,
    });
    const log = new EventLog();
    strict.subscribe(log.listener);
    const info = await strict.loadDefinitionFile(definitionFile('whatever'));
    expect(info?.definition).toBeUndefined();
    expect((await log.waitFor('definition')).definition.issues).toHaveLength(1);
    expect(strict.start()).toBe(false);
    expect((await log.waitFor('notice')).message).toBe(
      'The definition "whatever" has 1 problem; fix it before starting.',
    );
    await strict.dispose();
  });
});
