// The engine's curvature result -> the case format's result (docs/curvature-case.md):
// numbers flat over parameters in case order (the engine already hands
// every per-parameter array over in PyTorch layout), per-sample tables as rows, the
// eigenvectors of the leading n_eigvecs directions. Signs: the engine applies the format's
// rule ('largest-entry': the entry of largest magnitude positive, γ columns flipped with their
// eigenvectors) to every direction when asked for γ; `computeCaseResult` asks for it. Pure.

import type { CurvatureResult } from '../curvature-types';
import type { Matrix } from '../quantities/matrix';

/** One parameter group of the result, as the format writes it. */
export interface GroupResultJson {
  param_indices: number[];
  eigvals: number[];
  eigvecs_top: number[][];
  gammas: number[][];
  lambdas: number[][];
  newton_step: number[];
}

export interface CurvatureResultJson {
  loss: number;
  gradient: number[];
  newton_step: number[];
  groups: GroupResultJson[];
}

/** Per-parameter arrays concatenated in order. */
function flat(parts: readonly ArrayLike<number>[]): number[] {
  const out: number[] = [];
  for (const part of parts) for (let i = 0; i < part.length; i++) out.push(part[i]);
  return out;
}

function rows(m: Matrix | undefined, what: string): number[][] {
  if (!m) throw new Error(`the engine returned no ${what}`);
  return Array.from({ length: m.rows }, (_, r) =>
    Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)),
  );
}

/** Converts the engine's result for a case into the result format; `nEigvecs` leading
 *  eigenvectors are written (fewer when K is smaller). */
export function exportResult(result: CurvatureResult, nEigvecs: number): CurvatureResultJson {
  if (!result.newtonStep) throw new Error('the engine returned no Newton step');
  const groups = result.groups.map((g): GroupResultJson => {
    const K = g.eigenvalues.length;
    const vectors = [...(g.eigenvectors ?? [])].sort((a, b) => a.index - b.index);
    const wanted = Math.min(nEigvecs, K);
    if (vectors.length < wanted || vectors.some((v, i) => i < wanted && v.index !== i)) {
      throw new Error(
        `the engine returned eigenvectors ${vectors.map((v) => v.index).join(', ')}; expected 0..${wanted - 1}`,
      );
    }
    if (!g.newtonStep) throw new Error('the engine returned no Newton step of a group');
    return {
      param_indices: [...g.params],
      eigvals: Array.from(g.eigenvalues),
      eigvecs_top: vectors.slice(0, wanted).map((v) => flat(v.parameters)),
      gammas: rows(g.gammas, 'gammas'),
      lambdas: rows(g.lambdas, 'lambdas'),
      newton_step: flat(g.newtonStep.parameters),
    };
  });
  return {
    loss: result.loss,
    gradient: flat(result.gradient),
    newton_step: flat(result.newtonStep),
    groups,
  };
}

/** Paths of the first few non-finite numbers in a result (JSON would write them as null). */
export function nonFiniteEntries(result: CurvatureResultJson, limit = 5): string[] {
  const found: string[] = [];
  const visit = (value: unknown, path: string): void => {
    if (found.length >= limit) return;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) found.push(`${path} = ${value}`);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}[${i}]`));
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) visit(v, path ? `${path}.${k}` : k);
    }
  };
  visit(result, '');
  return found;
}

/**
 * JSON text of a result: one line per number list, nested structure indented. Numbers are
 * written by JSON.stringify, i.e. the shortest text that reads back as the same float64.
 */
export function formatResultJson(value: unknown, indent = ''): string {
  if (!Array.isArray(value) && (typeof value !== 'object' || value === null))
    return JSON.stringify(value);
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return JSON.stringify(value);
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + formatResultJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  const body = entries.map(
    ([k, v]) => `${inner}${JSON.stringify(k)}: ${formatResultJson(v, inner)}`,
  );
  return `{\n${body.join(',\n')}\n${indent}}`;
}
