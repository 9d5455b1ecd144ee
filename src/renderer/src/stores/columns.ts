// Session records split by type into columns (one plain array per field): charts read them
// without copying, and appending a batch costs only the batch.
import type {
  BodyRecord,
  CurvatureRecord,
  DampingRecord,
  EventRecord,
  InspectRecord,
} from '../../../protocol/records';

export interface StepColumns {
  step: number[];
  epoch: number[];
  loss: number[];
  /** NaN where the step had no accuracy (regression). */
  accuracy: number[];
  time: number[];
  stepMs: number[];
  samplesPerSec: number[];
}

export interface EvalColumns {
  step: number[];
  loss: number[];
  /** NaN where the evaluation had no accuracy. */
  accuracy: number[];
  samples: number[];
}

export interface EpochColumns {
  epoch: number[];
  step: number[];
}

export interface SessionColumns {
  steps: StepColumns;
  evals: EvalColumns;
  epochs: EpochColumns;
  events: EventRecord[];
  /** Curvature steps in arrival order (each already compact: arrays over K directions). */
  curvature: CurvatureRecord[];
  /** Damped Newton updates in arrival order. */
  damping: DampingRecord[];
  /** Inspector answers in arrival order (the last one is shown). */
  inspections: InspectRecord[];
}

export function emptyColumns(): SessionColumns {
  return {
    steps: { step: [], epoch: [], loss: [], accuracy: [], time: [], stepMs: [], samplesPerSec: [] },
    evals: { step: [], loss: [], accuracy: [], samples: [] },
    epochs: { epoch: [], step: [] },
    events: [],
    curvature: [],
    damping: [],
    inspections: [],
  };
}

/** Appends records in order; returns the highest step number seen in the batch (0 if none). */
export function appendRecords(columns: SessionColumns, records: readonly BodyRecord[]): number {
  let lastStep = 0;
  const { steps, evals, epochs } = columns;
  for (const record of records) {
    switch (record.type) {
      case 'step':
        steps.step.push(record.step);
        steps.epoch.push(record.epoch);
        steps.loss.push(record.loss);
        steps.accuracy.push(record.accuracy ?? Number.NaN);
        steps.time.push(record.time);
        steps.stepMs.push(record.stepMs);
        steps.samplesPerSec.push(record.samplesPerSec);
        break;
      case 'eval':
        evals.step.push(record.step);
        evals.loss.push(record.loss);
        evals.accuracy.push(record.accuracy ?? Number.NaN);
        evals.samples.push(record.samples);
        break;
      case 'epoch':
        epochs.epoch.push(record.epoch);
        epochs.step.push(record.step);
        break;
      case 'event':
        columns.events.push(record);
        break;
      case 'curvature':
        columns.curvature.push(record);
        break;
      case 'damping':
        columns.damping.push(record);
        break;
      case 'inspect':
        columns.inspections.push(record);
        break;
      default:
        // Records of types this renderer does not know yet (a newer log) are skipped.
        continue;
    }
    lastStep = Math.max(lastStep, record.step);
  }
  return lastStep;
}

/** Steps per second over the last `window` step records, using run time (pauses excluded). */
export function recentStepsPerSecond(steps: StepColumns, window = 20): number | undefined {
  const n = steps.step.length;
  if (n < 2) return undefined;
  const first = Math.max(0, n - 1 - window);
  const dt = steps.time[n - 1] - steps.time[first];
  const ds = steps.step[n - 1] - steps.step[first];
  return dt > 0 ? ds / dt : undefined;
}
