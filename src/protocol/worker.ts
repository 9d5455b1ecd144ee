// Messages between the host and the training worker (node:worker_threads).
import type { RunDefinition } from './definition';
import type { BodyRecord, HeaderRecord } from './records';

export type RunState = 'idle' | 'running' | 'paused' | 'stopped' | 'finished' | 'error';

/** Host -> worker. */
export type WorkerCommand =
  | {
      type: 'start';
      definition: RunDefinition;
      definitionPath?: string;
      /** Overrides the definition's steps/epochs (CLI --steps). */
      maxSteps?: number;
      /** Start paused (the user presses start or step in the UI). */
      paused?: boolean;
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step' } // one step while paused
  | { type: 'stop' }
  /** While paused: per-sample detail of direction `direction` (0 = largest eigenvalue) of
   *  parameter group `group`, posted as an InspectRecord. */
  | { type: 'inspect'; group: number; direction: number };

/** Worker -> host. */
export type WorkerMessage =
  | { type: 'header'; header: HeaderRecord } // once, when the session is ready to run
  | { type: 'record'; record: BodyRecord }
  | { type: 'state'; state: RunState; step: number; message?: string }
  /** Progress while preparing (loading data, choosing a backend): shown, not logged. */
  | { type: 'status'; message: string }
  /** A fatal problem before or during the run; the worker stays alive for a new start. */
  | { type: 'error'; message: string; step?: number };
