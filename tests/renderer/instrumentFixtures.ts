// Cockpit instrument records (noise, step quality, histograms) as the host sends them, for
// driving the stores and the instrument panels in tests. Numbers are arbitrary but plausible.
import type { HistogramRecord, NoiseRecord, StepQualityRecord } from '../../src/protocol/records';
import { f } from '../helpers/records';

export function noiseRecord(step: number, overrides: Partial<NoiseRecord> = {}): NoiseRecord {
  return {
    type: 'noise',
    step,
    batch: 8,
    loss: 2 / (step + 1),
    gradNorm: 1 / (step + 1),
    sampleGradNorms: f(0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4),
    meanGsnr: 0.1 * (step + 1),
    normTest: 2 / (1 + step / 10),
    innerProductTest: 1.5 / (1 + step / 10),
    orthogonalityTest: 1.2 / (1 + step / 10),
    cabsBatchSize: 50 + step,
    ggnTrace: 10 + step,
    tic: 0.5 + step / 100,
    ...overrides,
  };
}

export function stepQualityRecord(
  step: number,
  overrides: Partial<StepQualityRecord> = {},
): StepQualityRecord {
  return {
    type: 'step_quality',
    step,
    alpha: ((step % 5) - 2) / 2, // -1 … 1
    lossBefore: 2 / step,
    lossAfter: 1.9 / step,
    slopeBefore: -1,
    slopeAfter: -0.2,
    updateSize: 0.1 / step,
    distance: Math.sqrt(step),
    updateSizes: f(0.05 / step, 0.05 / step),
    distances: f(0.7, 0.7),
    ...overrides,
  };
}

/** A histogram record: 4 gradient bins, 2 layers of 3 × 4 grids. */
export function histogramRecord(step: number): HistogramRecord {
  const grid = (scale: number) =>
    Float64Array.from({ length: 12 }, (_, i) => (i % 5 === 0 ? 0 : scale * (i + 1)));
  return {
    type: 'histogram',
    step,
    batch: 8,
    gradient: { edges: f(-2, -1, 0, 1, 2), counts: f(1, 10, 100, 0) },
    layers: [
      {
        layer: 'model[1] linear',
        paramEdges: f(-1, 0, 1, 2),
        gradEdges: f(-2, -1, 0, 1, 2),
        counts: grid(1),
      },
      {
        layer: 'model[3] linear',
        paramEdges: f(-3, -1, 1, 3),
        gradEdges: f(-2, -1, 0, 1, 2),
        counts: grid(10),
      },
    ],
  };
}
