// Coalesces records for renderers: the first record of a batch arms a timer, and everything that
// arrives before it fires goes out as one message. The worker never waits on renderers; this
// keeps a chart from redrawing once per step.
import type { BodyRecord } from '../../protocol/records';

export class RecordBatcher {
  private pending: BodyRecord[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (records: BodyRecord[]) => void,
    private readonly intervalMs: number,
  ) {}

  add(record: BodyRecord): void {
    this.pending.push(record);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref(); // never the reason the process stays alive
    }
  }

  /** Sends what is pending now (callers do this before any other event, to keep order). */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    this.send(records);
  }
}
