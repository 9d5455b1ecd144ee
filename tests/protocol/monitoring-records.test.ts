// Curvature and inspect records in the log and on the wire, and the inspect request.
import { describe, expect, it } from 'vitest';
import type { HostEvent } from '../../src/protocol/host';
import { encodeRecord, parseLog } from '../../src/protocol/log-codec';
import { decodeHostEvent, encodeHostEvent } from '../../src/protocol/wire-codec';
import type { BodyRecord } from '../../src/protocol/records';
import { validateHostRequest, validateLogRecord } from '../../src/protocol/validate';
import {
  sampleBody,
  sampleHeader,
  sampleInstrumentRecords,
  sampleMonitoringRecords,
} from './sample-records';

// Every body record type; adding a type without a sample fails to compile here.
const ALL_TYPES: Record<BodyRecord['type'], true> = {
  step: true,
  eval: true,
  epoch: true,
  event: true,
  damping: true,
  curvature: true,
  inspect: true,
  noise: true,
  step_quality: true,
  histogram: true,
};

/** A record as parsed from its log line (non-finite numbers still encoded, as on disk). */
const copy = <T extends BodyRecord>(value: T): T => JSON.parse(encodeRecord(value)) as T;

describe('log round trip of every record type', () => {
  it('writes and reads back identical records, NaN and Infinity included', () => {
    const header = sampleHeader();
    const body = [...sampleBody(4), ...sampleMonitoringRecords(), ...sampleInstrumentRecords()];
    expect(new Set(body.map((r) => r.type))).toEqual(new Set(Object.keys(ALL_TYPES)));
    const text = [header, ...body].map(encodeRecord).join('');
    const parsed = parseLog(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.header).toEqual(header);
    expect(parsed.records).toEqual(body);
    const curvature = parsed.records.find((r) => r.type === 'curvature');
    expect(curvature?.type === 'curvature' && curvature.groups[0].snrLambda[0]).toBe(Infinity);
    expect(curvature?.type === 'curvature' && Number.isNaN(curvature.groups[0].snrGamma[2])).toBe(
      true,
    );
    // Sample images are one base64 string in the file and bytes again once read.
    expect(text).toContain('"pixels":"AP8+P4AH+gECAwQF"');
    const inspect = parsed.records.find((r) => r.type === 'inspect');
    expect(inspect?.type === 'inspect' && inspect.images?.pixels).toBeInstanceOf(Uint8Array);
  });

  it('the same records survive the web host socket encoding', () => {
    const records = [...sampleMonitoringRecords(), ...sampleInstrumentRecords()];
    const event: HostEvent = { kind: 'records', records };
    expect(decodeHostEvent(encodeHostEvent(event))).toEqual(event);
  });
});

describe('curvature and inspect record validation', () => {
  const [curvature, , , inspect] = sampleMonitoringRecords();

  // any: the test writes wrong shapes into a parsed record on purpose.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Loose = Record<string, any>;
  const errorOf = (mutate: (r: Loose) => void, base: BodyRecord): string => {
    const r = copy(base) as Loose;
    mutate(r);
    const checked = validateLogRecord(r);
    expect(checked.ok).toBe(false);
    return checked.ok ? '' : checked.error;
  };

  it('accepts the samples', () => {
    expect(validateLogRecord(copy(curvature)).ok).toBe(true);
    expect(validateLogRecord(copy(inspect)).ok).toBe(true);
  });

  it('names the field of a malformed curvature record', () => {
    expect(errorOf((r) => (r.batch = 'held'), curvature)).toBe(
      'curvature record: batch must be "train" or "fixed", got "held"',
    );
    expect(errorOf((r) => r.groups[0].gammaMean.pop(), curvature)).toBe(
      'curvature record: groups[0].gammaMean has 2 entries, expected 3',
    );
    expect(errorOf((r) => (r.groups[0].eigenvalues[1] = 'x'), curvature)).toBe(
      'curvature record: groups[0].eigenvalues[1] must be a number, got "x"',
    );
    expect(errorOf((r) => r.groups[0].layerShares[2].push(0), curvature)).toContain(
      'groups[0].layerShares[2]',
    );
    expect(errorOf((r) => (r.eigensolver = 'gpu'), curvature)).toBe(
      'curvature record: eigensolver must be "host", "device" or "device-leading", got "gpu"',
    );
    expect(errorOf((r) => (r.timings.sweep = 'slow'), curvature)).toBe(
      'curvature record: timings.sweep must be a number, got "slow"',
    );
    expect(errorOf((r) => (r.groups = {}), curvature)).toBe(
      'curvature record: groups must be a list, got an object',
    );
  });

  it('names the field of a malformed inspect record', () => {
    expect(errorOf((r) => r.slice.quadratic.pop(), inspect)).toBe(
      'inspect record: slice.quadratic has 2 entries, expected 3',
    );
    expect(errorOf((r) => (r.sampleIndices = [1, -2]), inspect)).toContain('sampleIndices');
    expect(errorOf((r) => r.layerShares.push(0), inspect)).toBe(
      'inspect record: layerShares has 3 entries, expected 2',
    );
    expect(errorOf((r) => (r.images.pixels = 'AAAA'), inspect)).toBe(
      'inspect record: images.pixels has 3 bytes, expected 12 (positions × height × width × channels)',
    );
    expect(errorOf((r) => (r.images.pixels = '***'), inspect)).toBe(
      'inspect record: images.pixels must be base64 bytes, got "***"',
    );
    expect(errorOf((r) => (r.images.positions = [1, 4]), inspect)).toBe(
      'inspect record: images.positions: 4 is not a sample of this record (it has 4)',
    );
    expect(errorOf((r) => (r.images.channels = 2), inspect)).toBe(
      'inspect record: images.channels must be 1 or 3, got 2',
    );
  });
});

