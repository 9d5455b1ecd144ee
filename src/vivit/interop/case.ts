// A curvature case (docs/curvature-case.md): a parsed JSON value checked field by
// field and turned into what the engine takes — LayerSpecs and a Network, PyTorch-layout
// parameter arrays, the batch, and the curvature options with the format's defaults.
// Every problem names its field (`params[2].shape: ...`). Pure: no files.

import type { LayerSpec, LossName } from '../../protocol/definition';
import { lossModule } from '../loss/registry';
import { DEFAULT_EIG_RTOL } from '../curvature';
import { Network } from '../nn/network';
import { LayerShapeError } from '../errors';
import type { Ops } from '../tensor/ops';
import {
  describeValue,
  formatShape,
  isObj,
  Issues,
  readNumber,
  type CaseIssue,
  type FieldPath,
  type Obj,
} from './issues';
import { readCaseModel } from './layers';

export type CaseDtype = 'float64' | 'float32';

/** The format's defaults for omitted fields (the shared examples omit several). eig_rtol
 *  depends on dtype: 1e-10 is the format's (float64) default; in float32 the zero eigenvalues
 *  of the Gram matrix come out as roundoff near 1e-7 · max λ, so the engine's float32 default
 *  (1e-5) applies unless the case sets eig_rtol. */
export const CASE_DEFAULTS = {
  dtype: 'float64',
  seed: 0,
  mc_samples: 0,
  damping: 1,
  eig_rtol: DEFAULT_EIG_RTOL,
  n_eigvecs: 3,
} as const;

const TOP_FIELDS = [
  'model',
  'params',
  'input',
  'target',
  'loss',
  'reduction',
  'dtype',
  'seed',
  'subsampling',
  'subsampling_grad',
  'mc_samples',
  'param_groups',
  'damping',
  'eig_rtol',
  'n_eigvecs',
];

export interface CaseOptions {
  /** Sample indices for the GGN; null = all. */
  subsampling: number[] | null;
  /** Sample indices for the directional gradients (γ rows); null = all. */
  subsamplingGrad: number[] | null;
  /** 0 = exact loss-Hessian factorization. */
  mcSamples: number;
  seed: number;
  /** Parameter groups as given, each sorted ascending (= the case order of its parameters);
   *  null in the case means one group with every parameter. */
  paramGroups: number[][];
  damping: number;
  eigRtol: number;
  nEigvecs: number;
}

export interface ImportedCase {
  layers: LayerSpec[];
  /** Per-sample input shape, PyTorch layout ([F] or [C, H, W]). */
  inputShape: number[];
  batchSize: number;
  network: Network;
  loss: LossName;
  dtype: CaseDtype;
  /** Parameter values, case order, PyTorch layout. */
  params: Float64Array[];
  /** Input batch [N, ...inputShape], PyTorch layout (NCHW for images). */
  input: Float64Array;
  /** Class indices [N] (cross_entropy) or [N, C] (mse). */
  target: Float64Array;
  targetShape: number[];
  options: CaseOptions;
}

export type ImportResult = { ok: true; value: ImportedCase } | { ok: false; issues: CaseIssue[] };

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** {shape, data} with matching sizes and finite data; reports at most one bad entry. */
function readTensor(
  issues: Issues,
  value: unknown,
  path: FieldPath,
): { shape: number[]; data: Float64Array } | undefined {
  if (!isObj(value)) {
    issues.add(
      path,
      value === undefined
        ? `missing required field '${String(path[path.length - 1])}' ({shape, data})`
        : `expected {shape, data}, got ${describeValue(value)}`,
    );
    return undefined;
  }
  const before = issues.count;
  issues.knownFields(value, path, ['shape', 'data']);
  const { shape, data } = value;
  if (
    !Array.isArray(shape) ||
    !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  ) {
    issues.add(
      [...path, 'shape'],
      `expected a list of integers >= 0, got ${JSON.stringify(shape)}`,
    );
  }
  if (!Array.isArray(data)) {
    issues.add([...path, 'data'], `expected a flat list of numbers, got ${describeValue(data)}`);
  }
  if (issues.count > before) return undefined;
  const dims = shape as number[];
  const list = data as unknown[];
  if (list.length !== product(dims)) {
    issues.add(
      [...path, 'data'],
      `has ${list.length} numbers but shape ${formatShape(dims)} needs ${product(dims)} (data is flat, row-major)`,
    );
    return undefined;
  }
  const out = new Float64Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      issues.add([...path, 'data', i], `expected a finite number, got ${describeValue(v)}`);
      return undefined;
    }
    out[i] = v;
  }
  return { shape: dims, data: out };
}

