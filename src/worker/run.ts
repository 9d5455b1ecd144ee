// A training run's state as the session keeps it (src/worker/session.ts), shared with the
// curvature monitor that works on it (src/worker/curvature/run-monitor.ts).
import type { CurvatureSpec, RunDefinition } from '../protocol/definition';
import type { Trainer } from '../vivit';
import type { BatchSource, TensorBatch } from './data/batches';
import type { CurvatureBatchTensors } from './curvature/monitor';
import type { InstrumentsState } from './instruments/run-instruments';

/** The run's curvature monitoring (definition section `curvature`). */
export interface Monitor {
  spec: CurvatureSpec;
  due: (step: number) => boolean;
  /** batch: fixed — the held batch, disposed with the run. */
  fixed?: CurvatureBatchTensors;
  /** The step last measured (a measurement is one tick of its own, before that step's update). */
  measuredStep: number;
  /** The batch and seed of the latest curvature step, for the inspector. */
  last?: { indices: number[]; seed: number; step: number };
}

export interface Run {
  monitor?: Monitor;
  /** Cockpit's instruments (definition section `instruments`). */
  instruments?: InstrumentsState;
  definition: RunDefinition;
  trainer: Trainer;
  batches: BatchSource;
  evalSet: TensorBatch;
  maxSteps: number;
  /** Optimizer steps taken so far. */
  step: number;
  state: 'running' | 'paused';
  /** Active (unpaused) milliseconds accumulated before `runningSince`. */
  activeMs: number;
  /** performance.now() when the run last entered 'running'. */
  runningSince: number;
  recent: { ms: number; samples: number }[];
  lastEvalStep: number;
  tickScheduled: boolean;
  /** Set while a pause waits for the work in flight (so 'paused' follows that work's records);
   *  a resume before then withdraws it. */
  pauseRequest?: object;
  /** The tail of the run's work queue (see `enqueue`). */
  work: Promise<void>;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
