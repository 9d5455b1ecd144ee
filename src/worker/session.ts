// One training session: takes WorkerCommands, emits WorkerMessages (preparation in
// ./prepare.ts, the curvature monitor in ./curvature/run-monitor.ts). Independent of
// worker_threads (src/worker/index.ts wires it to a parentPort), so it can be tested directly.
//
// It never waits on the host: steps run one per event-loop turn (setImmediate), so commands
// are handled between any two steps and a pause takes effect within one step. A step is
// asynchronous (GPU backends read results back asynchronously), so all work on a run's trainer
// (steps, curvature, the inspector, releasing it) goes through the run's queue, one at a time.
import * as tf from '@tensorflow/tfjs';
import type { BodyRecord, DampingRecord, EventRecord, RunEventKind } from '../protocol/records';
import type { RunState, WorkerCommand, WorkerMessage } from '../protocol/worker';
import type { DampingStepReport } from '../vivit';
import {
  curvatureDue,
  inspectRun,
  measureRunCurvature,
  type MonitorOutput,
} from './curvature/run-monitor';
import {
  beginStepQuality,
  disposeInstruments,
  finishStepQuality,
  instrumentsDue,
  measureRunInstruments,
} from './instruments/run-instruments';
import { prepareRun, type PreparedRun } from './prepare';
import { errorText, type Run } from './run';

export type Emit = (message: WorkerMessage) => void;

/** Steps over which samples/s is averaged. */
const THROUGHPUT_WINDOW = 20;

export class TrainingSession {
  private run: Run | undefined;
  /** Bumped by every start/stop, so a preparation that is overtaken abandons itself. */
  private generation = 0;
  private preparing: { paused: boolean } | undefined;
  private lastState: RunState = 'idle';

  /** Where a run's curvature monitor posts its records and messages: nowhere once the run has
   *  ended (stopped while a curvature step or the inspector was computing). */
  private outputOf(run: Run): MonitorOutput {
    return {
      emit: (message) => {
        if (this.run === run) this.emit(message);
      },
      record: (record) => {
        if (this.run === run) this.record(record);
      },
    };
  }

  constructor(private readonly emit: Emit) {}

  handle(command: WorkerCommand): void {
    switch (command.type) {
      case 'start':
        void this.start(command);
        return;
      case 'pause':
        if (this.preparing) this.preparing.paused = true;
        else if (this.run?.state === 'running') this.requestPause(this.run);
        return;
      case 'resume':
        if (this.preparing) this.preparing.paused = false;
        else if (this.run?.state === 'paused') this.resume(this.run);
        else if (this.run?.pauseRequest) {
          this.run.pauseRequest = undefined; // withdrawn before it took effect
          this.schedule(this.run);
        }
        return;
      case 'step':
        if (this.run?.state === 'paused') {
          const run = this.run;
          this.enqueue(run, () => this.singleStep(run));
        }
        return;
      case 'stop':
        this.stop();
        return;
      case 'inspect':
        if (this.run?.state === 'paused') {
          const run = this.run;
          this.enqueue(run, () =>
            inspectRun(run, command.group, command.direction, this.outputOf(run)),
          );
        } else
          this.emit({
            type: 'error',
            message: 'cannot inspect a direction: pause the run first',
            ...(this.run && { step: this.run.step }),
          });
        return;
      default:
        this.emit({ type: 'error', message: `unknown command ${JSON.stringify(command)}` });
    }
  }

  /** The current state, for tests and the host's bookkeeping. */
  get state(): RunState {
    return this.lastState;
  }

  // ------------------------------------------------------------------ start

  private async start(command: Extract<WorkerCommand, { type: 'start' }>): Promise<void> {
    if (this.run || this.preparing) this.stop();
    const generation = ++this.generation;
    const preparing = { paused: command.paused ?? false };
    this.preparing = preparing;
    const current = () => this.generation === generation;
    let prepared: PreparedRun | undefined;
    try {
      prepared = await prepareRun(command, current, (message) =>
        this.emit({ type: 'status', message }),
      );
      if (!prepared) return;
      const { header, definition, trainer, batches, evalSet, maxSteps, monitor, instruments } =
        prepared;
      this.preparing = undefined;
      this.run = {
        ...(monitor && { monitor }),
        ...(instruments && { instruments }),
        definition,
        trainer,
        batches,
        evalSet,
        maxSteps,
        step: 0,
        state: preparing.paused ? 'paused' : 'running',
        activeMs: 0,
        runningSince: performance.now(),
        recent: [],
        lastEvalStep: -1,
        tickScheduled: false,
        work: Promise.resolve(),
      };
      this.emit({ type: 'header', header });
      this.event(0, 'started');
      this.setState(this.run.state, 0);
      this.schedule(this.run);
    } catch (e) {
      prepared?.trainer.dispose();
      if (prepared) tf.dispose([prepared.evalSet.x, prepared.evalSet.y]);
      if (prepared?.instruments) disposeInstruments(prepared.instruments);
      if (!current()) return;
      this.preparing = undefined;
      const message = `cannot start the run: ${errorText(e)}`;
      this.emit({ type: 'error', message });
      this.setState('error', 0, message);
    }
  }

