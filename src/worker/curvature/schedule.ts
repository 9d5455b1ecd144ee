// Which steps get a curvature measurement. Step s = the parameters after s optimizer steps,
// measured before update s + 1; step 0 (the initialization) is always included, as with
// Cockpit's schedules, so every run shows its starting curvature.
import type { CurvatureSchedule } from '../../protocol/definition';

/** Log-spaced steps: round(10^linspace(log10 start, log10 end, points)), deduplicated,
 *  ascending, with 0 prepended. */
export function logScheduleSteps(start: number, end: number, points: number): number[] {
  const a = Math.log10(start);
  const b = Math.log10(end);
  const steps = new Set<number>([0]);
  for (let i = 0; i < points; i++) {
    const t = points === 1 ? 0 : i / (points - 1);
    steps.add(Math.round(10 ** (a + (b - a) * t)));
  }
  return [...steps].sort((x, y) => x - y);
}

/** A predicate over step numbers for the schedule. */
export function scheduledSteps(schedule: CurvatureSchedule): (step: number) => boolean {
  if ('every' in schedule) {
    const k = schedule.every;
    return (step) => step % k === 0;
  }
  const set = new Set(logScheduleSteps(schedule.log.start, schedule.log.end, schedule.log.points));
  return (step) => set.has(step);
}
