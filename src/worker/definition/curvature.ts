// The `curvature` section of a run definition: ViViT monitoring (paper Fig. 2).
//
//   curvature:
//     quantities: [eigenvalues, gammas, lambdas, snr, overlap, layer_shares]   # the default
//     schedule: {every: 10}          # or {log: {start: 1, end: 2000, points: 50}}; step 0 always
//     batch: fixed                   # or train (the first `samples` rows of the next batch)
//     samples: 32                    # N, the curvature batch size
//     mc_samples: 1                  # 0: exact loss-Hessian factor (C vectors per sample)
//     groups: whole                  # or per_layer (block-diagonal GGN)
//     top_k: 50                      # optional: at most the 50 largest directions per group
//     eig_threshold: 1e-4            # λ_k <= this is trivial (the paper's monitoring filter)
//
// `curvature: true` (or an empty mapping) takes every default; absent or false: no monitoring.
import type { CurvatureSchedule, CurvatureSpec, MonitorQuantity } from '../../protocol/definition';
import {
  checkChoice,
  checkKnownFields,
  describeValue,
  readChoice,
  readMapping,
  readNumber,
  type IssueCollector,
  type Obj,
} from './fields';
import type { FieldPath } from './source';

export const MONITOR_QUANTITIES: readonly MonitorQuantity[] = [
  'eigenvalues',
  'gammas',
  'lambdas',
  'snr',
  'overlap',
  'layer_shares',
];
export const CURVATURE_FIELDS = [
  'quantities',
  'schedule',
  'batch',
  'samples',
  'mc_samples',
  'groups',
  'top_k',
  'eig_threshold',
] as const;

/** Defaults chosen so the MNIST MLP example stays live on a 2-core machine (see the report in
 *  bench/monitoring.ts): one curvature step costs about as much as a few training steps. */
export const CURVATURE_DEFAULTS = {
  schedule: { every: 10 },
  batch: 'fixed',
  samples: 32,
  mc_samples: 1,
  groups: 'whole',
  eig_threshold: 1e-4,
} as const;

const POSITIVE_INT = { integer: true, min: 1 };

function readQuantities(c: IssueCollector, o: Obj, path: FieldPath): MonitorQuantity[] | undefined {
  const p = [...path, 'quantities'];
  const value = o.quantities;
  if (value === undefined) return [...MONITOR_QUANTITIES];
  if (!Array.isArray(value) || value.length === 0) {
    c.add(
      p,
      `expected a non-empty list of quantities (${MONITOR_QUANTITIES.join(', ')}), got ${describeValue(value)}`,
    );
    return undefined;
  }
  const before = c.count;
  const picked = new Set<MonitorQuantity>(['eigenvalues']);
  value.forEach((item, i) => {
    // 'eigenvectors' reads naturally for the per-layer composition of e_k.
    const q = item === 'eigenvectors' ? 'layer_shares' : item;
    const ok = checkChoice(c, q, [...p, i], MONITOR_QUANTITIES, 'quantity');
    if (ok) picked.add(ok);
  });
  if (c.count !== before) return undefined;
  return MONITOR_QUANTITIES.filter((q) => picked.has(q));
}

/** `schedule` of the mapping at `path`: {every: k}, a bare k, or {log: {start, end, points}}. */
export function readSchedule(
  c: IssueCollector,
  o: Obj,
  path: FieldPath,
  fallback: CurvatureSchedule = CURVATURE_DEFAULTS.schedule,
): CurvatureSchedule | undefined {
  const p = [...path, 'schedule'];
  if (o.schedule === undefined) return structuredClone(fallback);
  // A bare number is shorthand for {every: k}.
  if (typeof o.schedule === 'number') {
    const every = readNumber(c, o, 'schedule', path, POSITIVE_INT, 'required');
    return every === undefined ? undefined : { every };
  }
  const s = readMapping(c, o.schedule, p, 'a schedule ({every: k} or {log: {start, end, points}})');
  if (!s) return undefined;
  const before = c.count;
  checkKnownFields(c, s, p, ['every', 'log']);
  if ((s.every === undefined) === (s.log === undefined)) {
    c.add(p, "give exactly one of 'every' (every k steps) or 'log' (log-spaced steps)");
    return undefined;
  }
  if (s.every !== undefined) {
    const every = readNumber(c, s, 'every', p, POSITIVE_INT, 'required');
    return c.count === before && every !== undefined ? { every } : undefined;
  }
  const lp = [...p, 'log'];
  const l = readMapping(c, s.log, lp, 'a log schedule {start, end, points}');
  if (!l) return undefined;
  checkKnownFields(c, l, lp, ['start', 'end', 'points']);
  const start = readNumber(c, l, 'start', lp, POSITIVE_INT, 1);
  const end = readNumber(c, l, 'end', lp, POSITIVE_INT, 'required');
  const points = readNumber(c, l, 'points', lp, { integer: true, min: 2 }, 50);
  if (start !== undefined && end !== undefined && end < start) {
    c.add([...lp, 'end'], `must be >= start (${start}), got ${end}`);
  }
  if (c.count !== before || start === undefined || end === undefined || points === undefined) {
    return undefined;
  }
  return { log: { start, end, points } };
}

/** Reads the optional `curvature` section; `undefined` value means no monitoring. */
export function readCurvatureSection(
  c: IssueCollector,
  value: unknown,
): { spec?: CurvatureSpec; ok: boolean } {
  const path = ['curvature'];
  if (value === undefined || value === false) return { ok: true };
  const o: Obj | undefined =
    value === true || value === null ? {} : readMapping(c, value, path, 'the curvature section');
  if (!o) return { ok: false };
  const before = c.count;
  checkKnownFields(c, o, path, CURVATURE_FIELDS);
  const quantities = readQuantities(c, o, path);
  const schedule = readSchedule(c, o, path);
  const batch = readChoice(
    c,
    o,
    'batch',
    path,
    ['train', 'fixed'] as const,
    'curvature batch',
    CURVATURE_DEFAULTS.batch,
  );
  const samples = readNumber(c, o, 'samples', path, POSITIVE_INT, CURVATURE_DEFAULTS.samples);
  const mc = readNumber(
    c,
    o,
    'mc_samples',
    path,
    { integer: true, min: 0 },
    CURVATURE_DEFAULTS.mc_samples,
  );
  const groups = readChoice(
    c,
    o,
    'groups',
    path,
    ['whole', 'per_layer'] as const,
    'parameter grouping',
    CURVATURE_DEFAULTS.groups,
  );
  const topK = readNumber(c, o, 'top_k', path, POSITIVE_INT, undefined);
  const threshold = readNumber(
    c,
    o,
    'eig_threshold',
    path,
    { min: 0 },
    CURVATURE_DEFAULTS.eig_threshold,
  );
  if (
    c.count !== before ||
    !quantities ||
    !schedule ||
    !batch ||
    samples === undefined ||
    mc === undefined ||
    !groups ||
    threshold === undefined
  ) {
    return { ok: false };
  }
  const spec: CurvatureSpec = {
    quantities,
    schedule,
    batch,
    samples,
    mc_samples: mc,
    groups,
    eig_threshold: threshold,
  };
  if (topK !== undefined) spec.top_k = topK;
  return { spec, ok: true };
}