  // ------------------------------------------------------------------ state changes

  private setState(state: RunState, step: number, message?: string): void {
    this.lastState = state;
    this.emit(message ? { type: 'state', state, step, message } : { type: 'state', state, step });
  }

  private record(record: BodyRecord): void {
    this.emit({ type: 'record', record });
  }

  private event(step: number, kind: RunEventKind, message?: string): void {
    const record: EventRecord = { type: 'event', step, kind, time: new Date().toISOString() };
    if (message) record.message = message;
    this.record(record);
  }

  private pause(run: Run, message?: string): void {
    run.activeMs += performance.now() - run.runningSince;
    run.state = 'paused';
    if (!message) this.event(run.step, 'paused');
    this.setState('paused', run.step, message);
  }

  private resume(run: Run): void {
    run.state = 'running';
    run.runningSince = performance.now();
    this.event(run.step, 'resumed');
    this.setState('running', run.step);
    this.schedule(run);
  }

  private stop(): void {
    this.generation++;
    if (this.preparing) {
      this.preparing = undefined;
      this.setState('stopped', 0);
      return;
    }
    const run = this.run;
    if (!run) return;
    this.event(run.step, 'stopped');
    this.end(run);
    this.setState('stopped', run.step);
  }

  /** Ends the run now (the session is ready for a new start) and releases its tensors once
   *  the work in flight on them is done. */
  private end(run: Run): void {
    if (this.run === run) this.run = undefined;
    run.work = run.work.then(() => {
      run.trainer.dispose();
      tf.dispose([run.evalSet.x, run.evalSet.y]);
      if (run.monitor?.fixed) tf.dispose([run.monitor.fixed.x, run.monitor.fixed.y]);
      if (run.instruments) disposeInstruments(run.instruments);
    });
  }

  /** Runs `task` after the run's queued work, unless the run has ended by then. */
  private enqueue(run: Run, task: () => Promise<void>): Promise<void> {
    const next = run.work.then(async () => {
      if (this.run !== run) return;
      try {
        await task();
      } catch (e) {
        if (this.run === run) this.fail(run, e);
      }
    });
    run.work = next;
    return next;
  }

  private fail(run: Run, e: unknown): void {
    const message = `step ${run.step + 1} failed: ${errorText(e)}`;
    this.event(run.step, 'error', message);
    this.end(run);
    this.emit({ type: 'error', message, step: run.step });
    this.setState('error', run.step, message);
  }

  // ------------------------------------------------------------------ stepping

  /** Stops scheduling steps now and pauses once the work in flight is done, so that the
   *  'paused' state comes after that work's records (and a log saved then has them). */
  private requestPause(run: Run): void {
    if (run.pauseRequest) return;
    const request = {};
    run.pauseRequest = request;
    void this.enqueue(run, async () => {
      if (run.pauseRequest !== request) return;
      run.pauseRequest = undefined;
      if (run.state === 'running') this.pause(run);
    });
  }

  private schedule(run: Run): void {
    if (run.tickScheduled || run.state !== 'running' || run.pauseRequest) return;
    run.tickScheduled = true;
    setImmediate(() => {
      if (this.run !== run || run.state !== 'running' || run.pauseRequest) {
        run.tickScheduled = false;
        return;
      }
      void this.enqueue(run, async () => {
        // A curvature step and the instruments' pass are ticks of their own, so a pause lands
        // between them and the update.
        if (curvatureDue(run)) await measureRunCurvature(run, this.outputOf(run));
        else if (instrumentsDue(run)) await measureRunInstruments(run, this.outputOf(run));
        else await this.advance(run);
      }).then(() => {
        run.tickScheduled = false;
        if (this.run === run) this.schedule(run);
      });
    });
  }

