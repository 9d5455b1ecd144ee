// Starts and stops the real web host (`node out/main/cli.js serve`) for the browser tests and
// the renderer benchmark: one place that knows how `serve` announces its URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
export const builtCli = join(projectRoot, 'out', 'main', 'cli.js');

export interface RunningHost {
  child: ChildProcess;
  /** The URL `serve` printed, token included. */
  url: string;
  /** Everything the host printed so far (for failure messages). */
  output: () => string;
}

/** Starts `serve [definition] --port 0` with its own home directory and resolves with the URL. */
export function startWebHost(home: string, definition?: string): Promise<RunningHost> {
  const args = [builtCli, 'serve', ...(definition ? [definition] : []), '--port', '0'];
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: { ...process.env, VIVIT_MONITOR_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`serve printed no URL in 60 s:\n${output}`)),
      60_000,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        done({ child, url: match[1], output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`serve exited with ${code} before printing its URL:\n${output}`));
    });
  });
}

/** Stops the host the way a user does (SIGINT, so the log is closed), SIGKILL after 10 s. */
export async function stopWebHost(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The bundled MNIST example. */
export const mnistExample = join(projectRoot, 'resources', 'examples', 'mnist-mlp.yaml');

/**
 * Writes the bundled MNIST example with a million steps into `dir` and returns its path: on a
 * loaded machine drawing the panels can take longer than the example's own steps, and a
 * finished run can no longer be paused. `check` vets the example's text first.
 */
export function writeLongMnistExample(
  dir: string,
  check?: (text: string) => string | undefined,
): string {
  const example = readFileSync(mnistExample, 'utf8');
  const problem = check?.(example);
  if (problem) throw new Error(`${mnistExample}: ${problem}`);
  const longer = example.replace(/^steps: \d+/m, 'steps: 1000000');
  if (longer === example) throw new Error(`no top-level steps: line in ${mnistExample}`);
  const path = join(dir, 'mnist-mlp.yaml');
  writeFileSync(path, longer);
  return path;
}
