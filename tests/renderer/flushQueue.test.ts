import { describe, expect, it } from 'vitest';
import { createFlushQueue } from '../../src/renderer/src/charts/flushQueue';

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

  it('after a redraw of t ms waits at least t ms before the next', () => {
    const clock = fakeClock();
    const queue = createFlushQueue(clock);
    const drawn: string[] = [];
    queue.schedule(() => {
      drawn.push('slow');
      clock.time += 100; // this redraw costs 100 ms
    });
    queue.schedule(() => drawn.push('next'));
    clock.frame();
    clock.frame(16);
    clock.frame(16);
    expect(drawn).toEqual(['slow']);
    clock.frame(80);
    expect(drawn).toEqual(['slow', 'next']);
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
