// The CLI as a user runs it: a separate process (from the TypeScript source through tsx, so no
// build is needed), the real definition module, the real worker thread, real files.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { applyHostEvent } from '../../src/renderer/src/stores/dispatch';
import { useSessionStore } from '../../src/renderer/src/stores/session';
import { parseLog } from '../../src/protocol/log-codec';
import { decodeHostEvent } from '../../src/protocol/wire-codec';
import type { HostEvent } from '../../src/protocol/host';
import { tempDir } from './helpers';

const root = process.cwd();
// tsx by absolute URL: the CLI runs with a temporary directory as its working directory.
const tsxLoader = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;
const cliArgs = ['--import', tsxLoader, join(root, 'src/main/cli.ts')];

const TINY = `# a small synthetic classification run
name: tiny cli run
seed: 3
data:
  source: synthetic
  task: classification
  features: 4
  outputs: 3
  train_size: 96
  test_size: 32
model:
  - type: linear
    in: 4
    out: 8
  - type: relu
  - type: linear
    in: 8
    out: 3
loss: cross_entropy
optimizer:
  type: sgd
  lr: 0.1
batch_size: 16
steps: 1000
eval:
  every: 10
`;

describe('vivit-monitor CLI', () => {
  let dir: ReturnType<typeof tempDir>;
  let env: NodeJS.ProcessEnv;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = tempDir('vivit-cli-');
    env = { ...process.env, VIVIT_MONITOR_HOME: join(dir.path, 'home') };
    writeFileSync(join(dir.path, 'tiny.yaml'), TINY);
  });
  afterEach(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    dir.remove();
  });

  const run = (...args: string[]) =>
    spawnSync(process.execPath, [...cliArgs, ...args], {
      cwd: dir.path,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('prints file:line: field: message for an invalid definition and exits 2, running nothing', () => {
    writeFileSync(
      join(dir.path, 'bad.yaml'),
      TINY.replace('    in: 8\n    out: 3', '    in: 9\n    out: 3').replace('lr: 0.1', 'lr: -1'),
    );
    const result = run('train', 'bad.yaml');
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe(
      'bad.yaml:17: model[2].in: 9 does not match the 8 features coming out of model[1] (relu)',
    );
    expect(lines[1]).toMatch(/^bad\.yaml:22: optimizer\.lr: /);
    expect(lines.at(-1)).toBe('bad.yaml: 2 problems; nothing was run.');
    expect(existsSync(join(dir.path, 'home'))).toBe(false);
  });

  it('trains --steps 20 headless and writes a log with 20 step records', () => {
    const result = run('train', 'tiny.yaml', '--steps', '20');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const logPath = /^log: (.+)$/m.exec(result.stdout)?.[1];
    expect(logPath).toBeDefined();
    expect(logPath!.startsWith(join(dir.path, 'home', 'sessions'))).toBe(true);
    // Not a TTY: plain lines, one per evaluation (steps 10 and 20).
    expect(result.stdout).toMatch(
      /^step 10\/20 {2}loss \S+ {2}acc \S+% {2}held-out loss \S+ {2}held-out acc \S+%/m,
    );
    expect(result.stdout).toMatch(/^step 20\/20 /m);
    expect(result.stdout).toMatch(/^finished at step 20$/m);

    const log = parseLog(readFileSync(logPath!, 'utf8'));
    expect(log.problems).toEqual([]);
    expect(log.header.name).toBe('tiny cli run');
    expect(log.header.definitionPath).toBe(join(dir.path, 'tiny.yaml'));
    const steps = log.records.filter((r) => r.type === 'step');
    expect(steps.map((r) => r.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(log.records.filter((r) => r.type === 'eval').map((r) => r.step)).toEqual([10, 20]);
    expect(log.records.at(-1)).toMatchObject({ type: 'event', kind: 'finished', step: 20 });
    // --steps overrides the definition's 1000; the header records the count the run used, and
    // the app reopening the log shows that total.
    expect(log.header.definition.steps).toBe(1000);
    expect(log.header.plannedSteps).toBe(20);
    setActivePinia(createPinia());
    applyHostEvent({ kind: 'session', header: log.header, source: 'replay', logPath: logPath! });
    applyHostEvent({ kind: 'records', records: log.records });
    expect(useSessionStore().plannedSteps).toBe(20);
  });

  it('writes to --log, and never overwrites an existing file', () => {
    const target = join(dir.path, 'out', 'mine.jsonl');
    const result = run('train', 'tiny.yaml', '--steps', '3', '--log', target);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`log: ${target}`);
    expect(
      parseLog(readFileSync(target, 'utf8')).records.filter((r) => r.type === 'step'),
    ).toHaveLength(3);
    const again = run('train', 'tiny.yaml', '--steps', '3', '--log', target);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(
      'already exists; choose a new file (logs are never overwritten)',
    );
  });

  it('stops cleanly on Ctrl-C and keeps every step in the log', async () => {
    const log = join(dir.path, 'interrupted.jsonl');
    const child = spawn(
      process.execPath,
      [...cliArgs, 'train', 'tiny.yaml', '--steps', '1000000', '--log', log],
      {
        cwd: dir.path,
        env,
      },
    );
    children.push(child);
    let stdout = '';
    // The first progress line (after the evaluation at step 10) says that steps have run.
    const stepping = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/^step \d+/m.test(stdout)) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    await stepping;
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toContain('stopping after the current step');
    expect(stdout).toContain(`log: ${log}`);
    const parsed = parseLog(readFileSync(log, 'utf8'));
    expect(parsed.problems).toEqual([]);
    const steps = parsed.records.filter((r) => r.type === 'step').map((r) => r.step);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1));
    expect(parsed.records.at(-1)).toMatchObject({
      type: 'event',
      kind: 'stopped',
      step: steps.length,
    });
  });

  it('explains bad arguments and offers help', () => {
    expect(run('train', '--help')).toMatchObject({
      status: 0,
      stdout: expect.stringContaining('Usage: vivit-monitor train <definition>'),
    });
    expect(run('serve', '--help')).toMatchObject({
      status: 0,
      stdout: expect.stringContaining('Usage: vivit-monitor serve'),
    });
    expect(run('train', 'tiny.yaml', '--steps', '0')).toMatchObject({
      status: 2,
      stderr:
        'vivit-monitor: --steps must be a whole number >= 1, got "0"\n(see vivit-monitor train --help)\n',
    });
    expect(run('train')).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('train needs a definition file'),
    });
    expect(run('fly')).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('unknown command "fly"'),
    });
    expect(run('curvature')).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('curvature needs a case file'),
    });
    const missing = run('train', 'missing.yaml');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(
      `missing.yaml: cannot read ${join(dir.path, 'missing.yaml')}: file not found\nmissing.yaml: 1 problem; nothing was run.\n`,
    );
  });

  it('serves a definition on 127.0.0.1 with a token URL, until Ctrl-C', async () => {
    const child = spawn(process.execPath, [...cliArgs, 'serve', 'tiny.yaml'], {
      cwd: dir.path,
      env,
    });
    children.push(child);
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /serving on (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
        if (match) resolve(match[1]);
      });
      child.on('exit', () => reject(new Error(`serve exited: ${out}`)));
    });
    const { port, searchParams } = new URL(url);
    expect((await fetch(`http://127.0.0.1:${port}/api/log`)).status).toBe(401);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${searchParams.get('token')}`);
    const snapshot = await new Promise<HostEvent>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ kind: 'hello' })));
      ws.on('message', (data) => resolve(decodeHostEvent(data as Buffer)));
      ws.on('error', reject);
    });
    expect(snapshot).toMatchObject({
      kind: 'snapshot',
      state: 'idle',
      definition: { name: 'tiny cli run', issues: [] },
    });
    ws.close();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('bin/vivit-monitor.js says to build when out/ is missing', () => {
    const fakeRoot = join(dir.path, 'pkg');
    mkdirSync(join(fakeRoot, 'bin'), { recursive: true });
    copyFileSync(join(root, 'bin', 'vivit-monitor.js'), join(fakeRoot, 'bin', 'vivit-monitor.js'));
    writeFileSync(join(fakeRoot, 'package.json'), '{"type":"module"}');
    const result = spawnSync(
      process.execPath,
      [join(fakeRoot, 'bin', 'vivit-monitor.js'), '--help'],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /the app is not built \(.*out\/main\/cli\.js is missing\): run npm run build/,
    );
    expect(readdirSync(fakeRoot)).not.toContain('out');
  });
});
