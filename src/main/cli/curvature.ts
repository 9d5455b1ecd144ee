// `vivit-monitor curvature <case.json> [--out result.json]`: the ViViT quantities of a frozen
// snapshot in the interop case format (docs/curvature-case.md). Reads and checks the
// case (syntax errors with line and column, field problems with their paths; exit 2), runs the
// curvature engine, writes the result JSON (atomically) or prints it, and a summary on stderr.
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  computeCaseResult,
  formatCaseIssue,
  formatResultJson,
  importCase,
  nonFiniteEntries,
  type CurvatureResultJson,
  type ImportedCase,
} from '../../vivit/interop/index';
import { chooseBackend } from '../../worker/backend';
import { findJsonSyntaxError } from '../../worker/definition/index';
import { parseCommandArgs, UsageError } from './args';
import { CURVATURE_HELP } from './help';
import { formatNumber } from './progress';

/** A problem that ends the command with a message and an exit code (no stack trace). */
class CommandFailure extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

function readText(file: string): string {
  const path = resolve(file);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory, expected a case file (.json)'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new CommandFailure(`${file}: cannot read ${path}: ${why}`, 2);
  }
}

function parseJson(text: string, file: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(body);
  } catch (error) {
    // JSON.parse does not always say where; the strict scanner does (line and column).
    const found = findJsonSyntaxError(body);
    const where = found
      ? `${file}:${found.line}: JSON syntax error at column ${found.column}`
      : `${file}: JSON syntax error`;
    throw new CommandFailure(`${where}: ${found?.message ?? (error as Error).message}`, 2);
  }
}

function loadCase(file: string): ImportedCase {
  const imported = importCase(parseJson(readText(file), file));
  if (imported.ok) return imported.value;
  const n = imported.issues.length;
  const lines = imported.issues.map((issue) => `${file}: ${formatCaseIssue(issue)}`);
  lines.push(`${file}: ${n} problem${n === 1 ? '' : 's'}; nothing was computed.`);
  throw new CommandFailure(lines.join('\n'), 2);
}

/** Writes next to the target and renames, so a failure never leaves half a result. */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.partial`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // nothing was written
    }
    throw new CommandFailure(`cannot write ${path}: ${(error as Error).message}`, 1);
  }
}

function summary(
  c: ImportedCase,
  result: CurvatureResultJson,
  seconds: number,
  backend: string | undefined,
): string {
  const lines = [
    `loss ${formatNumber(result.loss)}; ${c.network.parameterCount} parameters, ${c.batchSize} samples, ${c.dtype}${backend ? ` on tfjs ${backend}` : ''}`,
  ];
  result.groups.forEach((g, i) => {
    const top = g.eigvals.length > 0 ? `, largest eigenvalue ${formatNumber(g.eigvals[0])}` : '';
    lines.push(`group ${i} (params ${g.param_indices.join(', ')}): K = ${g.eigvals.length}${top}`);
  });
  lines.push(`computed in ${seconds.toFixed(2)} s`);
  return lines.join('\n');
}

export async function curvature(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(argv, {
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(CURVATURE_HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'curvature needs a case file (.json)'
        : `curvature takes one case file, got ${positionals.length}`,
    );
  }
  const [file] = positionals;
  const out = typeof values.out === 'string' ? resolve(values.out) : undefined;
  if (out && isDirectory(out))
    throw new UsageError(`--out ${values.out} is a directory; give a file name`);

  try {
    const c = loadCase(file);
    // float32 runs on tfjs: pick its fastest backend; float64 runs on plain Float64Arrays.
    const backend = c.dtype === 'float32' ? (await chooseBackend()).chosen : undefined;
    const started = performance.now();
    let result: CurvatureResultJson;
    try {
      // The engine refuses requests estimated above its budget; here it may use half the RAM.
      result = (await computeCaseResult(c, { memoryBudgetBytes: Math.floor(totalmem() / 2) }))
        .result;
    } catch (error) {
      throw new CommandFailure(`${file}: the computation failed: ${(error as Error).message}`, 1);
    }
    const seconds = (performance.now() - started) / 1000;
    const text = formatResultJson(result) + '\n';
    if (out) writeAtomically(out, text);
    else process.stdout.write(text);
    const bad = nonFiniteEntries(result);
    if (bad.length > 0)
      process.stderr.write(`warning: non-finite numbers (written as null): ${bad.join(', ')}\n`);
    process.stderr.write(summary(c, result, seconds, backend) + '\n');
    if (out) process.stderr.write(`result: ${out}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof CommandFailure)) throw error;
    process.stderr.write(error.message + '\n');
    return error.code;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
