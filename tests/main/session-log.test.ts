import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  safeRunName,
  sessionLogFileName,
  SessionLogWriter,
  uniqueLogPath,
} from '../../src/main/host/session-log';
import { parseLog } from '../../src/protocol/log-codec';
import { sampleBody, sampleHeader } from '../protocol/sample-records';
import { tempDir } from './helpers';

describe('session log files', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  it('names files by local time and a safe run name', () => {
    const date = new Date(2025, 0, 2, 3, 4, 5);
    expect(sessionLogFileName('MNIST mlp / v2', date)).toBe(
      '2025-01-02_03-04-05_MNIST-mlp-v2.jsonl',
    );
    expect(safeRunName('../../etc/passwd')).toBe('etc-passwd');
    expect(safeRunName('???')).toBe('run');
    expect(safeRunName('x'.repeat(100))).toHaveLength(60);
  });

  it('never reuses or overwrites a file', () => {
    const date = new Date(2025, 0, 2, 3, 4, 5);
    const first = uniqueLogPath(dir.path, 'run', date);
    SessionLogWriter.create(first, sampleHeader()).close();
    const second = uniqueLogPath(dir.path, 'run', date);
    expect(second).toBe(join(dir.path, '2025-01-02_03-04-05_run-2.jsonl'));
    expect(() => SessionLogWriter.create(first, sampleHeader())).toThrow(/EEXIST/);
  });

  it('writes the header and every record as it goes', () => {
    const path = join(dir.path, 'nested', 'run.jsonl');
    const writer = SessionLogWriter.create(path, sampleHeader());
    const body = sampleBody(6);
    for (const [i, record] of body.entries()) {
      writer.append(record);
      // Readable at once, without closing or flushing: the write went straight to the OS.
      expect(parseLog(readFileSync(path, 'utf8')).records).toHaveLength(i + 1);
    }
    writer.close();
    expect(parseLog(readFileSync(path, 'utf8'))).toEqual({
      header: sampleHeader(),
      records: body,
      problems: [],
    });
    expect(() => writer.append(body[0])).toThrow(/is closed/);
  });

  it('keeps every record when the writing process is killed mid-run', () => {
    const path = join(dir.path, 'killed.jsonl');
    const script = join(dir.path, 'writer.ts');
    // A separate process writes 200 steps and then is killed with SIGKILL (no exit handlers,
    // no chance to flush anything): the file must hold all of them.
    writeFileSync(
      script,
      `import { SessionLogWriter } from ${JSON.stringify(join(process.cwd(), 'src/main/host/session-log.ts'))};
       import { sampleHeader } from ${JSON.stringify(join(process.cwd(), 'tests/protocol/sample-records.ts'))};
       const writer = SessionLogWriter.create(${JSON.stringify(path)}, sampleHeader());
       for (let step = 1; step <= 200; step++) {
         writer.append({ type: 'step', step, epoch: 0, loss: 1 / step, time: step, stepMs: 1, samplesPerSec: 1 });
       }
       process.kill(process.pid, 'SIGKILL');`,
    );
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: process.cwd(),
      encoding: 'utf8',
    });
    expect(result.signal).toBe('SIGKILL');
    const log = parseLog(readFileSync(path, 'utf8'));
    expect(log.problems).toEqual([]);
    expect(log.records.map((r) => r.step)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });
});
