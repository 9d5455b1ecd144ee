// The clock chart redraws run on: animation frames and the time, in the page; tests drive a
// manual one instead.

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