describe('instrument record validation', () => {
  const [noise, alpha, , histogram] = sampleInstrumentRecords();
  // any: the test writes wrong shapes into a parsed record on purpose.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Loose = Record<string, any>;
  const errorOf = (mutate: (r: Loose) => void, base: BodyRecord): string => {
    const r = copy(base) as Loose;
    mutate(r);
    const checked = validateLogRecord(r);
    return checked.ok ? '' : checked.error;
  };

  it('accepts the samples, a null α included', () => {
    for (const r of sampleInstrumentRecords()) expect(validateLogRecord(copy(r)).ok).toBe(true);
  });

  it('names the field of a malformed noise record', () => {
    expect(errorOf((r) => r.sampleGradNorms.pop(), noise)).toBe(
      'noise record: sampleGradNorms has 2 entries, expected 3',
    );
    expect(errorOf((r) => (r.normTest = 'high'), noise)).toBe(
      'noise record: normTest must be a number, got "high"',
    );
    expect(errorOf((r) => delete r.cabsBatchSize, noise)).toBe('');
    expect(errorOf((r) => delete r.tic, noise)).toBe(
      'noise record: tic must be a number, got undefined',
    );
  });

  it('names the field of a malformed step quality record', () => {
    expect(errorOf((r) => (r.alpha = 'far'), alpha)).toBe(
      'step_quality record: alpha must be a number, got "far"',
    );
    expect(errorOf((r) => r.distances.push(1), alpha)).toBe(
      'step_quality record: distances has 3 entries, expected 2',
    );
  });

  it('names the field of a malformed histogram record', () => {
    expect(errorOf((r) => r.gradient.counts.push(1), histogram)).toBe(
      'histogram record: gradient.counts has 3 entries, expected 2',
    );
    expect(errorOf((r) => (r.gradient.edges = [1, 0, 2]), histogram)).toBe(
      'histogram record: gradient.edges must ascend (entry 1 does not)',
    );
    expect(errorOf((r) => r.layers[0].counts.pop(), histogram)).toBe(
      'histogram record: layers[0].counts has 3 entries, expected 4',
    );
    expect(errorOf((r) => (r.layers[0].layer = 3), histogram)).toBe(
      'histogram record: layers[0].layer must be a string, got 3',
    );
  });
});

describe('inspect requests from a renderer', () => {
  it('accepts non-negative integer group and direction, copying only those', () => {
    expect(validateHostRequest({ kind: 'inspect', group: 0, direction: 3, extra: 'x' })).toEqual({
      ok: true,
      value: { kind: 'inspect', group: 0, direction: 3 },
    });
  });

  it('rejects anything else with the field named', () => {
    for (const [request, field] of [
      [{ kind: 'inspect', group: -1, direction: 0 }, 'group'],
      [{ kind: 'inspect', group: 0, direction: 1.5 }, 'direction'],
      [{ kind: 'inspect', group: 0 }, 'direction'],
      [{ kind: 'inspect', group: '0', direction: 0 }, 'group'],
    ] as const) {
      const checked = validateHostRequest(request);
      expect(checked.ok).toBe(false);
      expect(checked.ok ? '' : checked.error).toMatch(new RegExp(`^inspect: ${field} must be`));
    }
  });
});
