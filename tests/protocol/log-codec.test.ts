import { describe, expect, it } from 'vitest';
import { encodeRecord, LogFormatError, parseLog } from '../../src/protocol/log-codec';
import { sampleBody, sampleHeader } from './sample-records';

const encodeAll = (records: Parameters<typeof encodeRecord>[0][]): string =>
  records.map(encodeRecord).join('');

describe('log codec', () => {
  it('writes one record per line, newline-terminated', () => {
    const line = encodeRecord(sampleHeader());
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
  });

  it('round-trips every record type, including NaN and Infinity', () => {
    const header = sampleHeader();
    const body = sampleBody(8);
    const types = new Set(body.map((r) => r.type));
    expect([...types].sort()).toEqual(['epoch', 'eval', 'event', 'step']);

    const parsed = parseLog(encodeAll([header, ...body]));
    expect(parsed.problems).toEqual([]);
    expect(parsed.header).toEqual(header);
    // toEqual treats NaN as equal to NaN, so the diverged loss must come back as NaN (not null).
    expect(parsed.records).toEqual(body);
    const step3 = parsed.records.find((r) => r.type === 'step' && r.step === 3);
    expect(step3 && 'loss' in step3 && Number.isNaN(step3.loss)).toBe(true);
    const evalRecord = parsed.records.find((r) => r.type === 'eval');
    expect(evalRecord && 'loss' in evalRecord && evalRecord.loss).toBe(Number.POSITIVE_INFINITY);
  });

  it('reports a truncated last line with its number, skips it and loads the rest', () => {
    const text = encodeAll([sampleHeader(), ...sampleBody(3)]);
    const cut = text.slice(0, text.length - 20); // the last record loses its tail, and the newline
    const lineCount = cut.split('\n').length;
    const parsed = parseLog(cut);
    expect(parsed.problems).toEqual([
      {
        line: lineCount,
        message: `line ${lineCount} is truncated (the session probably ended mid-write); skipped`,
      },
    ]);
    expect(parsed.records).toEqual(sampleBody(3).slice(0, -1));
  });

  it('reports a corrupt middle line and a record with a bad field, keeping the others', () => {
    const lines = encodeAll([sampleHeader(), ...sampleBody(4)]).split('\n');
    lines[2] = '{"type":"step","step":1,"los'; // garbage in the middle (line 3)
    lines[4] = JSON.stringify({
      type: 'step',
      step: 'three',
      epoch: 0,
      loss: 1,
      time: 0,
      stepMs: 1,
      samplesPerSec: 1,
    });
    const parsed = parseLog(lines.join('\n'));
    expect(parsed.problems.map((p) => p.line)).toEqual([3, 5]);
    expect(parsed.problems[0].message).toBe(
      'line 3 is not valid JSON (the file is corrupt there); skipped',
    );
    expect(parsed.problems[1].message).toMatch(
      /^line 5: step record: step must be a number, got "three"; skipped$/,
    );
    expect(parsed.records).toHaveLength(sampleBody(4).length - 2);
  });

  it('skips unknown record types and a second header, and tolerates CRLF and blank lines', () => {
    const text =
      encodeRecord(sampleHeader()).replace('\n', '\r\n') +
      '\n' +
      JSON.stringify({ type: 'loss_landscape', step: 1 }) +
      '\n' +
      encodeRecord(sampleHeader()) +
      encodeAll(sampleBody(1));
    const parsed = parseLog(text);
    expect(parsed.problems.map((p) => p.message)).toEqual([
      'line 3: unknown record type "loss_landscape"; skipped',
      'line 4 is a second header record; skipped',
    ]);
    expect(parsed.records).toEqual(sampleBody(1));
  });

  it('rejects files without a usable header with a clear message', () => {
    const body = encodeAll(sampleBody(1));
    const cases: [string, RegExp][] = [
      ['', /the file is empty/],
      ['\n\n', /the file is empty/],
      ['hello world\n', /^line 1 is not JSON, so this is not a ViViT Monitor session log/],
      [body, /^line 1 is a "event" record, but a session log must start with its header record$/],
      [
        encodeRecord({ ...sampleHeader(), format: 'other' as never }),
        /^line 1: header: format is "other", expected "vivit-monitor-log"/,
      ],
      [
        encodeRecord({ ...sampleHeader(), version: 2 as never }),
        /log version 2 is newer than this app reads \(version 1\)/,
      ],
      [
        encodeRecord({ ...sampleHeader(), name: 5 as never }),
        /^line 1: header: name must be a string, got 5$/,
      ],
      [JSON.stringify([1, 2]) + '\n', /^line 1: a record must be an object, got an array$/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseLog(text), JSON.stringify(text.slice(0, 30))).toThrow(LogFormatError);
      expect(() => parseLog(text)).toThrow(message);
    }
  });
});
