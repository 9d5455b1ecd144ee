#!/usr/bin/env node
// The `vivit-monitor` command: a shim that runs the built CLI (out/main/cli.js).
/* global process, URL */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write(
    `vivit-monitor: the app is not built (${cli} is missing): run npm run build\n`,
  );
  process.exit(1);
}
await import(pathToFileURL(cli).href);
