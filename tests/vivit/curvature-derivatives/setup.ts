// Shared setup for the curvature-derivative tests: layer cases covering every layer type and
// geometry, and seeded inputs/parameters/stacks made from float32-representable numbers so the
// tfjs (float32) and float64 runs start from identical values.
import type { LayerSpec } from '../../../src/protocol/definition';
import type { ForwardContext, Layer } from '../../../src/vivit/nn/layer';
import { engineShape, permute } from '../../../src/vivit/nn/layout';
import { Rng } from '../../../src/vivit/random';
import type { Ops } from '../../../src/vivit/tensor/ops';
import { buildLayer } from '../nn/harness';

export interface LayerCase {
  name: string;
  spec: LayerSpec;
  inShape: number[];
  /** Evaluation mode (dropout off); training mode otherwise. */
  eval?: boolean;
}

const conv = (
  cin: number,
  cout: number,
  kernel: number | [number, number],
  stride: number | [number, number],
  padding: number | [number, number] | 'same' | 'valid',
  bias: boolean,
): LayerSpec => ({
  type: 'conv2d',
  in_channels: cin,
  out_channels: cout,
  kernel_size: kernel,
  stride,
  padding,
  bias,
});

export const convCases: LayerCase[] = [
  { name: 'conv2d 3x3 stride 2 pad 1', spec: conv(3, 4, 3, 2, 1, true), inShape: [3, 7, 6] },
  {
    name: "conv2d 2x3 'same' no bias",
    spec: conv(2, 3, [2, 3], 1, 'same', false),
    inShape: [2, 5, 5],
  },
  {
    name: 'conv2d 3x2 stride (2,1) pad (1,0)',
    spec: conv(2, 3, [3, 2], [2, 1], [1, 0], true),
    inShape: [2, 6, 5],
  },
  {
    name: 'conv2d whole-image kernel (one position)',
    spec: conv(2, 5, [4, 3], 1, 0, true),
    inShape: [2, 4, 3],
  },
];

export const linearCases: LayerCase[] = [
  { name: 'linear 5->4', spec: { type: 'linear', in: 5, out: 4, bias: true }, inShape: [5] },
  {
    name: 'linear 3->6 no bias',
    spec: { type: 'linear', in: 3, out: 6, bias: false },
    inShape: [3],
  },
];

const pool = (
  type: 'maxpool2d' | 'avgpool2d',
  kernel: number,
  stride: number,
  padding: number | 'same',
): LayerSpec => ({ type, kernel_size: kernel, stride, padding });

/** Every layer type, with the geometries that take different code paths. */
export const layerCases: LayerCase[] = [
  ...linearCases,
  ...convCases,
  { name: 'maxpool2d 3x3 s2 p1', spec: pool('maxpool2d', 3, 2, 1), inShape: [2, 7, 6] },
  { name: "maxpool2d 2x2 s2 'same'", spec: pool('maxpool2d', 2, 2, 'same'), inShape: [2, 5, 5] },
  { name: 'avgpool2d 3x3 s2 p1', spec: pool('avgpool2d', 3, 2, 1), inShape: [2, 7, 6] },
  { name: "avgpool2d 2x2 s2 'same'", spec: pool('avgpool2d', 2, 2, 'same'), inShape: [2, 5, 5] },
  { name: 'zeropad2d', spec: { type: 'zeropad2d', padding: [1, 0, 2, 1] }, inShape: [2, 3, 4] },
  { name: 'flatten image', spec: { type: 'flatten' }, inShape: [3, 2, 4] },
  { name: 'flatten one channel', spec: { type: 'flatten' }, inShape: [1, 3, 3] },
  { name: 'relu', spec: { type: 'relu' }, inShape: [3, 2, 4] },
  { name: 'sigmoid', spec: { type: 'sigmoid' }, inShape: [5] },
  { name: 'tanh', spec: { type: 'tanh' }, inShape: [2, 3, 2] },
  { name: 'leaky_relu', spec: { type: 'leaky_relu', negative_slope: 0.2 }, inShape: [6] },
  { name: 'elu', spec: { type: 'elu', alpha: 0.7 }, inShape: [2, 3, 3] },
  { name: 'identity', spec: { type: 'identity' }, inShape: [5] },
  { name: 'dropout (training)', spec: { type: 'dropout', p: 0.3 }, inShape: [2, 3, 3] },
  { name: 'dropout (evaluation)', spec: { type: 'dropout', p: 0.3 }, inShape: [4], eval: true },
];

/** Seeded normal values rounded to float32. */
export function randomValues(size: number, seed: number, scale = 1): Float64Array {
  const rng = new Rng(seed, 'curvature-derivatives');
  return Float64Array.from({ length: size }, () => Math.fround(scale * rng.normal()));
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export interface Setup {
  layer: Layer;
  /** Batch size of the cached forward. */
  n: number;
  /** Engine-layout values: parameters, and the input [N, ...engineShape(inShape)]. */
  params: { data: Float64Array; shape: number[] }[];
  x: Float64Array;
  xShape: number[];
  /** A fresh context each call: dropout draws the same mask every time. */
  ctx: () => ForwardContext;
}

export function makeSetup(c: LayerCase, n: number, seed: number): Setup {
  const layer = buildLayer(c.spec, c.inShape);
  const init = layer.initTorch(new Rng(seed, 'init'));
  const params = layer.params.map((p, i) => {
    // The default init plus noise, so biases are not tiny next to the weights.
    const noise = randomValues(init[i].length, seed + 10 + i, 0.3);
    const torch = init[i].map((v, k) => Math.fround(v + noise[k]));
    return { data: permute(torch, p.torchShape, p.toEngine), shape: p.shape };
  });
  const xShape = [n, ...engineShape(layer.inShape)];
  return {
    layer,
    n,
    params,
    x: randomValues(sizeOf(xShape), seed + 1),
    xShape,
    ctx: () => (c.eval ? { training: false } : { training: true, rng: new Rng(seed, 'dropout') }),
  };
}

export function tensorsOf<T>(ops: Ops<T>, s: Setup): { params: T[]; x: T } {
  return {
    params: s.params.map((p) => ops.fromArray(p.data, p.shape)),
    x: ops.fromArray(s.x, s.xShape),
  };
}

/** A random stack [M, N, ...perSample] (values and shape). */
export function randomStack(
  m: number,
  n: number,
  perSample: readonly number[],
  seed: number,
): { data: Float64Array; shape: number[] } {
  const shape = [m, n, ...perSample];
  return { data: randomValues(sizeOf(shape), seed), shape };
}

/** Per-sample output shape of a layer, engine layout. */
export const outPerSample = (layer: Layer): number[] => engineShape(layer.outShape);
export const inPerSample = (layer: Layer): number[] => engineShape(layer.inShape);

/** Max |a - b| / max |b|, with a check that b is not all zeros (a vacuous comparison). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    throw new Error(`length ${actual.length} vs expected ${expected.length}`);
  }
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    ref = Math.max(ref, Math.abs(expected[i]));
  }
  if (ref === 0) throw new Error('reference is all zeros: the comparison would be vacuous');
  return diff / ref;
}
