// Command-line parsing: node's parseArgs, with errors turned into one clear sentence.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

export function parseCommandArgs(argv: string[], options: ParseArgsConfig['options']): ParsedArgs {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      options,
      allowPositionals: true,
      strict: true,
    });
    return { positionals, values: values as ParsedArgs['values'] };
  } catch (error) {
    // parseArgs messages name the option ("Unknown option '--stpes'"); drop its extra advice.
    throw new UsageError((error as Error).message.split('. To specify')[0]);
  }
}

/** A whole number >= min, or a UsageError naming the option. */
export function parseInteger(
  value: string | boolean | undefined,
  option: string,
  min: number,
): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${option} must be a whole number >= ${min}, got "${value}"`);
  }
  return n;
}