/** null/absent -> null; otherwise a non-empty list of sample indices in [0, N). */
function readSampleList(
  issues: Issues,
  o: Obj,
  key: string,
  n: number,
): number[] | null | undefined {
  const value = o[key];
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length === 0) {
    issues.add(
      [key],
      `expected null (all samples) or a non-empty list of sample indices, got ${describeValue(value)}`,
    );
    return undefined;
  }
  const before = issues.count;
  value.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v >= n)
      issues.add([key, i], `${describeValue(v)} is not a sample index in [0, ${n - 1}]`);
  });
  return issues.count === before ? (value as number[]) : undefined;
}

function readGroups(issues: Issues, value: unknown, nParams: number): number[][] | undefined {
  if (value === undefined || value === null) return [Array.from({ length: nParams }, (_, i) => i)];
  if (!Array.isArray(value) || value.length === 0) {
    issues.add(
      ['param_groups'],
      `expected null (one group) or a non-empty list of lists of params indices, got ${describeValue(value)}`,
    );
    return undefined;
  }
  const before = issues.count;
  const seen = new Map<number, string>();
  const groups = value.map((group: unknown, g) => {
    if (!Array.isArray(group) || group.length === 0) {
      issues.add(
        ['param_groups', g],
        `expected a non-empty list of params indices, got ${describeValue(group)}`,
      );
      return [];
    }
    group.forEach((v: unknown, k) => {
      const where = `param_groups[${g}][${k}]`;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v >= nParams) {
        issues.add(
          ['param_groups', g, k],
          `${describeValue(v)} is not an index into params [0, ${nParams - 1}]`,
        );
      } else if (seen.has(v)) {
        issues.add(
          ['param_groups', g, k],
          `params[${v}] is already in ${seen.get(v)}; groups must not overlap`,
        );
      } else {
        seen.set(v, where);
      }
    });
    return (group as number[]).slice().sort((a, b) => a - b);
  });
  return issues.count === before ? groups : undefined;
}

/** What the i-th parameter of the network is, for messages: "conv2d model[0] weight". */
function describeParam(network: Network, i: number): string {
  const p = network.params[i];
  return `${network.layers[p.layer].spec.type} model[${p.layer}] ${p.name}`;
}

function readParams(issues: Issues, value: unknown, network: Network): Float64Array[] | undefined {
  const expected = network.params;
  if (!Array.isArray(value)) {
    issues.add(
      ['params'],
      value === undefined
        ? "missing required field 'params'"
        : `expected a list of {shape, data}, got ${describeValue(value)}`,
    );
    return undefined;
  }
  if (value.length !== expected.length) {
    const list = expected.map(
      (p, i) => `${describeParam(network, i)} ${formatShape(p.torchShape)}`,
    );
    issues.add(
      ['params'],
      `the model has ${expected.length} parameter tensors but the case gives ${value.length}; expected, in order: ${list.join(', ')}`,
    );
    return undefined;
  }
  const before = issues.count;
  const out = value.map((item: unknown, i) => {
    const t = readTensor(issues, item, ['params', i]);
    if (!t) return new Float64Array(0);
    const want = expected[i].torchShape;
    if (t.shape.length !== want.length || t.shape.some((d, k) => d !== want[k])) {
      issues.add(
        ['params', i, 'shape'],
        `${formatShape(t.shape)} does not match ${describeParam(network, i)} ${formatShape(want)} (PyTorch layout)`,
      );
    }
    return t.data;
  });
  return issues.count === before ? out : undefined;
}

function readTarget(
  issues: Issues,
  value: unknown,
  loss: LossName,
  n: number,
  classes: number,
): { shape: number[]; data: Float64Array } | undefined {
  const t = readTensor(issues, value, ['target']);
  if (!t) return undefined;
  const want = loss === 'cross_entropy' ? [n] : [n, classes];
  if (t.shape.length !== want.length || t.shape.some((d, k) => d !== want[k])) {
    issues.add(
      ['target', 'shape'],
      `${formatShape(t.shape)} does not fit: ${loss} needs ${loss === 'cross_entropy' ? 'class indices' : 'targets'} of shape ${formatShape(want)} for ${n} samples and ${classes} outputs`,
    );
    return undefined;
  }
  if (loss === 'cross_entropy') {
    const bad = t.data.findIndex((y) => !Number.isInteger(y) || y < 0 || y >= classes);
    if (bad >= 0) {
      issues.add(
        ['target', 'data', bad],
        `${t.data[bad]} is not a class index in [0, ${classes - 1}]`,
      );
      return undefined;
    }
  }
  return t;
}

function readChoice<T extends string>(
  issues: Issues,
  o: Obj,
  key: string,
  allowed: readonly T[],
  fallback: T | 'required',
): T | undefined {
  const value = o[key];
  if (value === undefined) {
    if (fallback !== 'required') return fallback;
    issues.add(
      [key],
      `missing required field '${key}' (one of ${allowed.map((a) => `"${a}"`).join(', ')})`,
    );
    return undefined;
  }
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
    return value as T;
  issues.add(
    [key],
    `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describeValue(value)}`,
  );
  return undefined;
}

