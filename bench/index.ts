// Benchmark dispatcher: `npm run bench -- <name> [options]` runs bench/<name>.ts with the
// options as its own command line; without a name it lists the benchmarks.
// A benchmark is a module that does its work when imported and reads process.argv.slice(2).

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -3))
  .sort();

/** The first comment line of a benchmark file, as its description. */
function describe(name: string): string {
  const first = readFileSync(join(dir, `${name}.ts`), 'utf8').split('\n')[0] ?? '';
  return first.startsWith('//') ? first.replace(/^\/\/\s*/, '') : '';
}

function list(): void {
  const width = Math.max(...names.map((n) => n.length));
  console.log('usage: npm run bench -- <name> [options]\n\nbenchmarks:');
  for (const name of names) console.log(`  ${name.padEnd(width)}  ${describe(name)}`);
}

const name = process.argv[2];
if (name === undefined || name === '--help' || name === '-h') {
  list();
} else if (!names.includes(name)) {
  console.error(`unknown benchmark '${name}'\n`);
  list();
  process.exitCode = 1;
} else {
  // The benchmark sees only its own options, as when run directly with tsx.
  process.argv.splice(2, 1);
  await import(pathToFileURL(join(dir, `${name}.ts`)).href);
}
