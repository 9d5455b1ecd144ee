import { describe, expect, it } from 'vitest';
import {
  COST_MULTIPLE,
  createFlushQueue,
  GAP_MULTIPLE,
  INTERACTION_QUIET_MS,
  MAX_HOLD_MS,
  MIN_INTERVAL_MS,
  URGENT_GAP_MULTIPLE,
} from '../../src/renderer/src/charts/flushQueue';

function fakeClock() {
  let frames: (() => void)[] = [];
  const clock = {
    time: 0,
    request: (cb: () => void) => frames.push(cb),
    cancel: () => {},
    now: () => clock.time,
    frame(advanceMs = 16) {
      clock.time += advanceMs;
      const run = frames;
      frames = [];
      run.forEach((cb) => cb());
    },
    get pending() {
      return frames.length;
    },
  };
  return clock;
}

describe('chart flush queue', () => {
  it('draws one chart per frame, each once however often asked', () => {
    const clock = fakeClock();
    const queue = createFlushQueue(clock);
    const drawn: string[] = [];
    const a = () => drawn.push('a');
    const b = () => drawn.push('b');
    queue.schedule(a);
    queue.schedule(b);
    queue.schedule(a);
    expect(clock.pending).toBe(1);
    clock.frame();
    expect(drawn).toEqual(['a']);
    expect([queue.isPending(a), queue.isPending(b)]).toEqual([false, true]);
    clock.frame();
    expect(drawn).toEqual(['a', 'b']);
    expect(queue.isPending(b)).toBe(false);
    clock.frame();
    expect(clock.pending).toBe(0);
  });

  it('after a redraw of t ms waits GAP_MULTIPLE · t ms, after a first one only URGENT_GAP_MULTIPLE · t', () => {
    const clock = fakeClock();
    const queue = createFlushQueue(clock);
    const drawn: string[] = [];
    const slow = () => {
      drawn.push('slow');
      clock.time += 100; // this redraw costs 100 ms
    };
    // A chart's first redraw (opening a log fills every panel): the next waits 1 · 100 ms.
    queue.schedule(slow);
    queue.schedule(() => drawn.push('second'));
    clock.frame();
    clock.frame(URGENT_GAP_MULTIPLE * 100 - 40);
    expect(drawn).toEqual(['slow']);
    clock.frame(40);
    expect(drawn).toEqual(['slow', 'second']);
    // A data redraw of a chart drawn before (a live run): the next waits 3 · 100 ms.
    clock.frame(COST_MULTIPLE * 100);
    queue.schedule(slow);
    queue.schedule(() => drawn.push('third'));
    clock.frame();
    clock.frame(GAP_MULTIPLE * 100 - 40);
    expect(drawn).toEqual(['slow', 'second', 'slow']);
    clock.frame(40);
    expect(drawn).toEqual(['slow', 'second', 'slow', 'third']);
  });

  it('redraws one chart for new data at most every max(MIN_INTERVAL_MS, COST_MULTIPLE · cost)', () => {
    const clock = fakeClock();
    const queue = createFlushQueue(clock);
    let draws = 0;
    let cost = 0;
    const chart = () => {
      draws += 1;
      clock.time += cost;
    };
    queue.schedule(chart);
    clock.frame();
    expect(draws).toBe(1); // the first draw does not wait
    queue.schedule(chart);
    clock.frame(MIN_INTERVAL_MS - 20);
    expect([draws, queue.isPending(chart)]).toEqual([1, true]); // still pending: data not shown
    clock.frame(20);
    expect(draws).toBe(2);

    cost = 50; // a chart that costs 50 ms waits 10 × 50 ms between data redraws
    queue.schedule(chart);
    clock.frame(MIN_INTERVAL_MS);
    expect(draws).toBe(3);
    queue.schedule(chart);
    clock.frame(COST_MULTIPLE * 50 - 20);
    expect(draws).toBe(3);
    clock.frame(20);
    expect(draws).toBe(4);
  });

  it('an urgent redraw (a setting changed) skips the per-chart interval', () => {
    const clock = fakeClock();
    const queue = createFlushQueue(clock);
    let draws = 0;
    const chart = () => void (draws += 1);
    queue.schedule(chart);
    clock.frame();
    queue.schedule(chart, { urgent: true });
    clock.frame();
    expect(draws).toBe(2);
  });

  it('holds redraws while the pointer moves over a chart, at most MAX_HOLD_MS', () => {
    const clock = fakeClock();
    const queue = createFlushQueue(clock);
    let draws = 0;
    const chart = () => void (draws += 1);
    queue.schedule(chart);
    // The user keeps hovering: redraws wait…
    for (let t = 0; t < MAX_HOLD_MS - 100; t += 100) {
      queue.interacting();
      clock.frame(100);
    }
    expect([draws, queue.isPending(chart)]).toEqual([0, true]);
    // …but not forever.
    for (let t = 0; t < 200 && draws === 0; t += 100) {
      queue.interacting();
      clock.frame(100);
    }
    expect(draws).toBe(1);

    // Once the pointer rests, the next redraw waits only INTERACTION_QUIET_MS.
    queue.interacting();
    queue.schedule(chart, { urgent: true });
    clock.frame(INTERACTION_QUIET_MS - 50);
    expect(draws).toBe(1);
    clock.frame(50);
    expect(draws).toBe(2);
  });

  it('draws the chart that waited longest first', () => {
    const clock = fakeClock();
    const queue = createFlushQueue(clock);
    const drawn: string[] = [];
    const a = () => drawn.push('a');
    const b = () => drawn.push('b');
    queue.schedule(a);
    clock.frame();
    queue.schedule(a); // a waits out its interval…
    clock.frame(16);
    queue.schedule(b); // …b, asked later, draws first, then a when its interval is over
    clock.frame(16);
    clock.frame(MIN_INTERVAL_MS);
    expect(drawn).toEqual(['a', 'b', 'a']);
  });

  it('a cancelled chart is not drawn', () => {
    const clock = fakeClock();
    const queue = createFlushQueue(clock);
    const drawn: string[] = [];
    const a = () => drawn.push('a');
    queue.schedule(a);
    queue.cancel(a);
    clock.frame();
    expect(drawn).toEqual([]);
  });
});

describe('chart flush queue without pacing (a replay)', () => {
  it('redraws a chart for every new batch at the next turn, spaced only by its cost', () => {
    const clock = fakeClock();
    const queue = createFlushQueue(clock);
    let draws = 0;
    const chart = () => {
      draws += 1;
      clock.time += 10;
    };
    queue.setPacing(false);
    for (let batch = 0; batch < 3; batch++) {
      queue.schedule(chart);
      clock.frame(); // draws (the first) or waits out the 1 · 10 ms gap
      clock.frame(16);
    }
    expect(draws).toBe(3); // paced, the 2nd and 3rd would wait MIN_INTERVAL_MS each
    queue.setPacing(true);
    queue.schedule(chart);
    clock.frame(16);
    clock.frame(16);
    expect(draws).toBe(3);
  });
});
