// Training progress for the terminal: a redrawn bar on a TTY, plain lines otherwise (one per
// evaluation and per run event), so logs of CI jobs stay readable.
import type { HostEvent } from '../../protocol/host';
import type { BodyRecord, StepRecord } from '../../protocol/records';
// The worker's own count, recorded in the header, so the bar's total matches the run.
import { plannedSteps } from '../../protocol/plan';

export interface ProgressOptions {
  /** Where the bar/lines go. */
  out: { write(text: string): unknown };
  /** Draw a bar redrawn in place (true on a terminal). */
  tty: boolean;
  /** Terminal width for the bar. */
  columns?: number;
  /** Minimum time between bar redraws. */
  redrawMs?: number;
}

const RATE_WINDOW = 20;

export const formatNumber = (x: number): string =>
  !Number.isFinite(x)
    ? String(x)
    : Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3)
      ? x.toExponential(3)
      : x.toFixed(4);

const percent = (x: number | undefined): string =>
  x === undefined ? '' : `${(100 * x).toFixed(1)}%`;

export class ProgressReporter {
  private total: number | undefined;
  private lastStep: StepRecord | undefined;
  private lastEval: { loss: number; accuracy?: number } | undefined;
  private readonly recent: StepRecord[] = [];
  private status = '';
  private barVisible = false;
  private lastDraw = 0;

  constructor(private readonly options: ProgressOptions) {}

  handle(event: HostEvent): void {
    switch (event.kind) {
      case 'session':
        this.total = plannedSteps(event.header);
        this.status = '';
        this.line(
          `run "${event.header.name}": ${event.header.parameterCount} parameters, ` +
            `${event.header.trainSamples} training / ${event.header.testSamples} held-out samples, ` +
            `backend ${event.header.backend.chosen}` +
            (event.header.backend.device ? ` on ${event.header.backend.device}` : ''),
        );
        return;
      case 'records':
        for (const record of event.records) this.record(record);
        this.draw(false);
        return;
      case 'status':
        this.status = event.message;
        if (this.options.tty) this.draw(true);
        else this.line(event.message);
        return;
      case 'notice':
        this.line(`${event.level}: ${event.message}`);
        return;
      default:
        return;
    }
  }

  private record(record: BodyRecord): void {
    switch (record.type) {
      case 'step':
        this.status = '';
        this.lastStep = record;
        this.recent.push(record);
        if (this.recent.length > RATE_WINDOW) this.recent.shift();
        return;
      case 'eval':
        this.lastEval = {
          loss: record.loss,
          ...(record.accuracy !== undefined && { accuracy: record.accuracy }),
        };
        if (!this.options.tty) this.printSummary();
        return;
      case 'event':
        if (record.kind !== 'started') {
          this.line(
            `${record.kind} at step ${record.step}${record.message ? `: ${record.message}` : ''}`,
          );
        }
        return;
      case 'epoch':
        return;
    }
  }

  /** Steps per second over the last few steps, on the run clock (pauses excluded). */
  stepsPerSecond(): number | undefined {
    const first = this.recent[0];
    const last = this.recent[this.recent.length - 1];
    if (!first || !last || last.time <= first.time) return undefined;
    return (last.step - first.step) / (last.time - first.time);
  }

  summary(): string {
    const step = this.lastStep?.step ?? 0;
    const parts = [`step ${step}${this.total !== undefined ? `/${this.total}` : ''}`];
    if (this.lastStep) {
      parts.push(`loss ${formatNumber(this.lastStep.loss)}`);
      if (this.lastStep.accuracy !== undefined)
        parts.push(`acc ${percent(this.lastStep.accuracy)}`);
    }
    if (this.lastEval) {
      parts.push(`held-out loss ${formatNumber(this.lastEval.loss)}`);
      if (this.lastEval.accuracy !== undefined)
        parts.push(`held-out acc ${percent(this.lastEval.accuracy)}`);
    }
    const rate = this.stepsPerSecond();
    if (rate !== undefined) parts.push(`${rate.toFixed(1)} steps/s`);
    return parts.join('  ');
  }

  private draw(force: boolean): void {
    if (!this.options.tty) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < (this.options.redrawMs ?? 100)) return;
    this.lastDraw = now;
    const columns = this.options.columns ?? 100;
    const text = this.status && !this.lastStep ? this.status : this.summary();
    let bar = '';
    // The bar takes the room the numbers leave (none on a narrow terminal).
    const width = Math.min(30, columns - text.length - 4);
    if (this.total && this.lastStep && width >= 10) {
      const filled = Math.min(width, Math.round((width * this.lastStep.step) / this.total));
      bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] `;
    }
    this.options.out.write(`\r\x1b[2K${(bar + text).slice(0, columns - 1)}`);
    this.barVisible = true;
  }

  private lastSummary = '';

  /** The summary as a plain line, unless it was the last one printed. */
  private printSummary(): void {
    const summary = this.summary();
    if (summary !== this.lastSummary) this.line(summary);
    this.lastSummary = summary;
  }

  /** A line that stays (above the bar on a TTY). */
  line(text: string): void {
    if (this.barVisible) this.options.out.write('\r\x1b[2K');
    this.options.out.write(text + '\n');
    this.barVisible = false;
    if (this.options.tty && this.lastStep) this.draw(true);
  }

  /** Leaves the final state on screen (call at the end). */
  finish(): void {
    if (this.options.tty) {
      this.draw(true);
      this.options.out.write('\n');
      this.barVisible = false;
    } else if (this.lastStep) {
      this.printSummary();
    }
  }
}
