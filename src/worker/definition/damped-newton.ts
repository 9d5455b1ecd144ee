// The damped_newton optimizer section of a run definition:
//
//   optimizer:
//     type: damped_newton
//     lr: 1                      # default 1
//     damping: {type: bootstrap, grid: {min: 1e-3, max: 100, count: 100}, resamples: 100,
//               quantile: 0.05, variant: shared_index}     # the default
//            | {type: constant, value: 0.01}  (or just a number: damping: 0.01)
//     eig_threshold: 1e-2        # directions with eigenvalue <= this get no step
//     top_k: 20                  # optional: at most the 20 largest directions per group
//     curvature: {subsampling: 32, mc_samples: 1, groups: whole | per_layer}
import type { DampedNewtonSpec, DampingSpec } from '../../protocol/definition';
import { DEFAULT_BOOTSTRAP } from '../../vivit/spec';
import {
  checkKnownFields,
  checkNumber,
  describeValue,
  isObj,
  readChoice,
  readMapping,
  readNumber,
  type IssueCollector,
  type Obj,
} from './fields';
import type { FieldPath } from './source';

export const DAMPED_NEWTON_FIELDS = [
  'type',
  'lr',
  'damping',
  'eig_threshold',
  'top_k',
  'curvature',
] as const;
export const DAMPING_TYPES = ['constant', 'bootstrap'] as const;
export const BOOTSTRAP_VARIANTS = ['shared_index', 'independent'] as const;
export const CURVATURE_GROUPS = ['whole', 'per_layer'] as const;
/** The paper's optimizer study keeps eigenvalues > 1e-2 (its monitoring used 1e-4); smaller
 *  thresholds let noisy near-flat directions take huge steps when δ is small. */
export const DEFAULT_EIG_THRESHOLD = 1e-2;

const POSITIVE_INT = { integer: true, min: 1 };

function readGrid(c: IssueCollector, o: Obj, path: FieldPath) {
  const p = [...path, 'grid'];
  const defaults = DEFAULT_BOOTSTRAP.grid;
  if (o.grid === undefined) return { ...defaults };
  const g = readMapping(c, o.grid, p, 'the damping grid');
  if (!g) return undefined;
  const before = c.count;
  checkKnownFields(c, g, p, ['min', 'max', 'count']);
  const min = readNumber(c, g, 'min', p, { above: 0 }, defaults.min);
  const max = readNumber(c, g, 'max', p, { above: 0 }, defaults.max);
  const count = readNumber(c, g, 'count', p, POSITIVE_INT, defaults.count);
  if (min !== undefined && max !== undefined && max < min) {
    c.add([...p, 'max'], `must be >= min (${min}), got ${max}`);
  }
  if (c.count !== before || min === undefined || max === undefined || count === undefined) {
    return undefined;
  }
  return { min, max, count };
}

function readDamping(c: IssueCollector, value: unknown, path: FieldPath): DampingSpec | undefined {
  if (value === undefined) {
    const { grid, resamples, quantile, variant } = DEFAULT_BOOTSTRAP;
    return { type: 'bootstrap', grid: { ...grid }, resamples, quantile, variant };
  }
  // A bare number is shorthand for constant damping.
  if (typeof value === 'number') {
    return checkNumber(c, value, path, { min: 0 }) ? { type: 'constant', value } : undefined;
  }
  if (!isObj(value)) {
    c.add(
      path,
      `expected a number (constant damping) or a mapping with type: ${DAMPING_TYPES.join(', ')}, got ${describeValue(value)}`,
    );
    return undefined;
  }
  const type = readChoice(c, value, 'type', path, DAMPING_TYPES, 'damping', 'required');
  if (!type) return undefined;
  const before = c.count;
  if (type === 'constant') {
    checkKnownFields(c, value, path, ['type', 'value']);
    const v = readNumber(c, value, 'value', path, { min: 0 }, 'required');
    return c.count === before && v !== undefined ? { type, value: v } : undefined;
  }
  checkKnownFields(c, value, path, ['type', 'grid', 'resamples', 'quantile', 'variant']);
  const grid = readGrid(c, value, path);
  const resamples = readNumber(
    c,
    value,
    'resamples',
    path,
    POSITIVE_INT,
    DEFAULT_BOOTSTRAP.resamples,
  );
  const quantile = readNumber(
    c,
    value,
    'quantile',
    path,
    { above: 0, below: 1 },
    DEFAULT_BOOTSTRAP.quantile,
  );
  const variant = readChoice(
    c,
    value,
    'variant',
    path,
    BOOTSTRAP_VARIANTS,
    'bootstrap variant',
    DEFAULT_BOOTSTRAP.variant,
  );
  if (
    c.count !== before ||
    !grid ||
    resamples === undefined ||
    quantile === undefined ||
    !variant
  ) {
    return undefined;
  }
  return { type, grid, resamples, quantile, variant };
}

function readCurvature(
  c: IssueCollector,
  value: unknown,
  path: FieldPath,
): DampedNewtonSpec['curvature'] | undefined {
  if (value === undefined) return { mc_samples: 0, groups: 'whole' };
  const o = readMapping(c, value, path, 'the curvature settings');
  if (!o) return undefined;
  const before = c.count;
  checkKnownFields(c, o, path, ['subsampling', 'mc_samples', 'groups']);
  const subsampling = readNumber(c, o, 'subsampling', path, POSITIVE_INT, undefined);
  const mc = readNumber(c, o, 'mc_samples', path, { integer: true, min: 0 }, 0);
  const groups = readChoice(c, o, 'groups', path, CURVATURE_GROUPS, 'parameter grouping', 'whole');
  if (c.count !== before || mc === undefined || !groups) return undefined;
  return subsampling === undefined
    ? { mc_samples: mc, groups }
    : { subsampling, mc_samples: mc, groups };
}

/** Reads the fields of `optimizer` once its type is known to be damped_newton. */
export function readDampedNewton(
  c: IssueCollector,
  o: Obj,
  path: FieldPath,
): DampedNewtonSpec | undefined {
  const before = c.count;
  const lr = readNumber(c, o, 'lr', path, { above: 0 }, 1);
  const damping = readDamping(c, o.damping, [...path, 'damping']);
  const eigThreshold = readNumber(c, o, 'eig_threshold', path, { min: 0 }, DEFAULT_EIG_THRESHOLD);
  const topK = readNumber(c, o, 'top_k', path, POSITIVE_INT, undefined);
  const curvature = readCurvature(c, o.curvature, [...path, 'curvature']);
  if (
    c.count !== before ||
    lr === undefined ||
    !damping ||
    eigThreshold === undefined ||
    !curvature
  ) {
    return undefined;
  }
  const spec: DampedNewtonSpec = {
    type: 'damped_newton',
    lr,
    damping,
    eig_threshold: eigThreshold,
    curvature,
  };
  if (topK !== undefined) spec.top_k = topK;
  return spec;
}
