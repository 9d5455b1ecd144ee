// What the validators of untrusted data share (requests from a renderer, records read back
// from logs or frames): the result type and how a raw value reads in a message.

/** Longest path accepted (a request's path, a header's definitionPath). */
export const MAX_PATH = 4096;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** A raw value as it appears in the data: `"text"`, `an array`, `an object`, `NaN`. */
export function describeData(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  return typeof value === 'object' ? 'an object' : String(value);
}

/** Checks optional string fields; returns an error message or undefined. */
export function checkOptionalString(
  obj: Record<string, unknown>,
  key: string,
  maxLength: number,
): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return `${key} must be a string, got ${describeData(v)}`;
  if (v.length > maxLength)
    return `${key} is too long (${v.length} characters, at most ${maxLength})`;
  return undefined;
}
