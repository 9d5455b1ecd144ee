// Records as the host sends them, for driving the stores in tests.
import type { HeaderRecord, StepRecord, EvalRecord, BodyRecord } from '../../src/protocol/records';
import type { RunDefinition } from '../../src/protocol/definition';
import type { HostEvent } from '../../src/protocol/host';

export const definition: RunDefinition = {
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

export function header(name = 'MNIST MLP'): HeaderRecord {
  return {
    type: 'header',
    format: 'vivit-monitor-log',
    version: 1,
    name,
    definition: { ...definition, name },
    backend: {
      chosen: 'wasm',
      skipped: [
        { backend: 'tensorflow-gpu', reason: 'package @tensorflow/tfjs-node-gpu is not installed' },
        { backend: 'tensorflow', reason: 'package @tensorflow/tfjs-node is not installed' },
      ],
    },
    versions: { app: '0.1.0' },
    startTime: '2025-01-01T00:00:00.000Z',
    parameterCount: 50890,
    trainSamples: 1000,
    testSamples: 200,
  };
}

/** `accuracy: null` leaves it out (a regression run). */
export function stepRecord(
  step: number,
  loss = 2 / step,
  accuracy: number | null = 1 - 1 / (step + 1),
): StepRecord {
  return {
    type: 'step',
    step,
    epoch: Math.floor((step - 1) / 10),
    loss,
    ...(accuracy === null ? {} : { accuracy }),
    time: step * 0.01,
    stepMs: 10,
    samplesPerSec: 10_000,
  };
}

export function evalRecord(
  step: number,
  loss = 1.5 / step,
  accuracy = 0.5 + step / 1000,
): EvalRecord {
  return { type: 'eval', step, loss, accuracy, samples: 200 };
}

export function steps(from: number, to: number): BodyRecord[] {
  const out: BodyRecord[] = [];
  for (let s = from; s <= to; s++) out.push(stepRecord(s));
  return out;
}

export function snapshot(
  partial: Partial<Extract<HostEvent, { kind: 'snapshot' }>> = {},
): HostEvent {
  return {
    kind: 'snapshot',
    examples: [{ name: 'MNIST MLP', path: '/examples/mnist-mlp.yaml' }],
    records: [],
    state: 'idle',
    step: 0,
    source: 'none',
    ...partial,
  };
}
