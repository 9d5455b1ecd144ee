// `npm start`: build if needed, then open the desktop app; where Electron cannot run (no binary,
// no display), serve the same app to a browser instead.
/* global process, console */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findElectronBinary } from './electron-binary.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_OUTPUTS = [
  'out/main/index.js',
  'out/main/cli.js',
  'out/main/worker.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
];
const BUILD_INPUTS = ['src', 'electron.vite.config.ts', 'package.json', 'tsconfig.base.json'];

/** Newest modification time under a file or directory. */
function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function buildIfNeeded() {
  const outputs = BUILD_OUTPUTS.map((p) => join(root, p));
  const missing = outputs.some((p) => !existsSync(p));
  const stale =
    !missing &&
    Math.max(
      ...BUILD_INPUTS.map((p) => join(root, p))
        .filter(existsSync)
        .map(newestMtime),
    ) > Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  if (!missing && !stale) return;
  console.log(
    missing ? 'Building the app (out/ is missing)…' : 'Rebuilding the app (sources changed)…',
  );
  const bin = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const result = spawnSync(process.execPath, [bin, 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('The build failed; see the messages above.');
    process.exit(result.status ?? 1);
  }
}

async function serveInBrowser() {
  const cli = join(root, 'out', 'main', 'cli.js');
  process.argv = [
    process.argv[0],
    cli,
    'serve',
    join(root, 'resources', 'examples', 'mnist-mlp.yaml'),
  ];
  await import(pathToFileURL(cli).href);
}

buildIfNeeded();
const electron = findElectronBinary();
const noDisplay =
  process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
if (!electron.path) {
  console.log(
    `Electron cannot start here (${electron.reason}); serving the app to a browser instead.`,
  );
  await serveInBrowser();
} else if (noDisplay) {
  console.log(
    'Electron cannot start here (no display: DISPLAY is not set); serving the app to a browser instead.',
  );
  await serveInBrowser();
} else {
  const args = [root];
  // Chromium refuses to run as root unless its OS sandbox is off (containers); say so.
  if (process.getuid?.() === 0) {
    console.log(
      "Running as root: starting Electron with --no-sandbox (Chromium's OS sandbox is off).",
    );
    args.unshift('--no-sandbox');
  }
  const child = spawn(electron.path, args, { cwd: root, stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  // The terminal's Ctrl-C reaches Electron too; just wait for it to quit.
  process.on('SIGINT', () => {});
}
