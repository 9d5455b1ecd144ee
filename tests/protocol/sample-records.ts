// Hand-written records of every type, as a worker would send them, for codec and host tests.
import type { RunDefinition } from '../../src/protocol/definition';
import type { BodyRecord, HeaderRecord } from '../../src/protocol/records';
import { f, headerRecord, stepRecord } from '../helpers/records';

export const sampleDefinition: RunDefinition = {
  name: 'tiny mlp',
  seed: 7,
  data: {
    source: 'synthetic',
    task: 'classification',
    features: 4,
    outputs: 3,
    train_size: 64,
    test_size: 32,
    noise: 0.1,
    normalize: 'standard',
  },
  model: [
    { type: 'linear', in: 4, out: 8, bias: true },
    { type: 'relu' },
    { type: 'linear', in: 8, out: 3, bias: true },
  ],
  loss: 'cross_entropy',
  optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, weight_decay: 0, nesterov: false },
  batch_size: 16,
  steps: 20,
  eval: { every: 10 },
};

export function sampleHeader(overrides: Partial<HeaderRecord> = {}): HeaderRecord {
  return headerRecord({
    name: 'tiny mlp',
    definition: sampleDefinition,
    definitionPath: '/tmp/tiny.yaml',
    backend: { chosen: 'cpu', skipped: [{ backend: 'wasm', reason: 'not wanted in tests' }] },
    versions: { app: '0.1.0', node: process.versions.node },
    startTime: '2025-01-02T03:04:05.000Z',
    parameterCount: 67,
    trainSamples: 64,
    testSamples: 32,
    ...overrides,
  });
}

/** A short run: started, steps (one with a NaN loss, as a diverging run has), eval, epoch, finished. */
export function sampleBody(steps = 5): BodyRecord[] {
  const records: BodyRecord[] = [
    { type: 'event', step: 0, kind: 'started', time: '2025-01-02T03:04:05.100Z' },
  ];
  for (let step = 1; step <= steps; step++) {
    records.push(
      stepRecord(step, {
        epoch: Math.floor((step - 1) / 4),
        loss: step === 3 ? Number.NaN : 1 / step,
        accuracy: step / 10,
        stepMs: 10 + step,
        samplesPerSec: 1600,
      }),
    );
    if (step % 4 === 0) records.push({ type: 'epoch', epoch: step / 4 - 1, step });
  }
  records.push({
    type: 'eval',
    step: steps,
    loss: Number.POSITIVE_INFINITY,
    accuracy: 0.5,
    samples: 32,
  });
  records.push({
    type: 'event',
    step: steps,
    kind: 'finished',
    message: 'done',
    time: '2025-01-02T03:04:06.000Z',
  });
  return records;
}

export { f };