  private async singleStep(run: Run): Promise<void> {
    const t0 = performance.now();
    if (curvatureDue(run)) await measureRunCurvature(run, this.outputOf(run));
    if (instrumentsDue(run)) await measureRunInstruments(run, this.outputOf(run));
    await this.advance(run);
    run.activeMs += performance.now() - t0;
  }

  /** Seconds since the start, not counting paused time. */
  private elapsed(run: Run): number {
    const running = run.state === 'running' ? performance.now() - run.runningSince : 0;
    return (run.activeMs + running) / 1000;
  }

  /** One optimizer step plus whatever records it triggers (epoch end, eval, finish). */
  private async advance(run: Run): Promise<void> {
    try {
      const t0 = performance.now();
      const stepIndex = run.step;
      const batch = run.batches.batch(stepIndex);
      const before = beginStepQuality(run);
      let result;
      let stepMs: number;
      try {
        result = await run.trainer.trainStep(batch.x, batch.y);
        stepMs = performance.now() - t0;
        // Measured on the update's own batch, after its time was taken.
        if (before && this.run === run) {
          await finishStepQuality(run, before, batch, stepIndex + 1, this.outputOf(run));
        } else if (before) {
          tf.dispose(before);
        }
      } finally {
        tf.dispose([batch.x, batch.y]);
      }
      // Stopped (or restarted) while the step ran: the run ended at the step it had.
      if (this.run !== run) return;
      run.step++;

      if (!Number.isFinite(result.loss)) {
        const what = Number.isNaN(result.loss) ? 'NaN' : 'Inf';
        const message = `loss became ${what} at step ${run.step}; paused`;
        this.event(run.step, 'error', message);
        if (run.state === 'running') this.pause(run, message);
        else this.setState('paused', run.step, message);
        return;
      }

      run.recent.push({ ms: stepMs, samples: batch.count });
      if (run.recent.length > THROUGHPUT_WINDOW) run.recent.shift();
      const windowMs = run.recent.reduce((s, r) => s + r.ms, 0);
      const windowSamples = run.recent.reduce((s, r) => s + r.samples, 0);
      const record: BodyRecord = {
        type: 'step',
        step: run.step,
        epoch: run.batches.epochOf(stepIndex),
        loss: result.loss,
        time: this.elapsed(run),
        stepMs,
        samplesPerSec: windowMs > 0 ? (windowSamples * 1000) / windowMs : 0,
      };
      if (result.accuracy !== undefined) record.accuracy = result.accuracy;
      this.record(record);
      if (result.damping) this.record(dampingRecord(run.step, result.damping));

      if (run.step % run.batches.batchesPerEpoch === 0) {
        this.record({
          type: 'epoch',
          epoch: run.step / run.batches.batchesPerEpoch - 1,
          step: run.step,
        });
      }
      const finished = run.step >= run.maxSteps;
      if (run.step % run.definition.eval.every === 0 || finished) await this.evaluate(run);
      if (this.run !== run) return;
      if (finished) {
        this.event(run.step, 'finished');
        this.end(run);
        this.setState('finished', run.step);
      } else if (run.state === 'paused') {
        this.setState('paused', run.step);
      }
    } catch (e) {
      if (this.run === run) this.fail(run, e);
    }
  }

  private async evaluate(run: Run): Promise<void> {
    if (run.lastEvalStep === run.step) return;
    run.lastEvalStep = run.step;
    const result = await run.trainer.evaluate(run.evalSet.x, run.evalSet.y);
    if (this.run !== run) return;
    const record: BodyRecord = {
      type: 'eval',
      step: run.step,
      loss: result.loss,
      samples: run.evalSet.count,
    };
    if (result.accuracy !== undefined) record.accuracy = result.accuracy;
    this.record(record);
  }
}

/** The optimizer's report as a record, its per-direction lists as typed arrays. */
function dampingRecord(step: number, report: DampingStepReport): DampingRecord {
  return {
    type: 'damping',
    step,
    groupSizes: report.groupSizes,
    lambdaMean: Float64Array.from(report.lambdaMean),
    gammaMean: Float64Array.from(report.gammaMean),
    damping: Float64Array.from(report.damping),
    stepLength: Float64Array.from(report.stepLength),
    predictedChange: report.predictedChange,
    actualChange: report.actualChange,
  };
}
