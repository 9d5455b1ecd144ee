// The one builder of hand-written log records for tests and benches: a header and step records
// with plausible defaults, each caller overriding what it is about. Neutral code (no Node, no
// DOM), so the renderer tests, the protocol tests and the e2e support share it.
import type { RunDefinition } from '../../src/protocol/definition';
import {
  LOG_FORMAT,
  LOG_VERSION,
  type HeaderRecord,
  type StepRecord,
} from '../../src/protocol/records';

/** A record array (records carry numbers as Float64Arrays). */
export const f = (...values: number[]): Float64Array => Float64Array.from(values);

/** The MNIST MLP example's shape of definition (784 → 64 → 10, SGD). */
export const mnistMlpDefinition: RunDefinition = {
  name: 'MNIST MLP',
  seed: 0,
  data: { source: 'mnist', normalize: 'standard' },
  model: [
    { type: 'flatten' },
    { type: 'linear', in: 784, out: 64, bias: true },
    { type: 'relu' },
    { type: 'linear', in: 64, out: 10, bias: true },
  ],
  loss: 'cross_entropy',
  optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, weight_decay: 0, nesterov: false },
  batch_size: 100,
  epochs: 2,
  eval: { every: 10 },
};

/** A header of the MNIST MLP on wasm; the definition's name follows `name`. */
export function headerRecord(overrides: Partial<HeaderRecord> = {}): HeaderRecord {
  const name = overrides.name ?? 'MNIST MLP';
  return {
    type: 'header',
    format: LOG_FORMAT,
    version: LOG_VERSION,
    name,
    definition: { ...mnistMlpDefinition, name },
    backend: { chosen: 'wasm', skipped: [] },
    versions: { app: '0.1.0' },
    startTime: '2025-01-01T00:00:00.000Z',
    parameterCount: 50890,
    trainSamples: 1000,
    testSamples: 200,
    ...overrides,
  };
}

/** A step record at `step` (10 ms a step, run time step × 10 ms). */
export function stepRecord(
  step: number,
  fields: Partial<Omit<StepRecord, 'type'>> = {},
): StepRecord {
  return {
    type: 'step',
    step,
    epoch: 0,
    loss: 1 / step,
    time: step * 0.01,
    stepMs: 10,
    samplesPerSec: 10_000,
    ...fields,
  };
}
