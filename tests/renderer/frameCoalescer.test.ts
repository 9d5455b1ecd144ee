// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import {
  createFrameCoalescer,
  type FrameClock,
} from '../../src/renderer/src/charts/frameCoalescer';

/** A manual animation-frame clock: frames run when the test says so. */
export function manualClock(): FrameClock & { frame(ms?: number): void; pending(): number } {
  let now = 0;
  let nextId = 1;
  let queue = new Map<number, () => void>();
  return {
    request(cb) {
      const id = nextId++;
      queue.set(id, cb);
      return id;
    },
    cancel(id) {
      queue.delete(id);
    },
    now: () => now,
    frame(ms = 16) {
      now += ms;
      const run = queue;
      queue = new Map();
      for (const cb of run.values()) cb();
    },
    pending: () => queue.size,
  };
}

describe('frame coalescing', () => {
  it('turns any number of signals within a frame into one flush', () => {
    const clock = manualClock();
    let flushed = 0;
    const c = createFrameCoalescer(() => flushed++, { clock });
    expect(c.pending).toBe(false);
    for (let i = 0; i < 1000; i++) c.schedule();
    expect(clock.pending()).toBe(1);
    expect(c.pending).toBe(true);
    expect(flushed).toBe(0);
    clock.frame();
    expect(flushed).toBe(1);
    expect(c.pending).toBe(false);
    clock.frame();
    expect(flushed).toBe(1); // nothing new, no flush
    c.schedule();
    clock.frame();
    expect(flushed).toBe(2);
    expect(c.flushes).toBe(2);
  });

  it('respects a minimum interval between flushes', () => {
    const clock = manualClock();
    let flushed = 0;
    const c = createFrameCoalescer(() => flushed++, { clock, minIntervalMs: () => 100 });
    c.schedule();
    clock.frame(16); // t = 16: first flush
    expect(flushed).toBe(1);
    for (let frame = 0; frame < 5; frame++) {
      c.schedule();
      clock.frame(16); // t = 32 … 96: too soon
    }
    expect(flushed).toBe(1);
    clock.frame(16); // t = 112 < 16 + 100: still too soon
    expect(flushed).toBe(1);
    clock.frame(4); // t = 116: due
    expect(flushed).toBe(2);
    clock.frame(16);
    expect(flushed).toBe(2); // one flush per due period, not one per frame
  });

  it('cancel drops a pending flush', () => {
    const clock = manualClock();
    let flushed = 0;
    const c = createFrameCoalescer(() => flushed++, { clock });
    c.schedule();
    c.cancel();
    clock.frame();
    expect(flushed).toBe(0);
  });
});
