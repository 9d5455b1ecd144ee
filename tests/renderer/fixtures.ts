// Records as the host sends them, for driving the stores in tests (built on tests/helpers).
import type { HeaderRecord, StepRecord, EvalRecord, BodyRecord } from '../../src/protocol/records';
import type { HostEvent } from '../../src/protocol/host';
import { headerRecord, mnistMlpDefinition, stepRecord as buildStep } from '../helpers/records';

export const definition = mnistMlpDefinition;

export function header(name = 'MNIST MLP'): HeaderRecord {
  return headerRecord({
    name,
    backend: {
      chosen: 'wasm',
      skipped: [
        { backend: 'tensorflow-gpu', reason: 'package @tensorflow/tfjs-node-gpu is not installed' },
        { backend: 'tensorflow', reason: 'package @tensorflow/tfjs-node is not installed' },
      ],
    },
  });
}

/** `accuracy: null` leaves it out (a regression run). */
export function stepRecord(
  step: number,
  loss = 2 / step,
  accuracy: number | null = 1 - 1 / (step + 1),
): StepRecord {
  return buildStep(step, {
    epoch: Math.floor((step - 1) / 10),
    loss,
    ...(accuracy === null ? {} : { accuracy }),
  });
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
