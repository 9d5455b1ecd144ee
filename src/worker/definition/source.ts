// Turns definition text (YAML or JSON) into a plain value plus a way to find the source line of
// any field path, so that every later issue can point at a line.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { DefinitionIssue } from '../../protocol/definition';
import { findJsonSyntaxError } from './json-syntax';

import type { FieldPath } from '../../protocol/fields';

export type { FieldPath };

export interface ParsedSource {
  value: unknown;
  /** The 1-based line of the deepest existing node on `path` (a key's own line for map keys). */
  lineOf(path: FieldPath): number | undefined;
}

export type SourceResult =
  { ok: true; source: ParsedSource } | { ok: false; issues: DefinitionIssue[] };

export function isJsonFileName(fileName: string): boolean {
  return /\.json$/i.test(fileName);
}

/** The yaml package's message without its appended "at line L, column C:\n<excerpt>". */
function shortYamlMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
}

export function parseSource(rawText: string, fileName: string): SourceResult {
  const text = rawText.replace(/^\uFEFF/, '');
  if (isJsonFileName(fileName)) {
    const err = findJsonSyntaxError(text);
    if (err) {
      return {
        ok: false,
        issues: [
          {
            path: '',
            line: err.line,
            message: `JSON syntax error at column ${err.column}: ${err.message}`,
          },
        ],
      };
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        return {
          path: '',
          line: pos.line,
          message: `YAML syntax error at column ${pos.col}: ${shortYamlMessage(e.message)}`,
        };
      }),
    };
  }

  const lineAt = (node: { range?: [number, number, number] | null } | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;

  const lineOf = (path: FieldPath): number | undefined => {
    let node: unknown = doc.contents;
    let line = lineAt(doc.contents as Node | null) ?? 1;
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isScalar(p.key) && String(p.key.value) === String(part),
        );
        if (!pair) break;
        line = lineAt(pair.key as Node) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number') {
        const item = node.items[part];
        if (item === undefined) break;
        line = lineAt(item as Node) ?? line;
        node = item;
      } else {
        break;
      }
    }
    return line;
  };

  return { ok: true, source: { value: doc.toJS({ maxAliasCount: 100 }), lineOf } };
}
