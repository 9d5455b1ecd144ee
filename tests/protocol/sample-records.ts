// Hand-written records of every type, as a worker would send them, for codec and host tests.
import type { RunDefinition } from '../../src/protocol/definition';
import {
  LOG_FORMAT,
  LOG_VERSION,
  type BodyRecord,
  type HeaderRecord,
} from '../../src/protocol/records';

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
  return {
    type: 'header',
    format: LOG_FORMAT,
    version: LOG_VERSION,
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
  };
}

/** A short run: started, steps (one with a NaN loss, as a diverging run has), eval, epoch, finished. */
export function sampleBody(steps = 5): BodyRecord[] {
  const records: BodyRecord[] = [
    { type: 'event', step: 0, kind: 'started', time: '2025-01-02T03:04:05.100Z' },
  ];
  for (let step = 1; step <= steps; step++) {
    records.push({
      type: 'step',
      step,
      epoch: Math.floor((step - 1) / 4),
      loss: step === 3 ? Number.NaN : 1 / step,
      accuracy: step / 10,
      time: step * 0.01,
      stepMs: 10 + step,
      samplesPerSec: 1600,
    });
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
