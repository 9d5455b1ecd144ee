// The `instruments` section of a run definition: Cockpit's instruments, one group each with
// its own schedule (docs/instruments.md).
//
//   instruments:
//     noise: {schedule: {every: 50}}      # gradient norms, GSNR, batch-size tests, CABS, TIC
//     step: {schedule: {every: 50}}       # α, update size, distance from initialization
//     histograms: {schedule: {every: 500}, gradient_bins: 40, param_bins: 40}
//
// `instruments: true` turns every group on with its defaults; `noise: true` one group, `noise: 5`
// every 5 steps; a group
// that is absent or false is off. Schedules take the curvature section's forms ({every: k}, a
// bare k, {log: {start, end, points}}); step 0 is always included.
import type { InstrumentSchedule, InstrumentsSpec } from '../../protocol/definition';
import { readSchedule } from './curvature';
import { checkKnownFields, readMapping, readNumber, type IssueCollector, type Obj } from './fields';
import type { FieldPath } from './source';

export const INSTRUMENT_GROUPS = ['noise', 'step', 'histograms'] as const;
type Group = (typeof INSTRUMENT_GROUPS)[number];

/** Default schedules: together within 1.3× of unmonitored training on the MNIST MLP example
 *  (measured by `npm run bench -- monitoring`, see docs/instruments.md). */
export const INSTRUMENT_DEFAULTS = {
  noise: { every: 50 },
  step: { every: 50 },
  histograms: { every: 500 },
  gradient_bins: 40,
  param_bins: 40,
} as const satisfies Record<Group, InstrumentSchedule> & Record<string, unknown>;

const BINS = { integer: true, min: 2, max: 400 };

/** A group's mapping: absent/false → off, true/null → {} (defaults), k → {schedule: k}. */
function groupMapping(
  c: IssueCollector,
  value: unknown,
  path: FieldPath,
  what: string,
): Obj | false | undefined {
  if (value === undefined || value === false) return false;
  if (value === true || value === null) return {};
  if (typeof value === 'number') return { schedule: value };
  return readMapping(c, value, path, what);
}

/** Reads the optional `instruments` section. */
export function readInstrumentsSection(
  c: IssueCollector,
  value: unknown,
): { spec?: InstrumentsSpec; ok: boolean } {
  const path = ['instruments'];
  if (value === undefined || value === false) return { ok: true };
  const all = value === true || value === null;
  const o: Obj | undefined = all ? {} : readMapping(c, value, path, 'the instruments section');
  if (!o) return { ok: false };
  const before = c.count;
  checkKnownFields(c, o, path, INSTRUMENT_GROUPS);
  const spec: InstrumentsSpec = {};
  for (const group of INSTRUMENT_GROUPS) {
    const p = [...path, group];
    const g = all ? {} : groupMapping(c, o[group], p, `the ${group} instruments`);
    if (!g) continue;
    const fields =
      group === 'histograms' ? ['schedule', 'gradient_bins', 'param_bins'] : ['schedule'];
    checkKnownFields(c, g, p, fields);
    const schedule = readSchedule(c, g, p, INSTRUMENT_DEFAULTS[group]);
    if (!schedule) continue;
    if (group === 'histograms') {
      const gradientBins = readNumber(
        c,
        g,
        'gradient_bins',
        p,
        BINS,
        INSTRUMENT_DEFAULTS.gradient_bins,
      );
      const paramBins = readNumber(c, g, 'param_bins', p, BINS, INSTRUMENT_DEFAULTS.param_bins);
      if (gradientBins === undefined || paramBins === undefined) continue;
      spec.histograms = { schedule, gradient_bins: gradientBins, param_bins: paramBins };
    } else {
      spec[group] = { schedule };
    }
  }
  if (c.count !== before) return { ok: false };
  return { ok: true, ...(Object.keys(spec).length > 0 && { spec }) };
}
