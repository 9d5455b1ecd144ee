// Cockpit's instruments on a training run (definition section `instruments`), each group on its
// own schedule. Noise and histograms look at the parameters after `step` updates on the batch of
// the next update, like a curvature step: a tick of their own before that update, sharing one
// per-sample pass when both are due. Step quality brackets update `step` itself: the session
// copies the parameters before it (`beginStepQuality`) and measures after it
// (`finishStepQuality`) on the same batch. A failure ends the instruments, not the training.
import * as tf from '@tensorflow/tfjs';
import type { InstrumentsSpec } from '../../protocol/definition';
import type { BodyRecord } from '../../protocol/records';
import type { WorkerMessage } from '../../protocol/worker';
import { perSampleGradientStatistics, Rng, type Trainer } from '../../vivit';
import { scheduledSteps } from '../curvature/schedule';
import { errorText, type Run } from '../run';
import { histogramRecord, noiseRecord } from './noise';
import { copyParameters, stepQualityRecord } from './step-quality';

export interface InstrumentsState {
  spec: InstrumentsSpec;
  noiseDue: (step: number) => boolean;
  histogramsDue: (step: number) => boolean;
  stepDue: (step: number) => boolean;
  /** θ₀ on the device (engine layout), for the distance from initialization. */
  initial: tf.Tensor[];
  /** The step last measured by the noise/histogram tick. */
  measuredStep: number;
}

export interface InstrumentsOutput {
  emit(message: WorkerMessage): void;
  record(record: BodyRecord): void;
}

const never = (): boolean => false;

export function createInstruments(spec: InstrumentsSpec, trainer: Trainer): InstrumentsState {
  return {
    spec,
    noiseDue: spec.noise ? scheduledSteps(spec.noise.schedule) : never,
    histogramsDue: spec.histograms ? scheduledSteps(spec.histograms.schedule) : never,
    stepDue: spec.step ? scheduledSteps(spec.step.schedule) : never,
    initial: copyParameters(trainer),
    measuredStep: -1,
  };
}

export function disposeInstruments(state: InstrumentsState): void {
  tf.dispose(state.initial);
}

/** Whether the noise/histogram tick is due before update run.step + 1. */
export function instrumentsDue(run: Run): boolean {
  const s = run.instruments;
  return (
    !!s &&
    s.measuredStep !== run.step &&
    run.step < run.maxSteps &&
    (s.noiseDue(run.step) || s.histogramsDue(run.step))
  );
}

/** Seeds the Monte-Carlo GGN trace and the dropout masks of one step's pass. */
function passSeed(runSeed: number, step: number): number {
  return (runSeed * 104_729 + step * 31 + 17) % 2 ** 31;
}

function stopInstruments(run: Run, out: InstrumentsOutput, e: unknown): void {
  if (run.instruments) disposeInstruments(run.instruments);
  run.instruments = undefined;
  out.emit({
    type: 'error',
    message: `instruments stopped at step ${run.step}: ${errorText(e)}; training continues`,
    step: run.step,
  });
}

/** The noise and histogram records of the parameters after run.step updates. */
export async function measureRunInstruments(run: Run, out: InstrumentsOutput): Promise<void> {
  const s = run.instruments!;
  s.measuredStep = run.step;
  const noise = s.noiseDue(run.step);
  const histograms = s.histogramsDue(run.step) ? s.spec.histograms : undefined;
  const batch = run.batches.batch(run.step);
  try {
    const seed = passSeed(run.definition.seed, run.step);
    const model = run.trainer.curvatureModel();
    const stats = await perSampleGradientStatistics(
      model,
      batch,
      new Rng(seed, 'instruments-dropout'),
      {
        ...(noise && { ggnTraceSeed: seed }),
        ...(histograms && {
          histograms: {
            gradientBins: histograms.gradient_bins,
            paramBins: histograms.param_bins,
          },
        }),
      },
    );
    if (noise) out.record(noiseRecord(run.step, stats, run.definition.optimizer));
    if (histograms) {
      out.record(histogramRecord(run.step, stats, model.network, run.definition.model));
    }
  } catch (e) {
    stopInstruments(run, out, e);
  } finally {
    tf.dispose([batch.x, batch.y]);
  }
}

/** Before update run.step + 1: copies of the parameters if its step quality is due. */
export function beginStepQuality(run: Run): tf.Tensor[] | undefined {
  const s = run.instruments;
  return s && s.stepDue(run.step + 1) ? copyParameters(run.trainer) : undefined;
}

/** After update `step` (on `batch`, still alive): its step quality record. */
export async function finishStepQuality(
  run: Run,
  before: tf.Tensor[],
  batch: { x: tf.Tensor; y: tf.Tensor },
  step: number,
  out: InstrumentsOutput,
): Promise<void> {
  try {
    const s = run.instruments;
    if (!s) return;
    out.record(
      await stepQualityRecord({
        trainer: run.trainer,
        before,
        initial: s.initial,
        batch,
        seed: run.definition.seed,
        step,
      }),
    );
  } catch (e) {
    stopInstruments(run, out, e);
  } finally {
    tf.dispose(before);
  }
}
