// The session columns of Cockpit's instrument records: noise and step quality as bounded-cost
// columns (the latest record whole), histograms bounded to the last few records; the same from
// live batches and from a replayed snapshot.
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { applyHostEvent } from '../../src/renderer/src/stores/dispatch';
import { useSessionStore } from '../../src/renderer/src/stores/session';
import {
  HISTOGRAMS_KEPT,
  appendRecords,
  emptyColumns,
} from '../../src/renderer/src/stores/columns';
import type { BodyRecord } from '../../src/protocol/records';
import { header, steps } from './fixtures';
import { histogramRecord, noiseRecord, stepQualityRecord } from './instrumentFixtures';

beforeEach(() => setActivePinia(createPinia()));

describe('instrument records in the session columns', () => {
  it('splits noise and step-quality records into columns and keeps the latest whole', () => {
    const columns = emptyColumns();
    const last = appendRecords(columns, [
      noiseRecord(0),
      stepQualityRecord(1, { alpha: null }),
      noiseRecord(20, { cabsBatchSize: undefined }),
      stepQualityRecord(21),
    ]);
    expect(last).toBe(21);
    expect(columns.noise.step).toEqual([0, 20]);
    expect(columns.noise.normTest).toEqual([2, 2 / 3]);
    expect(columns.noise.cabsBatchSize[0]).toBe(50);
    expect(columns.noise.cabsBatchSize[1]).toBeNaN();
    expect(columns.noise.ggnTrace).toEqual([10, 30]);
    expect(columns.latestNoise?.step).toBe(20);
    expect(columns.stepQuality.step).toEqual([1, 21]);
    expect(columns.stepQuality.alpha[0]).toBeNaN();
    expect(columns.stepQuality.alpha[1]).toBe(-0.5);
    expect(columns.stepQuality.distance[1]).toBeCloseTo(Math.sqrt(21), 12);
    expect(columns.latestStepQuality?.step).toBe(21);
  });

  it('keeps only the last histogram records but counts them all', () => {
    const columns = emptyColumns();
    const records: BodyRecord[] = [];
    for (let s = 0; s < HISTOGRAMS_KEPT + 5; s++) records.push(histogramRecord(s * 100));
    appendRecords(columns, records);
    expect(columns.histograms).toHaveLength(HISTOGRAMS_KEPT);
    expect(columns.histograms[0].step).toBe(500);
    expect(columns.histograms.at(-1)?.step).toBe((HISTOGRAMS_KEPT + 4) * 100);
    expect(columns.histogramsSeen).toBe(HISTOGRAMS_KEPT + 5);
  });

  it('live batches and a replayed snapshot give the same columns; a new session clears them', () => {
    const session = useSessionStore();
    const records: BodyRecord[] = [
      ...steps(1, 3),
      noiseRecord(3),
      stepQualityRecord(3),
      histogramRecord(3),
      noiseRecord(6),
    ];
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    applyHostEvent({ kind: 'records', records: records.slice(0, 4) });
    applyHostEvent({ kind: 'records', records: records.slice(4) });
    const live = session.columns;
    expect(session.step).toBe(6);
    applyHostEvent({
      kind: 'snapshot',
      examples: [],
      header: header(),
      records,
      state: 'finished',
      step: 6,
      source: 'replay',
    });
    expect(session.columns).not.toBe(live);
    expect(session.columns.noise).toEqual(live.noise);
    expect(session.columns.stepQuality).toEqual(live.stepQuality);
    expect(session.columns.histograms).toEqual(live.histograms);
    expect(session.columns.latestNoise).toEqual(live.latestNoise);
    applyHostEvent({ kind: 'session', header: header(), source: 'live' });
    expect(session.columns.noise.step).toEqual([]);
    expect(session.columns.histograms).toEqual([]);
    expect(session.columns.latestNoise).toBeUndefined();
  });
});
