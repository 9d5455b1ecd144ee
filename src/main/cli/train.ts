// `vivit-monitor train`: validate, run headless through the host core, report progress.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatIssue } from '../../protocol/definition';
import type { HostEvent } from '../../protocol/host';
import type { RunState } from '../../protocol/worker';
import { HostCore } from '../host/host-core';
import { parseCommandArgs, parseInteger, UsageError } from './args';
import { TRAIN_HELP } from './help';
import { ProgressReporter } from './progress';

const ENDED: ReadonlySet<RunState> = new Set(['finished', 'stopped', 'error']);

export async function train(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(argv, {
    log: { type: 'string' },
    steps: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(TRAIN_HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'train needs a definition file'
        : `train takes one definition file, got ${positionals.length}`,
    );
  }
  const [definitionFile] = positionals;
  const maxSteps = parseInteger(values.steps, '--steps', 1);
  const logPath = typeof values.log === 'string' ? resolve(values.log) : undefined;
  if (logPath && existsSync(logPath)) {
    throw new UsageError(
      `--log ${values.log} already exists; choose a new file (logs are never overwritten)`,
    );
  }

  const core = new HostCore();
  try {
    const info = await core.loadDefinitionFile(definitionFile);
    if (!info || info.issues.length > 0 || !info.definition) {
      for (const issue of info?.issues ?? [])
        process.stderr.write(formatIssue(issue, definitionFile) + '\n');
      const n = info?.issues.length ?? 0;
      process.stderr.write(
        `${definitionFile}: ${n} problem${n === 1 ? '' : 's'}; nothing was run.\n`,
      );
      return 2;
    }
    return await runToEnd(core, { maxSteps, logPath });
  } finally {
    await core.dispose();
  }
}

async function runToEnd(
  core: HostCore,
  options: { maxSteps?: number; logPath?: string },
): Promise<number> {
  const tty = Boolean(process.stderr.isTTY);
  const progress = new ProgressReporter({
    out: tty ? process.stderr : process.stdout,
    tty,
    columns: process.stderr.columns,
  });
  let logPath: string | undefined;
  let interrupted = false;

  const ended = new Promise<RunState>((done) => {
    core.subscribe((event: HostEvent) => {
      progress.handle(event);
      if (event.kind === 'session') logPath = event.logPath;
      if (event.kind === 'state' && ENDED.has(event.state)) done(event.state);
    });
  });

  const onSignal = (): void => {
    if (interrupted) {
      // Second Ctrl-C: quit now. Every record so far is already in the log.
      progress.line(`quitting; the log is at ${logPath ?? '(not created yet)'}`);
      process.exit(130);
    }
    interrupted = true;
    progress.line('stopping after the current step (Ctrl-C again to quit at once)');
    core.command('stop');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (!core.start(options)) return 1;
    const state = await ended;
    progress.finish();
    if (logPath) process.stdout.write(`log: ${logPath}\n`);
    if (state === 'error') return 1;
    return interrupted ? 130 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
