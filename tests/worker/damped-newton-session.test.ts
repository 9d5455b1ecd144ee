// A training session with the damped_newton optimizer (in process, real data pipeline and
// trainer): one `damping` record per step after its step record, whose numbers survive the
// session log and the web host's encoding (δ_k = Infinity included); malformed damping records
// are refused with the field named.
import { describe, expect, it } from 'vitest';
import { encodeRecord, parseLog } from '../../src/protocol/log-codec';
import { decodeHostEvent, encodeHostEvent } from '../../src/protocol/wire-codec';
import type { BodyRecord, DampingRecord, HeaderRecord } from '../../src/protocol/records';
import { validateLogRecord } from '../../src/protocol/validate';
import { parseDefinition } from '../../src/worker/definition';
import { collect, forceWasmBackend } from './helpers/session-harness';

const STEPS = 6;
const { definition, issues } = parseDefinition(
  `data: {source: synthetic, features: 6, outputs: 3, train_size: 256, test_size: 64}
model:
  - {type: linear, in: 6, out: 8}
  - tanh
  - {type: linear, in: 8, out: 3}
loss: cross_entropy
optimizer:
  type: damped_newton
  damping: {type: bootstrap, grid: {min: 0.01, max: 100, count: 40}, resamples: 50}
  curvature: {subsampling: 24, mc_samples: 1}
batch_size: 32
steps: ${STEPS}
eval: {every: 3}
`,
  'damped-newton.yaml',
);

forceWasmBackend();

async function run(): Promise<{ header: HeaderRecord; records: BodyRecord[] }> {
  const { session, messages, until } = collect();
  session.handle({ type: 'start', definition: definition! });
  await until((m) => (m.type === 'state' && m.state === 'finished') || m.type === 'error');
  const error = messages.find((m) => m.type === 'error');
  if (error?.type === 'error') throw new Error(error.message);
  const header = messages.find((m) => m.type === 'header');
  if (header?.type !== 'header') throw new Error('no header');
  return {
    header: header.header,
    records: messages.flatMap((m) => (m.type === 'record' ? [m.record] : [])),
  };
}

describe('damped Newton session', () => {
  it('posts a damping record after every step record, and the log keeps it', async () => {
    expect(issues).toEqual([]);
    const { header, records } = await run();
    const damping = records.filter((r): r is DampingRecord => r.type === 'damping');
    expect(damping.map((r) => r.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    records.forEach((r, i) => {
      if (r.type === 'damping')
        expect(records[i - 1]).toMatchObject({ type: 'step', step: r.step });
    });
    for (const r of damping) {
      const total = r.groupSizes.reduce((a, b) => a + b, 0);
      expect(r.groupSizes).toHaveLength(1); // groups: whole
      expect(total).toBeGreaterThan(0);
      expect(total).toBeLessThanOrEqual(24); // MC-1 on 24 samples: rank ≤ 24
      for (const list of [r.lambdaMean, r.gammaMean, r.damping, r.stepLength]) {
        expect(list).toHaveLength(total);
      }
      r.damping.forEach((d, k) => {
        if (d === Infinity) expect(r.stepLength[k]).toBe(0);
        else expect(r.stepLength[k]).toBeCloseTo(-r.gammaMean[k] / (r.lambdaMean[k] + d), 5);
      });
      expect(Number.isFinite(r.predictedChange) && Number.isFinite(r.actualChange)).toBe(true);
    }
    // The bootstrap refused some directions (δ = ∞), so the log has to carry Infinity.
    expect(damping.some((r) => r.damping.includes(Infinity))).toBe(true);

    const text = encodeRecord({ ...header }) + records.map((r) => encodeRecord(r)).join('');
    expect(text).toContain('"Infinity"');
    const parsed = parseLog(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.records).toEqual(records);

    const event = decodeHostEvent(encodeHostEvent({ kind: 'records', records: damping }));
    expect(event).toEqual({ kind: 'records', records: damping });
  });

  it('refuses malformed damping records, naming the field', () => {
    const good = (): Record<string, unknown> => ({
      type: 'damping',
      step: 3,
      groupSizes: [2],
      lambdaMean: [2, 1],
      gammaMean: [0.5, 0.1],
      damping: [0.1, 'Infinity'],
      stepLength: [-0.2, 0],
      predictedChange: -0.05,
      actualChange: -0.04,
    });
    const ok = validateLogRecord(good());
    expect(ok.ok && (ok.value as DampingRecord).damping[1]).toBe(Infinity);
    const bad = (change: Record<string, unknown>) => validateLogRecord({ ...good(), ...change });
    expect(bad({ damping: [0.1] })).toEqual({
      ok: false,
      error: 'damping record: damping has 1 entries, expected 2',
    });
    expect(bad({ stepLength: [-0.2, 'x'] })).toEqual({
      ok: false,
      error: 'damping record: stepLength[1] must be a number, got "x"',
    });
    expect(bad({ groupSizes: [1.5] })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/groupSizes must be a list of non-negative integers/),
    });
    expect(bad({ actualChange: undefined })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/actualChange must be a number/),
    });
  });
});