/** Damping, curvature and inspect records (with the non-finite numbers real runs produce). */
export function sampleMonitoringRecords(): BodyRecord[] {
  return [
    {
      type: 'curvature',
      step: 0,
      batch: 'fixed',
      samples: 4,
      gradSamples: 4,
      mcSamples: 1,
      loss: 1.1,
      gradNorm: 0.5,
      layerNames: ['model[0] linear', 'model[2] linear'],
      groups: [
        {
          name: 'all',
          params: [0, 1, 2, 3],
          eigenvalues: f(2.5, 0.75, 1e-3),
          gammaMean: f(0.2, 0.05, 0),
          lambdaMean: f(2.4, 0.8, 1e-3),
          snrGamma: f(4, 0.5, Number.NaN),
          snrLambda: f(Number.POSITIVE_INFINITY, 3, 1),
          overlap: f(0.16, 0.01, 0),
          flatRemainder: 0.83,
          layerShares: [f(0.7, 0.3), f(0.1, 0.9), f(0.5, 0.5)],
        },
      ],
      eigensolver: 'device',
      timings: { forward: 1.5, sweep: 3, eigen: 0.5, total: 6 },
    },
    {
      type: 'curvature',
      step: 5,
      batch: 'train',
      samples: 4,
      gradSamples: 4,
      mcSamples: 0,
      loss: 0.9,
      gradNorm: 0.4,
      layerNames: ['model[0] linear', 'model[2] linear'],
      // per-layer groups; only eigenvalues recorded (the others empty), no overlap: NaN remainder
      groups: [
        {
          name: 'model[0] linear',
          params: [0, 1],
          eigenvalues: f(1),
          gammaMean: f(),
          lambdaMean: f(),
          snrGamma: f(),
          snrLambda: f(),
          overlap: f(),
          flatRemainder: Number.NaN,
        },
        {
          name: 'model[2] linear',
          params: [2, 3],
          eigenvalues: f(),
          gammaMean: f(),
          lambdaMean: f(),
          snrGamma: f(),
          snrLambda: f(),
          overlap: f(),
          flatRemainder: Number.NaN,
        },
      ],
      timings: { total: 2 },
    },
    {
      type: 'damping',
      step: 6,
      groupSizes: [2],
      lambdaMean: f(2, 0.5),
      gammaMean: f(0.1, -0.2),
      damping: f(0.01, Number.POSITIVE_INFINITY),
      stepLength: f(-0.05, 0),
      predictedChange: -0.004,
      actualChange: -0.003,
    },
    {
      type: 'inspect',
      step: 7,
      group: 0,
      direction: 1,
      eigenvalue: 0.75,
      gammas: f(0.1, -0.3, 0.2, 0.2),
      lambdas: f(0.5, 1, 0.75, 0.75),
      sampleIndices: [3, 17, 40, 41],
      layerNames: ['model[0] linear', 'model[2] linear'],
      layerShares: f(0.1, 0.9),
      slice: { t: f(-1, 0, 1), loss: f(1.4, 1.1, 1.5), quadratic: f(1.425, 1.1, 1.525) },
      loss: 1.1,
      gammaMean: 0.05,
      lambdaMean: 0.75,
      // Two 2×3 grey pictures (samples 1 and 2), every byte value kind of the base64 alphabet.
      images: {
        width: 3,
        height: 2,
        channels: 1,
        positions: [1, 2],
        pixels: Uint8Array.of(0, 255, 62, 63, 128, 7, 250, 1, 2, 3, 4, 5),
      },
    },
  ];
}

/** One record of each Cockpit instrument type, with a non-finite number and a null α. */
export function sampleInstrumentRecords(): BodyRecord[] {
  return [
    {
      type: 'noise',
      step: 10,
      batch: 3,
      loss: 0.7,
      gradNorm: 0.4,
      sampleGradNorms: Float64Array.from([0.5, 1.25, 2]),
      meanGsnr: 0.02,
      normTest: 1.7,
      innerProductTest: 0.9,
      orthogonalityTest: Infinity,
      cabsBatchSize: 12.5,
      ggnTrace: 3.5,
      tic: 0.25,
    },
    {
      type: 'step_quality',
      step: 11,
      alpha: -0.25,
      lossBefore: 0.7,
      lossAfter: 0.65,
      slopeBefore: -0.3,
      slopeAfter: -0.1,
      updateSize: 0.01,
      distance: 0.3,
      updateSizes: Float64Array.from([0.008, 0.006]),
      distances: Float64Array.from([0.2, 0.22]),
    },
    {
      type: 'step_quality',
      step: 12,
      alpha: null,
      lossBefore: 0.65,
      lossAfter: 0.65,
      slopeBefore: 0,
      slopeAfter: 0,
      updateSize: 0,
      distance: 0.3,
      updateSizes: Float64Array.from([0, 0]),
      distances: Float64Array.from([0.2, 0.22]),
    },
    {
      type: 'histogram',
      step: 10,
      batch: 3,
      gradient: { edges: Float64Array.from([-1, 0, 1]), counts: Float64Array.from([4, 5]) },
      layers: [
        {
          layer: 'model[0] linear',
          paramEdges: Float64Array.from([-0.5, 0, 0.5]),
          gradEdges: Float64Array.from([-1, 0, 1]),
          counts: Float64Array.from([1, 2, 3, 3]),
        },
      ],
    },
  ];
}
