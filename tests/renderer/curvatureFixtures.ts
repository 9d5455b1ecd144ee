// Curvature, damping and inspect records as the host sends them, for driving the stores and
// panels in tests. The numbers are arbitrary but consistent (descending eigenvalues, overlaps
// summing to below one).
import type { CurvatureRecord, DampingRecord, InspectRecord } from '../../src/protocol/records';
import { f } from '../helpers/records';

export { f };

export function curvatureRecord(step: number, k = 4): CurvatureRecord {
  const eigenvalues = Float64Array.from({ length: k }, (_, i) => 10 ** (1 - i) * (1 + step / 100));
  const overlap = eigenvalues.map((_, i) => 0.4 / 2 ** i / 2);
  return {
    type: 'curvature',
    step,
    batch: 'fixed',
    samples: 8,
    gradSamples: 8,
    mcSamples: 0,
    loss: 2 / (step + 1),
    gradNorm: 1 / (step + 1),
    layerNames: ['model[1] linear', 'model[3] linear'],
    groups: [
      {
        name: 'all',
        params: [0, 1, 2, 3],
        eigenvalues,
        gammaMean: eigenvalues.map((l, i) => (i % 2 ? -1 : 1) * l * 0.1),
        lambdaMean: eigenvalues.map((l) => l * 0.9),
        snrGamma: eigenvalues.map((_, i) => 2 / (i + 1)),
        snrLambda: eigenvalues.map((_, i) => 5 / (i + 1)),
        overlap,
        flatRemainder: 1 - overlap.reduce((a, b) => a + b, 0),
        layerShares: [f(0.75, 0.25)],
      },
    ],
    timings: { sweep: 3, eigen: 1 },
  };
}

export function dampingRecord(step: number): DampingRecord {
  return {
    type: 'damping',
    step,
    groupSizes: [3],
    lambdaMean: f(4, 2, 1),
    gammaMean: f(1, -1, 0.5),
    damping: f(0.4, 1, Infinity),
    stepLength: f(-0.3, 0.4, 0),
    predictedChange: -0.1,
    actualChange: -0.08,
  };
}

export function inspectRecord(step: number, direction = 1): InspectRecord {
  return {
    type: 'inspect',
    step,
    group: 0,
    direction,
    eigenvalue: 1,
    gammas: f(0.1, -2, 0.3, 1.5),
    lambdas: f(1, 2, 3, 4),
    sampleIndices: [10, 11, 12, 13],
    layerNames: ['model[1] linear', 'model[3] linear'],
    layerShares: f(0.6, 0.4),
    slice: { t: f(-1, 0, 1), loss: f(1.6, 1, 1.5), quadratic: f(1.5, 1, 1.5) },
  };
}
