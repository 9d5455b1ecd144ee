// One queue for the redraws of every chart on the page (the performance chart and the
// curvature-era charts). A redraw of a large chart blocks the page for its whole cost (tens of
// ms at 10,000 steps on a busy two-core machine), so the queue spaces them out:
//  - at most one chart redraws per animation frame;
//  - after a redraw that took t ms, the next one (any chart) waits at least 3t ms, so redraws
//    take at most a quarter of the main thread and long frames never come back to back;
//  - one chart redraws for new data at most every max(MIN_INTERVAL_MS, 10 × its last cost):
//    a live run adds points many times a second, and drawing them a few times a second is
//    enough to watch while leaving the frames in between to hover and zoom;
//  - while the user hovers or zooms a chart (`interacting()`), redraws wait until the pointer
//    rests, for at most MAX_HOLD_MS: ECharts redraws the hovered chart on every pointer move,
//    and a data redraw on top of that makes the frame late.
// A chart's first redraw and a redraw asked with `urgent` (a setting changed, a new session)
// skip the per-chart interval, and the redraw after them waits only t ms (URGENT_GAP_MULTIPLE):
// opening a long log then fills the panels one after another without the live-run spacing.
// `setPacing(false)` treats every redraw as urgent: a replayed log's records arrive all at once
// (in chunks), with no live stream to pace.
import { browserClock, type FrameClock } from './frameClock';

/** After a redraw of t ms, the next one waits GAP_MULTIPLE · t ms… */
export const GAP_MULTIPLE = 3;
/** …or URGENT_GAP_MULTIPLE · t ms after a first or urgent redraw. */
export const URGENT_GAP_MULTIPLE = 1;
/** Shortest interval between two data redraws of one chart. */
export const MIN_INTERVAL_MS = 250;
/** A chart redraws for new data at most once per this many times its own cost. */
export const COST_MULTIPLE = 10;
/** Redraws wait this long after the last pointer activity on a chart… */
export const INTERACTION_QUIET_MS = 300;
/** …but never longer than this since they were asked for. */
export const MAX_HOLD_MS = 1000;

export interface FlushQueue {
  /** Queue `flush` (once, however often asked) until its turn comes. */
  schedule(flush: () => void, options?: { urgent?: boolean }): void;
  cancel(flush: () => void): void;
  /** Whether `flush` waits for its turn (the chart does not yet show the latest data). */
  isPending(flush: () => void): boolean;
  /** The user is hovering or zooming a chart now: hold redraws until the pointer rests. */
  interacting(): void;
  /** Pace data redraws (a live run, the default) or draw every redraw as urgent (a replay). */
  setPacing(on: boolean): void;
  /** Forget everything queued and use `clock` from now on (tests drive frames by hand). */
  reset(clock?: FrameClock): void;
}

interface Entry {
  /** When it was asked for (the first time since its last redraw). */
  since: number;
  urgent: boolean;
}

interface History {
  lastRun: number;
  lastCost: number;
}

export function createFlushQueue(initialClock: FrameClock = browserClock): FlushQueue {
  let clock = initialClock;
  const pending = new Map<() => void, Entry>();
  let history = new WeakMap<() => void, History>();
  let handle: number | null = null;
  let notBefore = -Infinity;
  let lastInteraction = -Infinity;
  let pacing = true;

  /** The flush whose turn it is now, if any: the one waiting longest among those due. */
  const due = (now: number): (() => void) | undefined => {
    let best: (() => void) | undefined;
    let bestSince = Infinity;
    for (const [flush, entry] of pending) {
      const held = now - lastInteraction < INTERACTION_QUIET_MS && now - entry.since < MAX_HOLD_MS;
      if (held) continue;
      const past = history.get(flush);
      const interval = past ? Math.max(MIN_INTERVAL_MS, COST_MULTIPLE * past.lastCost) : 0;
      if (pacing && !entry.urgent && past && now - past.lastRun < interval) continue;
      if (entry.since < bestSince) {
        best = flush;
        bestSince = entry.since;
      }
    }
    return best;
  };

  const onFrame = (): void => {
    handle = null;
    const now = clock.now();
    const next = now >= notBefore ? due(now) : undefined;
    if (next) {
      const quick = pending.get(next)!.urgent || !history.has(next) || !pacing;
      pending.delete(next);
      const started = clock.now();
      try {
        next();
      } finally {
        const ended = clock.now();
        const cost = ended - started;
        history.set(next, { lastRun: ended, lastCost: cost });
        notBefore = ended + (quick ? URGENT_GAP_MULTIPLE : GAP_MULTIPLE) * cost;
      }
    }
    if (pending.size > 0) handle = clock.request(onFrame);
  };

  return {
    schedule(flush, options = {}) {
      const entry = pending.get(flush);
      if (entry) entry.urgent ||= options.urgent === true;
      else pending.set(flush, { since: clock.now(), urgent: options.urgent === true });
      if (handle === null) handle = clock.request(onFrame);
    },
    cancel(flush) {
      pending.delete(flush);
    },
    isPending: (flush) => pending.has(flush),
    interacting() {
      lastInteraction = clock.now();
    },
    setPacing(on) {
      pacing = on;
    },
    reset(next = browserClock) {
      if (handle !== null) clock.cancel(handle);
      handle = null;
      pending.clear();
      history = new WeakMap();
      notBefore = -Infinity;
      lastInteraction = -Infinity;
      pacing = true;
      clock = next;
    },
  };
}

/** The queue shared by every chart in the page. */
export const chartFlushQueue = createFlushQueue();
