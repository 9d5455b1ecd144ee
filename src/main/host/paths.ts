// Where things are on disk. The same code runs from TypeScript source (vitest, tsx) and bundled
// into out/main/{index,cli}.js or a shared chunk under out/main/chunks/, so nothing here assumes
// a fixed depth: the package root is found by walking up to our own package.json.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'vivit-monitor';
const hereFile = fileURLToPath(import.meta.url);
const hereDir = dirname(hereFile);

let cachedRoot: string | undefined;

/** The directory holding vivit-monitor's package.json (throws if the install is broken). */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  for (let dir = hereDir; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (
          (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME
        ) {
          cachedRoot = dir;
          return dir;
        }
      } catch {
        // An unreadable package.json on the way up is not ours; keep walking.
      }
    }
    if (dirname(dir) === dir) {
      throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${hereDir}`);
    }
  }
}

export const resourcesDir = (): string => join(packageRoot(), 'resources');
export const examplesDir = (): string => join(resourcesDir(), 'examples');
/** The built renderer, served by Electron and by the web host. */
export const rendererDir = (): string => join(packageRoot(), 'out', 'renderer');
/** The bundled MNIST MLP the app opens with. */
export const defaultExamplePath = (): string => join(examplesDir(), 'mnist-mlp.yaml');

/** App home: $VIVIT_MONITOR_HOME or ~/.vivit-monitor. */
export function appHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.VIVIT_MONITOR_HOME
    ? resolve(env.VIVIT_MONITOR_HOME)
    : join(homedir(), '.vivit-monitor');
}

/** Where session logs go unless the user names a file (CLI --log). */
export const defaultSessionsDir = (env: NodeJS.ProcessEnv = process.env): string =>
  join(appHome(env), 'sessions');

/** How to start the training worker. */
export interface WorkerSpec {
  /** The worker's entry file. */
  path: string;
  /** True when `path` is TypeScript source, loaded through tsx (tests and `tsx` runs only). */
  typescript?: boolean;
}

/**
 * The built worker sits next to the built host file (out/main/worker.js beside index.js/cli.js,
 * or one level up from a shared chunk). Running from source, the worker is its TypeScript entry.
 */
export function defaultWorkerSpec(): WorkerSpec {
  if (hereFile.endsWith('.ts')) {
    return { path: join(packageRoot(), 'src', 'worker', 'index.ts'), typescript: true };
  }
  for (const candidate of [join(hereDir, 'worker.js'), join(hereDir, '..', 'worker.js')]) {
    if (existsSync(candidate)) return { path: candidate };
  }
  return { path: join(packageRoot(), 'out', 'main', 'worker.js') };
}
