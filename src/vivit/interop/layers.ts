// The case's `model` list (docs/curvature-case.md) -> the engine's LayerSpec list,
// with PyTorch's defaults (layer-spec.ts). Shapes are not checked here; building the Network
// does that (see case.ts).

import type { LayerSpec, LayerType } from '../../protocol/definition';
import {
  describeValue,
  isObj,
  readBoolean,
  readNumber,
  readPair,
  type FieldPath,
  type Issues,
  type Obj,
} from './issues';
import { LAYER_FIELDS, LAYER_TYPES, readLayerFields, type LayerFieldReaders } from './layer-spec';

/** Layer types of the format, plus the oracle's extras (identity, leaky_relu, elu). */
type CaseLayerType = Exclude<LayerType, 'dropout'>;

export const CASE_LAYER_TYPES = LAYER_TYPES.filter((t): t is CaseLayerType => t !== 'dropout');

/**
 * PyTorch constructor arguments an exporter may write, accepted only at the value that means
 * "what the engine computes anyway"; any other value is refused rather than silently ignored.
 */
const NEUTRAL: Partial<Record<CaseLayerType, Record<string, readonly unknown[]>>> = {
  conv2d: { dilation: [1, [1, 1]], groups: [1], padding_mode: ['zeros'] },
  maxpool2d: { dilation: [1, [1, 1]], ceil_mode: [false], return_indices: [false] },
  avgpool2d: { ceil_mode: [false], count_include_pad: [true], divisor_override: [null] },
  flatten: { start_dim: [1], end_dim: [-1] },
};

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The format's field readers: PyTorch's int-or-pair everywhere, padding a non-negative one. */
function caseReaders(issues: Issues): LayerFieldReaders {
  return {
    size: (o, key, path) => readNumber(issues, o, key, path, { integer: true, min: 1 }, 'required'),
    pair: (o, key, path, fallback) => readPair(issues, o, key, path, 1, fallback),
    padding: (o, path) => readPair(issues, o, 'padding', path, 0, 0),
    zeroPadding: (o, path) => readZeroPadding(issues, o, path),
    flag: (o, key, path, fallback) => readBoolean(issues, o, key, path, fallback),
    scalar: (o, key, path, fallback) => readNumber(issues, o, key, path, {}, fallback),
  };
}

function readZeroPadding(
  issues: Issues,
  o: Obj,
  path: FieldPath,
): [number, number, number, number] | undefined {
  const value = o.padding;
  const nonNegative = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (Array.isArray(value) && value.length === 4 && value.every(nonNegative)) {
    const [left, right, top, bottom] = value as number[];
    return [left, right, top, bottom];
  }
  if (nonNegative(value)) {
    const v = value as number;
    return [v, v, v, v];
  }
  issues.add(
    [...path, 'padding'],
    value === undefined
      ? "missing required field 'padding' ([left, right, top, bottom])"
      : `expected [left, right, top, bottom] (integers >= 0) or one integer >= 0, got ${JSON.stringify(value)}`,
  );
  return undefined;
}

function readLayer(
  issues: Issues,
  readers: LayerFieldReaders,
  item: unknown,
  path: FieldPath,
): LayerSpec | undefined {
  if (!isObj(item)) {
    issues.add(
      path,
      `expected a layer object like {"type": "linear", ...}, got ${describeValue(item)}`,
    );
    return undefined;
  }
  const o: Obj = item;
  if (typeof o.type !== 'string' || !(CASE_LAYER_TYPES as string[]).includes(o.type)) {
    issues.add(
      [...path, 'type'],
      o.type === undefined
        ? `missing required field 'type' (one of ${CASE_LAYER_TYPES.join(', ')})`
        : `unknown layer ${typeof o.type === 'string' ? `'${o.type}'` : describeValue(o.type)}; supported: ${CASE_LAYER_TYPES.join(', ')}`,
    );
    return undefined;
  }
  const type = o.type as CaseLayerType;
  const before = issues.count;
  const neutral = NEUTRAL[type] ?? {};
  issues.knownFields(o, path, ['type', ...LAYER_FIELDS[type], ...Object.keys(neutral)]);
  for (const [key, allowed] of Object.entries(neutral)) {
    if (o[key] !== undefined && !allowed.some((v) => sameValue(v, o[key]))) {
      issues.add(
        [...path, key],
        `${JSON.stringify(o[key])} is not supported; only ${JSON.stringify(allowed[0])}`,
      );
    }
  }
  // PyTorch: a pool's stride written as null means its default, kernel_size.
  const isPool = type === 'maxpool2d' || type === 'avgpool2d';
  const fields = isPool && o.stride === null ? { ...o, stride: undefined } : o;
  const layer = readLayerFields(readers, type, fields, path);
  return issues.count === before ? layer : undefined;
}

/** The model list as LayerSpecs, or undefined with every problem reported. */
export function readCaseModel(issues: Issues, value: unknown): LayerSpec[] | undefined {
  const path = ['model'];
  if (!Array.isArray(value) || value.length === 0) {
    issues.add(
      path,
      value === undefined
        ? "missing required field 'model' (a list of layers)"
        : `expected a non-empty list of layers, got ${describeValue(value)}`,
    );
    return undefined;
  }
  const readers = caseReaders(issues);
  const layers = value.map((item, i) => readLayer(issues, readers, item, [...path, i]));
  return layers.every((l) => l !== undefined) ? (layers as LayerSpec[]) : undefined;
}
