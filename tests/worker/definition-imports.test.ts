// The host imports src/worker/definition to validate files on load, in Electron's main process
// and in the CLI. It must not pull in tfjs (heavy, and it would pick a backend in the host) or
// worker_threads. This follows the runtime (non-type) imports from the module's entry.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');

function resolveLocal(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
    if (existsSync(candidate) && candidate.endsWith('.ts')) return candidate;
  }
  throw new Error(`cannot resolve ${spec} from ${from}`);
}

/** Bare package specifiers reachable from `entry` through runtime imports. */
function externalImports(entry: string): Map<string, string> {
  const found = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const pattern = /^(?:import|export)\s+(type\s+)?(?:[^;'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
    for (const m of text.matchAll(pattern)) {
      if (m[1]) continue; // `import type` is erased
      const spec = m[2];
      if (spec.startsWith('.')) visit(resolveLocal(file, spec));
      else if (!found.has(spec)) found.set(spec, file.slice(ROOT.length + 1));
    }
  };
  visit(entry);
  return found;
}

describe('definition module dependencies', () => {
  it('imports neither tfjs nor worker_threads, directly or through src/vivit/shapes', () => {
    const externals = externalImports(resolve(ROOT, 'src/worker/definition/index.ts'));
    const forbidden = [...externals].filter(
      ([spec]) => spec.startsWith('@tensorflow/') || spec.includes('worker_threads'),
    );
    expect(forbidden).toEqual([]);
    // the scan does see imports: yaml is a real dependency of the module
    expect(externals.has('yaml')).toBe(true);
  });

  it('the scan would catch a tfjs import', () => {
    expect(externalImports(resolve(ROOT, 'src/worker/backend.ts')).has('@tensorflow/tfjs')).toBe(
      true,
    );
  });
});
