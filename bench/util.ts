// Timing for the benchmarks: wall and process-CPU milliseconds of a call, and their medians over
// repeated calls (CPU time stays meaningful when other processes compete for the cores). The
// median itself is the one in ./problems.
import { median } from './problems';

export interface Millis {
  wall: number;
  cpu: number;
}

/** Wall and process-CPU milliseconds of one call (awaited if it returns a promise). */
export async function timeCall(fn: () => unknown): Promise<Millis> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

/** Wall and process-CPU milliseconds of one synchronous call. */
export function timeSync(fn: () => void): Millis {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

/** Median wall and CPU milliseconds of `repeats` synchronous calls, after one warm-up call. */
export function medianTime(run: () => void, repeats: number, warmUp = true): Millis {
  if (warmUp) run();
  const samples = Array.from({ length: repeats }, () => timeSync(run));
  return { wall: median(samples.map((s) => s.wall)), cpu: median(samples.map((s) => s.cpu)) };
}
