// A deliberately naive forward pass for one sample, in PyTorch layouts: images are [C, H, W]
// row-major, linear weights [out, in], conv weights [out, in, kh, kw], flatten in C,H,W order.
// Plain loops over every index; no im2col, no matrix library. Generic over the scalar type so
// the dual-number Jacobian differentiates exactly this code.

import type { Scalar } from './scalar';
import type { IntOrPair, LayerSpec } from './types';

/** A layer with its input/output shapes (per sample) and the params it owns. */
export interface PlannedLayer {
  spec: LayerSpec;
  /** Position in case.model, for messages. */
  index: number;
  inShape: number[];
  outShape: number[];
  /** Indices into case.params: [weight] or [weight, bias]. */
  paramIndices: number[];
}

export interface NetworkPlan {
  layers: PlannedLayer[];
  /** Expected shape of every entry of case.params, in order. */
  paramShapes: number[][];
  /** Number of network outputs per sample (C). */
  outputSize: number;
}

export class CaseError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'CaseError';
  }
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function pair(
  v: IntOrPair | undefined,
  fallback: [number, number],
  where: string,
): [number, number] {
  if (v === undefined) return fallback;
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new CaseError(
      where,
      `expected a non-negative integer or [h, w] pair, got ${JSON.stringify(v)}`,
    );
  }
  return p;
}

