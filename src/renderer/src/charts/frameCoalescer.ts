// Coalesces any number of "data changed" signals into at most one flush per animation frame,
// optionally no more often than every `minIntervalMs`, so charts redraw at a steady rate
// however fast records arrive.

export interface FrameClock {
  request(callback: () => void): number;
  cancel(handle: number): void;
  now(): number;
}

export const browserClock: FrameClock = {
  request: (callback) => requestAnimationFrame(() => callback()),
  cancel: (handle) => cancelAnimationFrame(handle),
  now: () => performance.now(),
};

export interface FrameCoalescer {
  /** Ask for a flush; cheap to call on every change. */
  schedule(): void;
  /** Drop a pending flush (component unmounted). */
  cancel(): void;
  readonly flushes: number;
  /** A flush is scheduled: what the chart shows lags behind the data. */
  readonly pending: boolean;
}

export function createFrameCoalescer(
  flush: () => void,
  options: { clock?: FrameClock; minIntervalMs?: () => number } = {},
): FrameCoalescer {
  const clock = options.clock ?? browserClock;
  let handle: number | null = null;
  let lastFlush = -Infinity;
  let flushes = 0;

  const onFrame = (): void => {
    handle = null;
    const minInterval = options.minIntervalMs?.() ?? 0;
    if (clock.now() - lastFlush < minInterval) {
      handle = clock.request(onFrame); // too soon: look again next frame
      return;
    }
    lastFlush = clock.now();
    flushes += 1;
    flush();
  };

  return {
    schedule() {
      if (handle === null) handle = clock.request(onFrame);
    },
    cancel() {
      if (handle !== null) clock.cancel(handle);
      handle = null;
    },
    get flushes() {
      return flushes;
    },
    get pending() {
      return handle !== null;
    },
  };
}
