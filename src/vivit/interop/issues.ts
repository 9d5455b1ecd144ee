// Problems found in a curvature case, each naming the field it is about (`params[2].shape`,
// `model[3].type`), and the small typed readers that find them. Pure: no files, no tfjs.

/** A field path: keys and list indices, e.g. ['model', 3, 'in']. */
export type FieldPath = readonly (string | number)[];

export interface CaseIssue {
  /** `model[3].in`, `params[2].shape`, '' for the whole document. */
  path: string;
  message: string;
}

export function formatCaseIssue(issue: CaseIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

/** `model[3].in` style, as users read it. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

export function formatShape(shape: readonly unknown[]): string {
  return `[${shape.join(', ')}]`;
}

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a value reads in a message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'string')
    return `the text "${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return 'an object';
}

export class Issues {
  readonly list: CaseIssue[] = [];

  add(path: FieldPath, message: string): void {
    this.list.push({ path: formatPath(path), message });
  }

  get count(): number {
    return this.list.length;
  }

  /** Reports every key of `o` not in `allowed`. */
  knownFields(o: Obj, path: FieldPath, allowed: readonly string[]): void {
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key))
        this.add([...path, key], `unknown field '${key}'; allowed here: ${allowed.join(', ')}`);
    }
  }
}

export interface NumberRule {
  integer?: boolean;
  /** Inclusive lower bound. */
  min?: number;
}

function ruleText(rule: NumberRule): string {
  const kind = rule.integer ? 'an integer' : 'a finite number';
  return rule.min === undefined ? kind : `${kind} >= ${rule.min}`;
}

/** A number that fits the rule, or an issue and undefined. */
export function checkNumber(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  rule: NumberRule,
): number | undefined {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isSafeInteger(value)) &&
    (rule.min === undefined || value >= rule.min);
  if (ok) return value;
  issues.add(path, `expected ${ruleText(rule)}, got ${describeValue(value)}`);
  return undefined;
}

/** o[key] checked against the rule; `fallback` when absent ('required' reports it). */
export function readNumber(
  issues: Issues,
  o: Obj,
  key: string,
  path: FieldPath,
  rule: NumberRule,
  fallback: number | 'required',
): number | undefined {
  if (o[key] === undefined) {
    if (fallback !== 'required') return fallback;
    issues.add([...path, key], `missing required field '${key}' (${ruleText(rule)})`);
    return undefined;
  }
  return checkNumber(issues, o[key], [...path, key], rule);
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
    const before = issues.count;
    const h = checkNumber(issues, value[0], [...p, 0], { integer: true, min });
    const w = checkNumber(issues, value[1], [...p, 1], { integer: true, min });
    return issues.count === before && h !== undefined && w !== undefined ? [h, w] : undefined;
  }
  return checkNumber(issues, value, p, { integer: true, min });
}

export function readBoolean(
  issues: Issues,
  o: Obj,
  key: string,
  path: FieldPath,
  fallback: boolean,
): boolean | undefined {
  const value = o[key];
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  issues.add([...path, key], `expected true or false, got ${describeValue(value)}`);
  return undefined;
}
