// Session-log codec (JSON Lines): one header record, then one record per line. Pure: no fs.
// Reading is forgiving about the body (a session that crashed mid-write leaves a truncated last
// line; that line is reported and skipped, the rest loads) and strict about the header (without
// it we cannot know what the file is).
import { bytesToBase64 } from './base64';
import { LOG_FORMAT, type BodyRecord, type HeaderRecord, type LogRecord } from './records';
import { validateLogRecord } from './validate';

/** JSON cannot hold NaN/±Infinity; a diverging loss must still round-trip, so encode them.
 *  Typed arrays (the records' per-direction and per-sample numbers) become plain lists, bytes
 *  (sample images) one base64 string. */
function encodeNonFinite(_key: string, value: unknown): unknown {
  if (value instanceof Float64Array) return Array.from(value);
  if (value instanceof Uint8Array) return bytesToBase64(value);
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  return value;
}

/** One record as one line of the log, newline included. */
export function encodeRecord(record: LogRecord): string {
  return JSON.stringify(record, encodeNonFinite) + '\n';
}

export interface LogProblem {
  /** 1-based line number in the file. */
  line: number;
  /** A sentence for the user, naming the line. */
  message: string;
}

export interface ParsedLog {
  header: HeaderRecord;
  records: BodyRecord[];
  problems: LogProblem[];
}

/** The file cannot be read as a session log at all (no or bad header). */
export class LogFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogFormatError';
  }
}

/** Parses a whole log text. Throws LogFormatError when the header is missing or unusable. */
export function parseLog(text: string): ParsedLog {
  const lines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  if (endsWithNewline) lines.pop();

  let header: HeaderRecord | undefined;
  const records: BodyRecord[] = [];
  const problems: LogProblem[] = [];

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === '') continue;
    const isLastLine = i === lines.length - 1;

    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (!header) {
        throw new LogFormatError(
          `line ${lineNo} is not JSON, so this is not a ViViT Monitor session log ` +
            `(it must start with a header record of format "${LOG_FORMAT}")`,
        );
      }
      problems.push({
        line: lineNo,
        message:
          isLastLine && !endsWithNewline
            ? `line ${lineNo} is truncated (the session probably ended mid-write); skipped`
            : `line ${lineNo} is not valid JSON (the file is corrupt there); skipped`,
      });
      continue;
    }

    const checked = validateLogRecord(value);
    if (!header) {
      if (!checked.ok) throw new LogFormatError(`line ${lineNo}: ${checked.error}`);
      if (checked.value.type !== 'header') {
        throw new LogFormatError(
          `line ${lineNo} is a "${checked.value.type}" record, but a session log must start with ` +
            `its header record`,
        );
      }
      header = checked.value;
      continue;
    }
    if (!checked.ok) {
      problems.push({ line: lineNo, message: `line ${lineNo}: ${checked.error}; skipped` });
    } else if (checked.value.type === 'header') {
      problems.push({ line: lineNo, message: `line ${lineNo} is a second header record; skipped` });
    } else {
      records.push(checked.value);
    }
  }

  if (!header) {
    throw new LogFormatError(
      `the file is empty; a ViViT Monitor session log starts with a header record`,
    );
  }
  return { header, records, problems };
}
