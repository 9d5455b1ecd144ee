// Loading run definitions for display and for runs. The validation itself belongs to the
// worker room (src/worker/definition); this adapter turns its result into a DefinitionInfo.
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { DefinitionIssue, RunDefinition } from '../../protocol/definition';
import type { DefinitionInfo } from '../../protocol/host';

export interface DefinitionResult {
  definition?: RunDefinition;
  issues: DefinitionIssue[];
}

/** The worker room's definition module (injectable so host tests can pin its behaviour). */
export interface DefinitionSource {
  loadDefinitionFile(path: string): DefinitionResult | Promise<DefinitionResult>;
  parseDefinition(text: string, fileName: string): DefinitionResult | Promise<DefinitionResult>;
}

/** The real module, imported on first use. */
export const workerDefinitions: DefinitionSource = {
  async loadDefinitionFile(path) {
    return (await import('../../worker/definition/index')).loadDefinitionFile(path);
  },
  async parseDefinition(text, fileName) {
    return (await import('../../worker/definition/index')).parseDefinition(text, fileName);
  },
};

const displayName = (fileName: string): string => basename(fileName, extname(fileName));

function info(
  result: DefinitionResult,
  text: string,
  fileName: string,
  path?: string,
): DefinitionInfo {
  const out: DefinitionInfo = {
    name: result.definition?.name ?? displayName(fileName),
    text,
    issues: result.issues,
  };
  if (path !== undefined) out.path = path;
  if (result.definition && result.issues.length === 0) out.definition = result.definition;
  return out;
}

/** Reads and validates a definition file; an unreadable file becomes an issue, not a throw. */
export async function definitionFromFile(
  source: DefinitionSource,
  path: string,
): Promise<DefinitionInfo> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    return {
      name: displayName(path),
      path,
      text: '',
      issues: [{ path: '', message: `cannot read ${path}: ${reason}` }],
    };
  }
  return info(await source.loadDefinitionFile(path), text, path, path);
}

/** Validates definition text that arrived without a file (a browser upload). */
export async function definitionFromText(
  source: DefinitionSource,
  text: string,
  fileName: string,
): Promise<DefinitionInfo> {
  return info(await source.parseDefinition(text, fileName), text, fileName);
}
