// Entry of the headless CLI (built to out/main/cli.js; bin/vivit-monitor.js imports it).
import { runCli } from './cli/run';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // An unexpected failure: say what happened in one line, keep the stack for bug reports.
    process.stderr.write(
      `vivit-monitor: unexpected error: ${(error as Error).message ?? String(error)}\n`,
    );
    if (process.env.VIVIT_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    process.exitCode = 1;
  },
);
