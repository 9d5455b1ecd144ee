// The web host's binary WebSocket frames: structure as JSON, typed arrays as raw bytes.
import { describe, expect, it } from 'vitest';
import type { HostEvent } from '../../src/protocol/host';
import { encodeRecord } from '../../src/protocol/log-codec';
import type { CurvatureRecord } from '../../src/protocol/records';
import { decodeHostEvent, encodeHostEvent, WireFormatError } from '../../src/protocol/wire-codec';
import { sampleBody, sampleHeader, sampleMonitoringRecords } from './sample-records';

/** A curvature record with K directions of awkward float64 values. */
function bigCurvature(k: number): CurvatureRecord {
  const values = (seed: number): Float64Array =>
    Float64Array.from({ length: k }, (_, i) => Math.sin(seed + i) * 10 ** ((i % 40) - 20));
  const curvature = sampleMonitoringRecords()[0] as CurvatureRecord;
  return {
    ...curvature,
    groups: [
      {
        ...curvature.groups[0],
        eigenvalues: values(1),
        gammaMean: values(2),
        lambdaMean: values(3),
        snrGamma: values(4),
        snrLambda: values(5),
        overlap: values(6),
        layerShares: undefined,
      },
    ],
  };
}

describe('binary host event frames', () => {
  it('round-trip every record type, non-finite numbers included', () => {
    const event: HostEvent = {
      kind: 'records',
      records: [...sampleBody(3), ...sampleMonitoringRecords()],
    };
    expect(decodeHostEvent(encodeHostEvent(event))).toEqual(event);
    const snapshot: HostEvent = {
      kind: 'snapshot',
      examples: [],
      header: sampleHeader(),
      records: sampleMonitoringRecords(),
      state: 'paused',
      step: 7,
      source: 'live',
    };
    expect(decodeHostEvent(encodeHostEvent(snapshot))).toEqual(snapshot);
  });

  it('carries float64 arrays bit for bit, as Float64Arrays', () => {
    const values = Float64Array.of(Math.PI, -0, 5e-324, Number.MAX_VALUE, NaN, -Infinity, 1 / 3);
    const curvature = { ...bigCurvature(1), groups: [{ ...bigCurvature(1).groups[0] }] };
    curvature.groups[0] = { ...curvature.groups[0], eigenvalues: values };
    const decoded = decodeHostEvent(encodeHostEvent({ kind: 'records', records: [curvature] }));
    if (decoded.kind !== 'records' || decoded.records[0].type !== 'curvature') throw new Error();
    const got = decoded.records[0].groups[0].eigenvalues;
    expect(got).toBeInstanceOf(Float64Array);
    expect(new Uint8Array(got.buffer, got.byteOffset, got.byteLength)).toEqual(
      new Uint8Array(values.buffer),
    );
  });

  it('reads a frame at any byte offset (a Node Buffer from a pool) and views aligned data', () => {
    const frame = encodeHostEvent({ kind: 'records', records: [bigCurvature(100)] });
    const pool = new Uint8Array(frame.length + 3);
    pool.set(frame, 3);
    const shifted = decodeHostEvent(pool.subarray(3));
    const aligned = decodeHostEvent(frame.slice().buffer);
    expect(shifted).toEqual(aligned);
    if (aligned.kind !== 'records' || aligned.records[0].type !== 'curvature') throw new Error();
    // Aligned: a view on the received buffer, no copy.
    expect(aligned.records[0].groups[0].eigenvalues.buffer.byteLength).toBe(frame.length);
  });

  it('is several times smaller than the JSON text of the same records', () => {
    const records = [bigCurvature(1000)];
    const binary = encodeHostEvent({ kind: 'records', records }).length;
    const json = records.map(encodeRecord).join('').length;
    expect(binary).toBeLessThan(8 * 6 * 1000 + 2000);
    expect(json / binary).toBeGreaterThan(2);
  });

  it('does not turn a string field that reads "NaN" into a number', () => {
    const notice: HostEvent = { kind: 'notice', level: 'info', message: 'NaN' };
    expect(decodeHostEvent(encodeHostEvent(notice))).toEqual(notice);
    const session: HostEvent = {
      kind: 'session',
      header: sampleHeader({ name: 'Infinity' }),
      source: 'live',
    };
    expect(decodeHostEvent(encodeHostEvent(session))).toEqual(session);
  });

  it('rejects what is not a whole frame with a WireFormatError', () => {
    const frame = encodeHostEvent({ kind: 'records', records: [bigCurvature(10)] });
    const cases = [
      new TextEncoder().encode('{"kind":"status"}'),
      frame.subarray(0, 6),
      frame.subarray(0, 20),
      frame.subarray(0, frame.length - 8),
    ];
    for (const bytes of cases) expect(() => decodeHostEvent(bytes)).toThrow(WireFormatError);
  });
});
