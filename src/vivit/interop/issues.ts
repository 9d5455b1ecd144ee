// Problems found in a curvature case, each naming the field it is about (`params[2].shape`,
// `model[3].type`). The readers are the shared ones (src/protocol/fields.ts, as for run
// definitions); this file adds the case's issue list and PyTorch's int-or-pair. Pure.
import {
  checkKnownFields,
  checkNumber,
  formatPath,
  readNumber,
  type FieldPath,
  type IssueSink,
  type Obj,
} from '../../protocol/fields';
import { formatShape } from '../shape-error';

export {
  describeValue,
  isObj,
  readBoolean,
  readNumber,
  type FieldPath,
  type NumberRule,
  type Obj,
} from '../../protocol/fields';
export { formatShape };

export interface CaseIssue {
  /** `model[3].in`, `params[2].shape`, '' for the whole document. */
  path: string;
  message: string;
}

export function formatCaseIssue(issue: CaseIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

export class Issues implements IssueSink {
  readonly list: CaseIssue[] = [];

  add(path: FieldPath, message: string): void {
    this.list.push({ path: formatPath(path), message });
  }

  get count(): number {
    return this.list.length;
  }

  /** Reports every key of `o` not in `allowed`. */
  knownFields(o: Obj, path: FieldPath, allowed: readonly string[]): void {
    checkKnownFields(this, o, path, allowed);
  }
}

/** An integer or an [h, w] pair of integers, each >= min (PyTorch's int-or-tuple). */
export function readPair(
  issues: Issues,
  o: Obj,
  key: string,
  path: FieldPath,
  min: number,
  fallback: number | [number, number] | 'required',
): number | [number, number] | undefined {
  const value = o[key];
  const p = [...path, key];
  if (value === undefined) {
    if (fallback !== 'required') return fallback;
    issues.add(p, `missing required field '${key}' (an integer >= ${min} or a pair [h, w])`);
    return undefined;
  }
  if (Array.isArray(value)) {
    if (value.length !== 2) {
      issues.add(
        p,
        `expected an integer >= ${min} or a pair [h, w], got a list of ${value.length}`,
      );
      return undefined;
    }
    const rule = { integer: true, min };
    const h = checkNumber(issues, value[0], [...p, 0], rule);
    const w = checkNumber(issues, value[1], [...p, 1], rule);
    return h && w ? [value[0] as number, value[1] as number] : undefined;
  }
  return readNumber(issues, o, key, path, { integer: true, min }, 'required');
}
