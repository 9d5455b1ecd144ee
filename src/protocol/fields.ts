// The one field-reading module: typed readers for fields of user-written documents (run
// definitions, curvature cases) and the checks' shared vocabulary — paths (`model[3].in`), how a
// value reads in a message, number/boolean/text/choice rules. Each reader checks one field,
// reports an issue to a sink (which adds what it knows, e.g. the source line) when it is wrong,
// and returns the value or its default. Pure: no files.
import { suggest } from './suggest';

/** A field path: keys and list indices, e.g. ['model', 3, 'in']. */
export type FieldPath = readonly (string | number)[];

export type Obj = Record<string, unknown>;

/** Where readers report problems. */
export interface IssueSink {
  add(path: FieldPath, message: string): void;
  /** Issues so far (a reader compares counts to tell whether its parts were fine). */
  readonly count: number;
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

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a value reads in a message: `a string ('0.1')`, `a list`, ... */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (an empty value)';
  if (typeof value === 'string')
    return `a string ('${value.length > 40 ? value.slice(0, 40) + '…' : value}')`;
  if (typeof value === 'number') return `${value}`;
  if (typeof value === 'boolean') return `${value}`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/** Checks that value is a mapping; reports and returns undefined otherwise. */
export function readMapping(
  c: IssueSink,
  value: unknown,
  path: FieldPath,
  what: string,
): Obj | undefined {
  if (isObj(value)) return value;
  c.add(path, `expected ${what} (a mapping of fields), got ${describeValue(value)}`);
  return undefined;
}

/** Reports every field that is not allowed, suggesting the closest allowed name. */
export function checkKnownFields(
  c: IssueSink,
  o: Obj,
  path: FieldPath,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(o)) {
    if (allowed.includes(key)) continue;
    const guess = suggest(key, allowed);
    c.add(
      [...path, key],
      guess
        ? `unknown field '${key}'; did you mean '${guess}'?`
        : `unknown field '${key}'; allowed here: ${allowed.join(', ')}`,
    );
  }
}

export interface NumberRule {
  integer?: boolean;
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Exclusive bounds. */
  above?: number;
  below?: number;
}

function describeRule(rule: NumberRule): string {
  const lower =
    rule.above !== undefined
      ? { v: rule.above, open: true }
      : rule.min !== undefined
        ? { v: rule.min, open: false }
        : undefined;
  const upper =
    rule.below !== undefined
      ? { v: rule.below, open: true }
      : rule.max !== undefined
        ? { v: rule.max, open: false }
        : undefined;
  const kind = rule.integer ? 'an integer' : 'a number';
  if (lower && upper) {
    return `${kind} in ${lower.open ? '(' : '['}${lower.v}, ${upper.v}${upper.open ? ')' : ']'}`;
  }
  if (lower) return `${kind} ${lower.open ? '>' : '>='} ${lower.v}`;
  if (upper) return `${kind} ${upper.open ? '<' : '<='} ${upper.v}`;
  return kind;
}

/** Checks a number against a rule; reports and returns false when it does not fit. */
export function checkNumber(
  c: IssueSink,
  value: unknown,
  path: FieldPath,
  rule: NumberRule,
): value is number {
  const expected = describeRule(rule);
  if (typeof value !== 'number' || Number.isNaN(value)) {
    c.add(path, `expected ${expected}, got ${describeValue(value)}`);
    return false;
  }
  const bad =
    !Number.isFinite(value) ||
    (rule.integer && !Number.isSafeInteger(value)) ||
    (rule.min !== undefined && value < rule.min) ||
    (rule.max !== undefined && value > rule.max) ||
    (rule.above !== undefined && value <= rule.above) ||
    (rule.below !== undefined && value >= rule.below);
  if (bad) {
    c.add(path, `must be ${expected}, got ${value}`);
    return false;
  }
  return true;
}

/** `required` reports a missing field; a number is the default; undefined leaves it optional. */
export type Fallback<T> = T | 'required' | undefined;

function missing<T>(
  c: IssueSink,
  path: FieldPath,
  fallback: Fallback<T>,
  what: string,
): T | undefined {
  if (fallback === 'required') {
    c.add(path, `missing required field '${String(path[path.length - 1])}' (${what})`);
    return undefined;
  }
  return fallback;
}

export function readNumber(
  c: IssueSink,
  o: Obj,
  key: string,
  path: FieldPath,
  rule: NumberRule,
  fallback: Fallback<number>,
): number | undefined {
  const p = [...path, key];
  if (o[key] === undefined) return missing(c, p, fallback, describeRule(rule));
  return checkNumber(c, o[key], p, rule) ? o[key] : undefined;
}

export function readBoolean(
  c: IssueSink,
  o: Obj,
  key: string,
  path: FieldPath,
  fallback: Fallback<boolean>,
): boolean | undefined {
  const p = [...path, key];
  if (o[key] === undefined) return missing(c, p, fallback, 'true or false');
  if (typeof o[key] === 'boolean') return o[key];
  c.add(p, `expected true or false, got ${describeValue(o[key])}`);
  return undefined;
}

export function readString(
  c: IssueSink,
  o: Obj,
  key: string,
  path: FieldPath,
  fallback: Fallback<string>,
): string | undefined {
  const p = [...path, key];
  if (o[key] === undefined) return missing(c, p, fallback, 'text');
  if (typeof o[key] === 'string' && o[key] !== '') return o[key];
  c.add(p, `expected non-empty text, got ${describeValue(o[key])}`);
  return undefined;
}

/** A value from a fixed set; `what` names the kind, e.g. 'loss' gives "unknown loss 'x'". */
export function checkChoice<T extends string>(
  c: IssueSink,
  value: unknown,
  path: FieldPath,
  allowed: readonly T[],
  what: string,
): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
    return value as T;
  const list = allowed.join(', ');
  if (typeof value !== 'string') {
    c.add(path, `expected the ${what} name (one of ${list}), got ${describeValue(value)}`);
    return undefined;
  }
  const guess = suggest(value, allowed);
  c.add(
    path,
    `unknown ${what} '${value}'${guess ? `; did you mean '${guess}'?` : '.'} Allowed: ${list}`,
  );
  return undefined;
}

export function readChoice<T extends string>(
  c: IssueSink,
  o: Obj,
  key: string,
  path: FieldPath,
  allowed: readonly T[],
  what: string,
  fallback: Fallback<T>,
): T | undefined {
  const p = [...path, key];
  if (o[key] === undefined) return missing(c, p, fallback, `one of ${allowed.join(', ')}`);
  return checkChoice(c, o[key], p, allowed, what);
}

/** A fixed-length list of numbers, each checked against `rule`. */
export function checkNumberList(
  c: IssueSink,
  value: unknown,
  path: FieldPath,
  length: number,
  rule: NumberRule,
): number[] | undefined {
  if (!Array.isArray(value) || value.length !== length) {
    c.add(
      path,
      `expected a list of ${length} numbers (each ${describeRule(rule)}), got ${
        Array.isArray(value) ? `a list of ${value.length}` : describeValue(value)
      }`,
    );
    return undefined;
  }
  const before = c.count;
  value.forEach((v, i) => checkNumber(c, v, [...path, i], rule));
  return c.count === before ? (value as number[]) : undefined;
}