/** Builds the network, turning a shape problem into an issue at `model[i].field`. */
function buildNetwork(
  issues: Issues,
  layers: LayerSpec[],
  inputShape: number[],
): Network | undefined {
  try {
    return new Network(layers, inputShape);
  } catch (error) {
    if (!(error instanceof LayerShapeError)) throw error;
    issues.add(
      error.field ? ['model', error.index, error.field] : ['model', error.index],
      error.message,
    );
    return undefined;
  }
}

/**
 * Checks a parsed case and converts it. Collects every independent problem; checks that
 * depend on an earlier part (param shapes need a valid model and input) run only when that
 * part is valid.
 */
export function importCase(value: unknown): ImportResult {
  const issues = new Issues();
  const fail = (): ImportResult => ({ ok: false, issues: issues.list });
  if (!isObj(value)) {
    issues.add(
      [],
      `expected a curvature case (a JSON object with model, params, input, target, loss), got ${describeValue(value)}`,
    );
    return fail();
  }
  const o = value;
  issues.knownFields(o, [], TOP_FIELDS);

  const layers = readCaseModel(issues, o.model);
  const loss = readChoice(issues, o, 'loss', ['cross_entropy', 'mse'] as const, 'required');
  readChoice(issues, o, 'reduction', ['mean'] as const, 'mean');
  const dtype = readChoice(
    issues,
    o,
    'dtype',
    ['float64', 'float32'] as const,
    CASE_DEFAULTS.dtype,
  );
  const seed = readNumber(issues, o, 'seed', [], { integer: true }, CASE_DEFAULTS.seed);
  const mcSamples = readNumber(
    issues,
    o,
    'mc_samples',
    [],
    { integer: true, min: 0 },
    CASE_DEFAULTS.mc_samples,
  );
  const damping = readNumber(issues, o, 'damping', [], { min: 0 }, CASE_DEFAULTS.damping);
  const eigRtol = readNumber(
    issues,
    o,
    'eig_rtol',
    [],
    { min: 0 },
    CASE_DEFAULTS.eig_rtol[dtype ?? CASE_DEFAULTS.dtype],
  );
  const nEigvecs = readNumber(
    issues,
    o,
    'n_eigvecs',
    [],
    { integer: true, min: 0 },
    CASE_DEFAULTS.n_eigvecs,
  );

  const input = readTensor(issues, o.input, ['input']);
  let inputShape: number[] | undefined;
  if (input) {
    const [n, ...sample] = input.shape;
    if ((sample.length !== 1 && sample.length !== 3) || !(n > 0) || sample.some((d) => d < 1)) {
      issues.add(
        ['input', 'shape'],
        `${formatShape(input.shape)} is not a batch: expected [N, features] or [N, channels, height, width] with N >= 1 and positive sizes`,
      );
    } else {
      inputShape = sample;
    }
  }

  const network = layers && inputShape ? buildNetwork(issues, layers, inputShape) : undefined;
  if (network && loss) {
    const problem = lossModule(loss).outputShapeProblem(network.outputShape);
    if (problem) issues.add(['model', network.layers.length - 1], problem);
  }
  const params = network ? readParams(issues, o.params, network) : undefined;
  const n = input?.shape[0] ?? 0;
  const target =
    network && loss
      ? readTarget(issues, o.target, loss, n, product(network.outputShape))
      : undefined;
  const subsampling = input ? readSampleList(issues, o, 'subsampling', n) : undefined;
  const subsamplingGrad = input ? readSampleList(issues, o, 'subsampling_grad', n) : undefined;
  const paramGroups = network
    ? readGroups(issues, o.param_groups, network.params.length)
    : undefined;

  if (
    issues.count > 0 ||
    !layers ||
    !loss ||
    !dtype ||
    seed === undefined ||
    mcSamples === undefined ||
    damping === undefined ||
    eigRtol === undefined ||
    nEigvecs === undefined ||
    !input ||
    !inputShape ||
    !network ||
    !params ||
    !target ||
    subsampling === undefined ||
    subsamplingGrad === undefined ||
    !paramGroups
  ) {
    return fail();
  }
  return {
    ok: true,
    value: {
      layers,
      inputShape,
      batchSize: n,
      network,
      loss,
      dtype,
      params,
      input: input.data,
      target: target.data,
      targetShape: target.shape,
      options: {
        subsampling,
        subsamplingGrad,
        mcSamples,
        seed,
        paramGroups,
        damping,
        eigRtol,
        nEigvecs,
      },
    },
  };
}

/** The case's tensors on one Ops: parameters in engine layout, the input batch in PyTorch
 *  layout (as `computeCurvature` takes it), targets. */
export function caseTensors<T>(c: ImportedCase, ops: Ops<T>): { params: T[]; x: T; y: T } {
  return {
    params: c.network.paramsFromTorch(ops, c.params),
    x: ops.fromArray(c.input, [c.batchSize, ...c.inputShape]),
    y: ops.fromArray(c.target, c.targetShape),
  };
}
