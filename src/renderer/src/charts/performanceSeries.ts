// Display series for the performance panel, built incrementally from the session columns:
// a new batch of records costs only the batch (the smoothers carry their state), and a full
// rebuild happens only when the session or a display setting changes.
import type { SessionColumns } from '../stores/columns';
import { EmaSmoother } from './smoothing';
import { PointBuffer } from './pointBuffer';

/** [step, value]; value NaN leaves a gap. */
export type Point = [number, number];

export interface PerformanceSettings {
  /** EMA weight in [0, 1). */
  smoothing: number;
  logStep: boolean;
  logLoss: boolean;
}

export const SERIES_IDS = [
  'trainLoss',
  'trainLossSmooth',
  'evalLoss',
  'trainAccuracy',
  'trainAccuracySmooth',
  'evalAccuracy',
] as const;
export type SeriesId = (typeof SERIES_IDS)[number];

export type SyncResult = 'unchanged' | 'appended' | 'rebuilt';

export class PerformanceSeries {
  /** Points per series as (step, value); a NaN value leaves a gap. */
  data: Record<SeriesId, PointBuffer> = emptyData();
  /** Whether any accuracy was recorded (classification): decides if the accuracy chart shows. */
  hasAccuracy = false;
  private sessionId = Number.NaN;
  private settingsKey = '';
  private stepsDone = 0;
  private evalsDone = 0;
  private lossSmoother = new EmaSmoother(0);
  private accuracySmoother = new EmaSmoother(0);

  sync(columns: SessionColumns, sessionId: number, settings: PerformanceSettings): SyncResult {
    const key = `${settings.smoothing}|${settings.logStep}|${settings.logLoss}`;
    let result: SyncResult = 'unchanged';
    if (sessionId !== this.sessionId || key !== this.settingsKey) {
      this.sessionId = sessionId;
      this.settingsKey = key;
      this.data = emptyData();
      this.hasAccuracy = false;
      this.stepsDone = 0;
      this.evalsDone = 0;
      this.lossSmoother = new EmaSmoother(settings.smoothing);
      this.accuracySmoother = new EmaSmoother(settings.smoothing);
      result = 'rebuilt';
    }
    const grew =
      columns.steps.step.length > this.stepsDone || columns.evals.step.length > this.evalsDone;
    if (!grew) return result;
    this.appendSteps(columns, settings);
    this.appendEvals(columns, settings);
    return result === 'rebuilt' ? result : 'appended';
  }

  private appendSteps(columns: SessionColumns, settings: PerformanceSettings): void {
    const { step, loss, accuracy } = columns.steps;
    const d = this.data;
    for (let i = this.stepsDone; i < step.length; i++) {
      const x = step[i];
      const smoothLoss = this.lossSmoother.next(loss[i]);
      const acc = accuracy[i];
      const smoothAcc = this.accuracySmoother.next(acc);
      if (settings.logStep && !(x > 0)) continue;
      d.trainLoss.push(x, lossForAxis(loss[i], settings.logLoss));
      d.trainLossSmooth.push(x, lossForAxis(smoothLoss, settings.logLoss));
      if (Number.isFinite(acc)) {
        this.hasAccuracy = true;
        d.trainAccuracy.push(x, acc);
        d.trainAccuracySmooth.push(x, smoothAcc);
      }
    }
    this.stepsDone = step.length;
  }

  private appendEvals(columns: SessionColumns, settings: PerformanceSettings): void {
    const { step, loss, accuracy } = columns.evals;
    const d = this.data;
    for (let i = this.evalsDone; i < step.length; i++) {
      const x = step[i];
      if (settings.logStep && !(x > 0)) continue;
      d.evalLoss.push(x, lossForAxis(loss[i], settings.logLoss));
      if (Number.isFinite(accuracy[i])) {
        this.hasAccuracy = true;
        d.evalAccuracy.push(x, accuracy[i]);
      }
    }
    this.evalsDone = step.length;
  }
}

function emptyData(): Record<SeriesId, PointBuffer> {
  return {
    trainLoss: new PointBuffer(),
    trainLossSmooth: new PointBuffer(),
    evalLoss: new PointBuffer(64),
    trainAccuracy: new PointBuffer(),
    trainAccuracySmooth: new PointBuffer(),
    evalAccuracy: new PointBuffer(64),
  };
}

/** Non-finite values and, on a log axis, non-positive ones become gaps. */
function lossForAxis(value: number, log: boolean): number {
  return Number.isFinite(value) && (!log || value > 0) ? value : Number.NaN;
}