function positiveInt(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new CaseError(where, `expected a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Output length of a sliding window (PyTorch, ceil_mode = false). */
function windowCount(
  size: number,
  kernel: number,
  stride: number,
  pad: number,
  where: string,
): number {
  const n = Math.floor((size + 2 * pad - kernel) / stride) + 1;
  if (n < 1)
    throw new CaseError(
      where,
      `kernel ${kernel} does not fit input size ${size} with padding ${pad}`,
    );
  return n;
}

interface WindowGeometry {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
}

function convLikeGeometry(
  spec: { kernel_size: IntOrPair; stride?: IntOrPair; padding?: IntOrPair },
  defaultStride: 'one' | 'kernel',
  where: string,
): WindowGeometry {
  const kernel = pair(spec.kernel_size, [0, 0], `${where}.kernel_size`);
  if (kernel[0] < 1 || kernel[1] < 1) throw new CaseError(`${where}.kernel_size`, 'must be >= 1');
  const stride = pair(
    spec.stride ?? undefined,
    defaultStride === 'one' ? [1, 1] : kernel,
    `${where}.stride`,
  );
  if (stride[0] < 1 || stride[1] < 1) throw new CaseError(`${where}.stride`, 'must be >= 1');
  const padding = pair(spec.padding ?? undefined, [0, 0], `${where}.padding`);
  return { kernel, stride, padding };
}

function requireImage(shape: number[], where: string): [number, number, number] {
  if (shape.length !== 3) {
    throw new CaseError(
      where,
      `expects an image input [C, H, W] per sample, got shape [${shape.join(', ')}]`,
    );
  }
  return [shape[0], shape[1], shape[2]];
}

/** Infers every layer's shapes and the params it needs; throws CaseError naming the layer. */
export function planNetwork(model: LayerSpec[], sampleShape: number[]): NetworkPlan {
  if (!Array.isArray(model) || model.length === 0)
    throw new CaseError('model', 'must be a non-empty list of layers');
  const layers: PlannedLayer[] = [];
  const paramShapes: number[][] = [];
  let shape = sampleShape.slice();
  model.forEach((spec, index) => {
    const where = `model[${index}] (${spec?.type})`;
    const inShape = shape;
    const paramIndices: number[] = [];
    const addParam = (s: number[]): void => {
      paramIndices.push(paramShapes.length);
      paramShapes.push(s);
    };
    switch (spec?.type) {
      case 'linear': {
        const nIn = positiveInt(spec.in, `${where}.in`);
        const nOut = positiveInt(spec.out, `${where}.out`);
        if (inShape.length !== 1) {
          throw new CaseError(
            where,
            `expects a flat input per sample, got shape [${inShape.join(', ')}] (add a flatten layer)`,
          );
        }
        if (inShape[0] !== nIn)
          throw new CaseError(
            `${where}.in`,
            `is ${nIn} but the layer receives ${inShape[0]} features`,
          );
        addParam([nOut, nIn]);
        if (spec.bias !== false) addParam([nOut]);
        shape = [nOut];
        break;
      }
      case 'conv2d': {
        const [c, h, w] = requireImage(inShape, where);
        const cin = positiveInt(spec.in_channels, `${where}.in_channels`);
        const cout = positiveInt(spec.out_channels, `${where}.out_channels`);
        if (cin !== c)
          throw new CaseError(`${where}.in_channels`, `is ${cin} but the input has ${c} channels`);
        const g = convLikeGeometry(spec, 'one', where);
        const oh = windowCount(h, g.kernel[0], g.stride[0], g.padding[0], where);
        const ow = windowCount(w, g.kernel[1], g.stride[1], g.padding[1], where);
        addParam([cout, cin, g.kernel[0], g.kernel[1]]);
        if (spec.bias !== false) addParam([cout]);
        shape = [cout, oh, ow];
        break;
      }
      case 'maxpool2d':
      case 'avgpool2d': {
        const [c, h, w] = requireImage(inShape, where);
        const g = convLikeGeometry(spec, 'kernel', where);
        if (2 * g.padding[0] > g.kernel[0] || 2 * g.padding[1] > g.kernel[1]) {
          throw new CaseError(
            `${where}.padding`,
            'must be at most half the kernel size (as in PyTorch)',
          );
        }
        shape = [
          c,
          windowCount(h, g.kernel[0], g.stride[0], g.padding[0], where),
          windowCount(w, g.kernel[1], g.stride[1], g.padding[1], where),
        ];
        break;
      }
      case 'zeropad2d': {
        const [c, h, w] = requireImage(inShape, where);
        const p = spec.padding;
        if (!Array.isArray(p) || p.length !== 4 || !p.every((x) => Number.isInteger(x) && x >= 0)) {
          throw new CaseError(
            `${where}.padding`,
            `expected [left, right, top, bottom] non-negative integers, got ${JSON.stringify(p)}`,
          );
        }
        shape = [c, h + p[2] + p[3], w + p[0] + p[1]];
        break;
      }
      case 'flatten':
        shape = [product(inShape)];
        break;
      case 'relu':
      case 'sigmoid':
      case 'tanh':
      case 'identity':
      case 'leaky_relu':
      case 'elu':
        break;
      default:
        throw new CaseError(
          where,
          `unknown layer type ${JSON.stringify((spec as { type?: unknown })?.type)}`,
        );
    }
    layers.push({ spec, index, inShape, outShape: shape, paramIndices });
  });
  if (shape.length !== 1) {
    throw new CaseError(
      'model',
      `the network output per sample must be flat, got shape [${shape.join(', ')}]`,
    );
  }
  return { layers, paramShapes, outputSize: shape[0] };
}

/** Runs one sample through the network. params[i] is case.params[i] (row-major). */
export function forwardSample<T>(S: Scalar<T>, plan: NetworkPlan, params: T[][], input: T[]): T[] {
  let x = input;
  for (const layer of plan.layers) x = forwardLayer(S, layer, params, x);
  return x;
}

function forwardLayer<T>(S: Scalar<T>, layer: PlannedLayer, params: T[][], x: T[]): T[] {
  const spec = layer.spec;
  switch (spec.type) {
    case 'linear': {
      const [nOut, nIn] = [spec.out, spec.in];
      const W = params[layer.paramIndices[0]];
      const b = layer.paramIndices.length > 1 ? params[layer.paramIndices[1]] : null;
      const y: T[] = [];
      for (let o = 0; o < nOut; o++) {
        let acc = b ? b[o] : S.constant(0);
        for (let i = 0; i < nIn; i++) acc = S.add(acc, S.mul(W[o * nIn + i], x[i]));
        y.push(acc);
      }
      return y;
    }
    case 'conv2d': {
      const [cin, h, w] = layer.inShape;
      const [cout, oh, ow] = layer.outShape;
      const g = convLikeGeometry(spec, 'one', '');
      const [kh, kw] = g.kernel;
      const W = params[layer.paramIndices[0]];
      const b = layer.paramIndices.length > 1 ? params[layer.paramIndices[1]] : null;
      const y: T[] = [];
      for (let co = 0; co < cout; co++) {
        for (let r = 0; r < oh; r++) {
          for (let c = 0; c < ow; c++) {
            let acc = b ? b[co] : S.constant(0);
            for (let ci = 0; ci < cin; ci++) {
              for (let i = 0; i < kh; i++) {
                const row = r * g.stride[0] - g.padding[0] + i;
                if (row < 0 || row >= h) continue; // zero padding contributes nothing
                for (let j = 0; j < kw; j++) {
                  const col = c * g.stride[1] - g.padding[1] + j;
                  if (col < 0 || col >= w) continue;
                  const wIdx = ((co * cin + ci) * kh + i) * kw + j;
                  acc = S.add(acc, S.mul(W[wIdx], x[(ci * h + row) * w + col]));
                }
              }
            }
            y.push(acc);
          }
        }
      }
      return y;
    }
    case 'maxpool2d':
    case 'avgpool2d': {
      const [ch, h, w] = layer.inShape;
      const [, oh, ow] = layer.outShape;
      const g = convLikeGeometry(spec, 'kernel', '');
      const [kh, kw] = g.kernel;
      const y: T[] = [];
      for (let k = 0; k < ch; k++) {
        for (let r = 0; r < oh; r++) {
          for (let c = 0; c < ow; c++) {
            let best: T | null = null;
            let sum = S.constant(0);
            for (let i = 0; i < kh; i++) {
              const row = r * g.stride[0] - g.padding[0] + i;
              if (row < 0 || row >= h) continue; // -inf (max) or 0 (avg) padding
              for (let j = 0; j < kw; j++) {
                const col = c * g.stride[1] - g.padding[1] + j;
                if (col < 0 || col >= w) continue;
                const v = x[(k * h + row) * w + col];
                // Strict '>' keeps the first maximum in window order, like PyTorch's CPU kernel.
                if (best === null || S.value(v) > S.value(best)) best = v;
                sum = S.add(sum, v);
              }
            }
            if (spec.type === 'maxpool2d') {
              if (best === null) throw new Error('maxpool window entirely in padding');
              y.push(best);
            } else {
              // count_include_pad = True: the divisor is the full kernel area.
              y.push(S.scale(sum, 1 / (kh * kw)));
            }
          }
        }
      }
      return y;
    }
    case 'zeropad2d': {
      const [ch, h, w] = layer.inShape;
      const [, ph, pw] = layer.outShape;
      const [left, , top] = spec.padding;
      const y: T[] = [];
      for (let k = 0; k < ch; k++) {
        for (let r = 0; r < ph; r++) {
          for (let c = 0; c < pw; c++) {
            const row = r - top;
            const col = c - left;
            y.push(
              row >= 0 && row < h && col >= 0 && col < w
                ? x[(k * h + row) * w + col]
                : S.constant(0),
            );
          }
        }
      }
      return y;
    }
    case 'flatten':
    case 'identity':
      return x.slice(); // [C, H, W] row-major is already C-major flat order
    case 'relu':
      return x.map((v) => (S.value(v) > 0 ? v : S.constant(0)));
    case 'leaky_relu': {
      const slope = spec.negative_slope ?? 0.01;
      return x.map((v) => (S.value(v) > 0 ? v : S.scale(v, slope)));
    }
    case 'elu': {
      const alpha = spec.alpha ?? 1;
      return x.map((v) => (S.value(v) > 0 ? v : S.scale(S.sub(S.exp(v), S.constant(1)), alpha)));
    }
    case 'sigmoid':
      return x.map((v) => S.sigmoid(v));
    case 'tanh':
      return x.map((v) => S.tanh(v));
  }
}

export { product };
