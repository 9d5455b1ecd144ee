// How many optimizer steps a run takes. The worker decides once and records the number in the
// log header (`plannedSteps`); everyone else reads it from there. The computation below is the
// worker's, and the readers' fallback for logs written before the header carried the number.
import type { RunDefinition } from './definition';
import type { HeaderRecord } from './records';

/** Full batches per epoch; the last incomplete batch of each epoch is dropped so every step
 *  sees exactly batch_size samples. */
export function batchesPerEpoch(trainCount: number, batchSize: number): number {
  return Math.max(1, Math.floor(trainCount / batchSize));
}

/**
 * Steps a run takes: `maxSteps` (the CLI's --steps) if given, else the definition's steps, else
 * its epochs (one if neither is set) of full batches of `trainSamples`.
 */
export function planSteps(
  definition: RunDefinition,
  trainSamples: number,
  maxSteps?: number,
): number {
  return (
    maxSteps ??
    definition.steps ??
    (definition.epochs ?? 1) * batchesPerEpoch(trainSamples, definition.batch_size)
  );
}

/** The planned steps of a logged run; computed from the definition for older logs. */
export function plannedSteps(header: HeaderRecord): number {
  return header.plannedSteps ?? planSteps(header.definition, header.trainSamples);
}
