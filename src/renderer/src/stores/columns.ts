// Session records split by type into columns (one plain array per field): charts read them
// without copying, and appending a batch costs only the batch.
import type {
  BodyRecord,
  CurvatureRecord,
  DampingRecord,
  EventRecord,
  HistogramRecord,
  InspectRecord,
  NoiseRecord,
  StepQualityRecord,
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

/** Cockpit's noise instruments per measured step (the per-sample norms of the latest only). */
export interface NoiseColumns {
  step: number[];
  batch: number[];
  loss: number[];
  gradNorm: number[];
  meanGsnr: number[];
  normTest: number[];
  innerProductTest: number[];
  orthogonalityTest: number[];
  /** NaN where the record had none (Adam). */
  cabsBatchSize: number[];
  ggnTrace: number[];
  tic: number[];
}

/** Step quality per measured update (the per-tensor arrays of the latest only). */
export interface StepQualityColumns {
  step: number[];
  /** NaN where no quadratic fit existed (alpha: null). */
  alpha: number[];
  lossBefore: number[];
  lossAfter: number[];
  slopeBefore: number[];
  slopeAfter: number[];
  updateSize: number[];
  distance: number[];
}

/** Histogram records kept: the panels show the latest, and each holds a 2-D grid per layer. */
export const HISTOGRAMS_KEPT = 16;

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
  /** Noise instruments as columns; the whole latest record for its per-sample gradient norms. */
  noise: NoiseColumns;
  latestNoise?: NoiseRecord;
  /** Step quality as columns; the whole latest record for its per-tensor sizes. */
  stepQuality: StepQualityColumns;
  latestStepQuality?: StepQualityRecord;
  /** The last HISTOGRAMS_KEPT histogram records, oldest first (bounded: each is a set of grids). */
  histograms: HistogramRecord[];
  /** Histogram records seen in all (grows while `histograms` stays bounded). */
  histogramsSeen: number;
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
    noise: {
      step: [],
      batch: [],
      loss: [],
      gradNorm: [],
      meanGsnr: [],
      normTest: [],
      innerProductTest: [],
      orthogonalityTest: [],
      cabsBatchSize: [],
      ggnTrace: [],
      tic: [],
    },
    stepQuality: {
      step: [],
      alpha: [],
      lossBefore: [],
      lossAfter: [],
      slopeBefore: [],
      slopeAfter: [],
      updateSize: [],
      distance: [],
    },
    histograms: [],
    histogramsSeen: 0,
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
      case 'noise':
        appendNoise(columns.noise, record);
        columns.latestNoise = record;
        break;
      case 'step_quality':
        appendStepQuality(columns.stepQuality, record);
        columns.latestStepQuality = record;
        break;
      case 'histogram':
        columns.histograms.push(record);
        if (columns.histograms.length > HISTOGRAMS_KEPT) columns.histograms.shift();
        columns.histogramsSeen += 1;
        break;
      default:
        // Records of types this renderer does not know yet (a newer log) are skipped.
        continue;
    }
    lastStep = Math.max(lastStep, record.step);
  }
  return lastStep;
}

function appendNoise(noise: NoiseColumns, r: NoiseRecord): void {
  noise.step.push(r.step);
  noise.batch.push(r.batch);
  noise.loss.push(r.loss);
  noise.gradNorm.push(r.gradNorm);
  noise.meanGsnr.push(r.meanGsnr);
  noise.normTest.push(r.normTest);
  noise.innerProductTest.push(r.innerProductTest);
  noise.orthogonalityTest.push(r.orthogonalityTest);
  noise.cabsBatchSize.push(r.cabsBatchSize ?? Number.NaN);
  noise.ggnTrace.push(r.ggnTrace);
  noise.tic.push(r.tic);
}

function appendStepQuality(sq: StepQualityColumns, r: StepQualityRecord): void {
  sq.step.push(r.step);
  sq.alpha.push(r.alpha ?? Number.NaN);
  sq.lossBefore.push(r.lossBefore);
  sq.lossAfter.push(r.lossAfter);
  sq.slopeBefore.push(r.slopeBefore);
  sq.slopeAfter.push(r.slopeAfter);
  sq.updateSize.push(r.updateSize);
  sq.distance.push(r.distance);
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
