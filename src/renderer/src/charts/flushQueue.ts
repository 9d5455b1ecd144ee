// One queue for the redraws of all the curvature-era charts: at most one chart redraws per
// animation frame, and after a redraw that took t ms the next waits at least t ms more. A new
// curvature step touches a dozen charts at once; drawn in one frame they would block the page
// for the sum of their costs (seconds on a busy two-core machine), drawn one per frame the page
// keeps painting and answering input between them.
import { browserClock, type FrameClock } from './frameCoalescer';

export interface FlushQueue {
  /** Queue `flush` (once, however often asked) until its turn comes. */
  schedule(flush: () => void): void;
  cancel(flush: () => void): void;
  /** Whether `flush` waits for its turn (the chart does not yet show the latest data). */
  isPending(flush: () => void): boolean;
  /** Forget everything queued and use `clock` from now on (tests drive frames by hand). */
  reset(clock?: FrameClock): void;
}

export function createFlushQueue(initialClock: FrameClock = browserClock): FlushQueue {
  let clock = initialClock;
  const pending = new Set<() => void>();
  let handle: number | null = null;
  let notBefore = -Infinity;

  const onFrame = (): void => {
    handle = null;
    if (clock.now() >= notBefore) {
      const [next] = pending;
      if (next) {
        pending.delete(next);
        const started = clock.now();
        try {
          next();
        } finally {
          notBefore = clock.now() + (clock.now() - started);
        }
      }
    }
    if (pending.size > 0) handle = clock.request(onFrame);
  };

  return {
    schedule(flush) {
      pending.add(flush);
      if (handle === null) handle = clock.request(onFrame);
    },
    cancel(flush) {
      pending.delete(flush);
    },
    isPending: (flush) => pending.has(flush),
    reset(next = browserClock) {
      if (handle !== null) clock.cancel(handle);
      handle = null;
      pending.clear();
      notBefore = -Infinity;
      clock = next;
    },
  };
}

/** The queue shared by every ChartBox in the page. */
export const chartFlushQueue = createFlushQueue();
