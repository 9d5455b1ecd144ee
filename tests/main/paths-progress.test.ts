import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressReporter } from '../../src/main/cli/progress';
import { listExamples } from '../../src/main/host/examples';
import {
  appHome,
  defaultSessionsDir,
  defaultWorkerSpec,
  examplesDir,
  packageRoot,
} from '../../src/main/host/paths';
import { sampleBody, sampleHeader } from '../protocol/sample-records';

describe('paths', () => {
  it('finds the package root and the bundled examples from the source tree', () => {
    expect(packageRoot()).toBe(process.cwd());
    const names = listExamples(examplesDir()).map((e) => e.name);
    expect(names).toContain('mnist-mlp');
    expect(listExamples(join(process.cwd(), 'no-such-dir'))).toEqual([]);
  });

  it('runs the TypeScript worker entry when running from source', () => {
    expect(defaultWorkerSpec()).toEqual({
      path: join(process.cwd(), 'src', 'worker', 'index.ts'),
      typescript: true,
    });
  });

  it('puts sessions under $VIVIT_MONITOR_HOME, else ~/.vivit-monitor', () => {
    expect(defaultSessionsDir({ VIVIT_MONITOR_HOME: '/data/vm' })).toBe('/data/vm/sessions');
    expect(appHome({})).toMatch(/\.vivit-monitor$/);
  });
});

describe('terminal progress', () => {
  const session = { kind: 'session', header: sampleHeader(), source: 'live' } as const;

  it('takes the bar total from the header, where the worker records it', () => {
    let out = '';
    const progress = new ProgressReporter({
      out: { write: (t: string) => (out += t) },
      tty: false,
    });
    progress.handle({ ...session, header: sampleHeader({ plannedSteps: 7 }) });
    progress.handle({ kind: 'records', records: sampleBody(5) });
    expect(out).toMatch(/^step 5\/7 /m);
  });

  it('redraws one bar line on a terminal', () => {
    let out = '';
    const progress = new ProgressReporter({
      out: { write: (t: string) => (out += t) },
      tty: true,
      columns: 120,
      redrawMs: 0,
    });
    progress.handle(session);
    progress.handle({
      kind: 'records',
      records: sampleBody(5).filter((r) => r.type === 'step' && r.step <= 4),
    });
    const bar = out.split('\r\x1b[2K').at(-1)!;
    expect(bar).toMatch(
      /^\[######-{24}\] step 4\/20 {2}loss 0\.2500 {2}acc 40\.0% {2}100\.0 steps\/s$/,
    );
    progress.finish();
    expect(out.endsWith('\n')).toBe(true);
  });

  it('prints plain lines per evaluation and run event otherwise', () => {
    let out = '';
    const progress = new ProgressReporter({
      out: { write: (t: string) => (out += t) },
      tty: false,
    });
    progress.handle(session);
    progress.handle({ kind: 'records', records: sampleBody(5) });
    progress.finish();
    expect(out.split('\n').slice(1)).toEqual([
      'step 5/20  loss 0.2000  acc 50.0%  held-out loss Infinity  held-out acc 50.0%  100.0 steps/s',
      'finished at step 5: done',
      '',
    ]);
  });
});
