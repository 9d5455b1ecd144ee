// Host core: opening saved logs (replay), "save log as", and which paths a page may open.
// No worker is needed: these sessions come from files.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostCore } from '../../src/main/host/host-core';
import type { HostEvent } from '../../src/protocol/host';
import { encodeRecord, parseLog } from '../../src/protocol/log-codec';
import type { LogRecord } from '../../src/protocol/records';
import { sampleBody, sampleHeader } from '../protocol/sample-records';
import { EventLog, tempDir } from './helpers';

const logText = (records: LogRecord[]): string => records.map(encodeRecord).join('');

describe('host core: logs', () => {
  let dir: ReturnType<typeof tempDir>;
  let core: HostCore;
  let events: EventLog;

  beforeEach(() => {
    dir = tempDir();
    core = new HostCore({
      worker: { path: join(dir.path, 'no-worker-needed.js') },
      sessionsDir: join(dir.path, 'sessions'),
      examplesDir: join(dir.path, 'examples'),
    });
    events = new EventLog();
    core.subscribe(events.listener);
  });
  afterEach(async () => {
    await core.dispose();
    dir.remove();
  });

  it('replays a saved log: session (replay), its records, the state it ended in', () => {
    const body = sampleBody(7);
    const path = join(dir.path, 'run.jsonl');
    writeFileSync(path, logText([sampleHeader(), ...body]));
    expect(core.openLogFile(path)).toBe(true);
    expect(events.kinds()).toEqual(['session', 'records', 'state:finished']);
    expect(events.of('session')[0]).toEqual({
      kind: 'session',
      header: sampleHeader(),
      source: 'replay',
      logPath: path,
    });
    expect(events.records()).toEqual(body);
    expect(events.of('state')[0]).toEqual({ kind: 'state', state: 'finished', step: 7 });
    expect(core.snapshot()).toMatchObject({
      source: 'replay',
      header: sampleHeader(),
      records: body,
      state: 'finished',
      logPath: path,
    });
  });

  it('choosing a definition ends the replay, also for renderers that connect later', async () => {
    const path = join(dir.path, 'run.jsonl');
    writeFileSync(path, logText([sampleHeader(), ...sampleBody(3)]));
    expect(core.openLogFile(path)).toBe(true);
    expect(core.snapshot().source).toBe('replay');
    await core.loadDefinitionText(JSON.stringify(sampleHeader().definition), 'tiny.json');
    const snapshot = core.snapshot();
    expect(snapshot).toMatchObject({ source: 'none', records: [] });
    expect(snapshot.header).toBeUndefined();
    expect(snapshot.definition?.name).toBe('tiny mlp');
  });

  it('replays a log cut short, telling which line was skipped', () => {
    const text = logText([sampleHeader(), ...sampleBody(3)]);
    const lines = text.split('\n').length - 1;
    core.openLogText(text.slice(0, -10), 'cut.jsonl');
    const notice = events.of('notice')[0];
    expect(notice).toEqual({
      kind: 'notice',
      level: 'warning',
      message: `cut.jsonl: line ${lines} is truncated (the session probably ended mid-write); skipped.`,
    });
    expect(events.records()).toEqual(sampleBody(3).slice(0, -1));
    // The last event was not 'finished' (it was cut off), so the replay reads as stopped.
    expect(events.of('state')[0].state).toBe('stopped');
  });

  it('refuses a file that is not a session log, and leaves the current session alone', () => {
    core.openLogText(logText([sampleHeader(), ...sampleBody(2)]), 'good.jsonl');
    events.clear();
    expect(core.openLogText('name: not a log\n', 'notes.yaml')).toBe(false);
    expect(events.events).toEqual([
      {
        kind: 'notice',
        level: 'error',
        message:
          'Cannot open notes.yaml: line 1 is not JSON, so this is not a ViViT Monitor session log (it must start with a header record of format "vivit-monitor-log")',
      },
    ]);
    expect(core.snapshot().records).toEqual(sampleBody(2));
    expect(core.openLogFile(join(dir.path, 'missing.jsonl'))).toBe(false);
    expect(events.of('notice')[1].message).toMatch(
      /^Cannot open .*missing\.jsonl: file not found$/,
    );
  });

  it('saves the session on display to a new file, byte for byte', () => {
    const text = logText([sampleHeader(), ...sampleBody(4)]);
    const source = join(dir.path, 'source.jsonl');
    writeFileSync(source, text);
    expect(() => core.saveLogAs(join(dir.path, 'early.jsonl'))).toThrow(/no session to save yet/);
    core.openLogFile(source);
    const copy = core.saveLogAs(join(dir.path, 'copies', 'copy.jsonl'));
    expect(readFileSync(copy, 'utf8')).toBe(text);
    // An uploaded log has no file: it is written out from memory and reads back the same.
    core.openLogText(text, 'upload.jsonl');
    const fromMemory = core.saveLogAs(join(dir.path, 'upload-copy.jsonl'));
    expect(parseLog(readFileSync(fromMemory, 'utf8'))).toEqual(parseLog(text));
    expect(core.currentLogText()).toEqual({ name: 'tiny mlp.jsonl', text });
  });

  it('lets a page open only examples and files chosen in the app', async () => {
    const chosen = join(dir.path, 'chosen.jsonl');
    const other = join(dir.path, 'other.jsonl');
    writeFileSync(chosen, logText([sampleHeader(), ...sampleBody(1)]));
    writeFileSync(other, logText([sampleHeader(), ...sampleBody(1)]));
    const replies: HostEvent[] = [];
    await core.handle({ kind: 'openLog', path: other }, (e) => replies.push(e));
    await core.handle({ kind: 'loadDefinition', path: '/etc/passwd' }, (e) => replies.push(e));
    expect(replies.map((r) => r.kind === 'notice' && r.message)).toEqual([
      'Refused to open other.jsonl: the page may only open bundled examples and files chosen in the app. Upload the log file instead.',
      'Refused to open passwd: the page may only open bundled examples and files chosen in the app. Upload the definition file instead.',
    ]);
    expect(events.events).toEqual([]); // nothing was opened
    core.openLogFile(chosen); // chosen through the app (dialog, CLI) ...
    events.clear();
    await core.handle({ kind: 'openLog', path: chosen }, (e) => replies.push(e)); // ... so the page may reopen it
    expect(events.kinds()).toEqual(['session', 'records', 'state:finished']);
  });

  it('answers hello with a snapshot to the requester only', async () => {
    const replies: HostEvent[] = [];
    await core.handle({ kind: 'hello' }, (e) => replies.push(e));
    expect(replies).toEqual([
      { kind: 'snapshot', examples: [], records: [], state: 'idle', step: 0, source: 'none' },
    ]);
    expect(events.events).toEqual([]);
  });

  it('says there is nothing to stop or pause when idle', () => {
    core.command('stop');
    core.command('pause');
    expect(events.of('notice').map((n) => n.message)).toEqual([
      'Nothing is running, so there is nothing to stop.',
      'Nothing is running, so there is nothing to pause.',
    ]);
    core.command('start');
    expect(events.of('notice')[2].message).toBe('Load a run definition before starting.');
  });
});
