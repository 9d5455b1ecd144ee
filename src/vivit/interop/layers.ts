// The case's `model` list (shared/formats/curvature-case.md) -> the engine's LayerSpec list,
// with PyTorch's defaults: bias true, conv stride 1, pool stride = kernel_size, padding 0.
// Shapes are not checked here; building the Network does that (see case.ts).

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

/** Layer types of the format, plus the oracle's extras (identity, leaky_relu, elu). */
type CaseLayerType = Exclude<LayerType, 'dropout'>;

const FIELDS: Record<CaseLayerType, readonly string[]> = {
  linear: ['in', 'out', 'bias'],
  conv2d: ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'bias'],
  maxpool2d: ['kernel_size', 'stride', 'padding'],
  avgpool2d: ['kernel_size', 'stride', 'padding'],
  zeropad2d: ['padding'],
  relu: [],
  sigmoid: [],
  tanh: [],
  flatten: [],
  identity: [],
  leaky_relu: ['negative_slope'],
  elu: ['alpha'],
};
export const CASE_LAYER_TYPES = Object.keys(FIELDS) as CaseLayerType[];

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

function readLayer(issues: Issues, item: unknown, path: FieldPath): LayerSpec | undefined {
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
  issues.knownFields(o, path, ['type', ...FIELDS[type], ...Object.keys(neutral)]);
  for (const [key, allowed] of Object.entries(neutral)) {
    if (o[key] !== undefined && !allowed.some((v) => sameValue(v, o[key]))) {
      issues.add(
        [...path, key],
        `${JSON.stringify(o[key])} is not supported; only ${JSON.stringify(allowed[0])}`,
      );
    }
  }
  const positive = { integer: true, min: 1 };
  let layer: LayerSpec | undefined;
  switch (type) {
    case 'linear': {
      const inF = readNumber(issues, o, 'in', path, positive, 'required');
      const out = readNumber(issues, o, 'out', path, positive, 'required');
      const bias = readBoolean(issues, o, 'bias', path, true);
      if (inF !== undefined && out !== undefined && bias !== undefined)
        layer = { type, in: inF, out, bias };
      break;
    }
    case 'conv2d': {
      const inC = readNumber(issues, o, 'in_channels', path, positive, 'required');
      const outC = readNumber(issues, o, 'out_channels', path, positive, 'required');
      const kernel = readPair(issues, o, 'kernel_size', path, 1, 'required');
      const stride = readPair(issues, o, 'stride', path, 1, 1);
      const padding = readPair(issues, o, 'padding', path, 0, 0);
      const bias = readBoolean(issues, o, 'bias', path, true);
      if (inC && outC && kernel && stride && padding !== undefined && bias !== undefined) {
        layer = {
          type,
          in_channels: inC,
          out_channels: outC,
          kernel_size: kernel,
          stride,
          padding,
          bias,
        };
      }
      break;
    }
    case 'maxpool2d':
    case 'avgpool2d': {
      const kernel = readPair(issues, o, 'kernel_size', path, 1, 'required');
      // PyTorch: stride defaults to kernel_size (also when written as null).
      const stride =
        o.stride === null ? kernel : kernel && readPair(issues, o, 'stride', path, 1, kernel);
      const padding = readPair(issues, o, 'padding', path, 0, 0);
      if (kernel && stride && padding !== undefined)
        layer = { type, kernel_size: kernel, stride, padding };
      break;
    }
    case 'zeropad2d': {
      const p = [...path, 'padding'];
      const value = o.padding;
      const nonNegative = (v: unknown) =>
        typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
      if (Array.isArray(value) && value.length === 4 && value.every(nonNegative)) {
        const [left, right, top, bottom] = value as number[];
        layer = { type, padding: [left, right, top, bottom] };
      } else if (nonNegative(value)) {
        const v = value as number;
        layer = { type, padding: [v, v, v, v] };
      } else {
        issues.add(
          p,
          value === undefined
            ? "missing required field 'padding' ([left, right, top, bottom])"
            : `expected [left, right, top, bottom] (integers >= 0) or one integer >= 0, got ${JSON.stringify(value)}`,
        );
      }
      break;
    }
    case 'leaky_relu': {
      const slope = readNumber(issues, o, 'negative_slope', path, {}, 0.01);
      if (slope !== undefined) layer = { type, negative_slope: slope };
      break;
    }
    case 'elu': {
      const alpha = readNumber(issues, o, 'alpha', path, {}, 1);
      if (alpha !== undefined) layer = { type, alpha };
      break;
    }
    default:
      layer = { type };
  }
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
  const layers = value.map((item, i) => readLayer(issues, item, [...path, i]));
  return layers.every((l) => l !== undefined) ? (layers as LayerSpec[]) : undefined;
}
