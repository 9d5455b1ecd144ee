// Bundled example run definitions (resources/examples/*.yaml), listed for the renderer.
import { readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { ExampleInfo } from '../../protocol/host';

const DEFINITION_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export function listExamples(dir: string): ExampleInfo[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // no examples directory: nothing to offer, not an error
  }
  return names
    .filter((name) => DEFINITION_EXTENSIONS.has(extname(name).toLowerCase()))
    .sort()
    .map((name) => ({ name: basename(name, extname(name)), path: join(dir, name) }));
}
