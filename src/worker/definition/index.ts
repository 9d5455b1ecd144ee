// Run definitions: YAML or JSON text -> validated, normalized RunDefinition plus every issue
// found, each pointing at a field and a source line. Free of worker_threads and tfjs, so the
// host can validate on load.
import { readFile } from 'node:fs/promises';
import type { DefinitionIssue, RunDefinition } from '../../protocol/definition';
import { parseSource } from './source';
import { validateDefinition } from './validate';

export interface DefinitionResult {
  definition?: RunDefinition;
  issues: DefinitionIssue[];
}

/** Parses and validates definition text; `fileName` picks JSON vs YAML, names the run by
 *  default, and anchors relative data paths (its directory). */
export function parseDefinition(text: string, fileName: string): DefinitionResult {
  const parsed = parseSource(text, fileName);
  if (!parsed.ok) return { issues: parsed.issues };
  return validateDefinition(parsed.source, fileName);
}

/** Reads and validates a definition file; an unreadable file is reported as an issue. */
export async function loadDefinitionFile(path: string): Promise<DefinitionResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory'
          : (e as Error).message;
    return { issues: [{ path: '', message: `cannot read ${path}: ${why}` }] };
  }
  return parseDefinition(text, path);
}

export { formatIssue } from '../../protocol/definition';
// JSON syntax errors with line and column, for the CLI's curvature-case reader.
export { findJsonSyntaxError } from './json-syntax';
