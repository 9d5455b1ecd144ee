// The worked example of docs/engine.md runs as written and prints what the document shows.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, vi } from 'vitest';

const doc = fileURLToPath(new URL('../../../docs/engine.md', import.meta.url));
const src = fileURLToPath(new URL('../../../src/vivit/index.ts', import.meta.url));

test('docs/engine.md worked example', async () => {
  const text = readFileSync(doc, 'utf8');
  const start = text.indexOf('<!-- runnable example -->');
  expect(start).toBeGreaterThan(0);
  const code = /```ts\n([\s\S]*?)```/.exec(text.slice(start))![1];
  const printed = /prints\n\n```\n([\s\S]*?)```/.exec(text.slice(start))![1].trim().split('\n');
  const dir = mkdtempSync(join(tmpdir(), 'engine-doc-'));
  const file = join(dir, 'example.ts');
  writeFileSync(file, code.replace("'../src/vivit/index'", JSON.stringify(src)));
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.join(' '));
  });
  try {
    await import(/* @vite-ignore */ file);
  } finally {
    log.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
  expect(lines).toEqual(printed);
});
