// The shape every layer module has (BackPACK-style: one file per layer type holds all of
// its math). A module validates a spec against its per-sample input shape and returns a
// `Layer`: resolved geometry, parameter layout and initialization, `forward` returning what
// the derivatives need, and the hand-written `backward`. The curvature engine adds its
// derivative products (jacTMatProd on stacks of M vectors, per-sample parameter Jacobian
// products) to the same objects, reading the same caches.
//
// Layouts: per-sample shapes in this API are PyTorch's ([C,H,W] or [F]); tensors inside the
// engine are [N, ...engineShape(shape)], i.e. images NHWC (see ./layout.ts).

import type { LayerSpec, LayerType } from '../../protocol/definition';
import type { Rng } from '../random';
import type { Ops } from '../tensor/ops';

/** Where a layer sits, for error messages that point at the definition. */
export interface LayerPlace {
  /** Position in the model list. */
  index: number;
  /** Where the input comes from, as a phrase: "coming out of model[2] (flatten)". */
  source: string;
}

export interface ParamSpec {
  name: 'weight' | 'bias';
  /** Engine layout (e.g. linear weight [in, out], conv weight [kh, kw, in, out]). */
  shape: number[];
  /** PyTorch layout (linear weight [out, in], conv weight [out, in, kh, kw]). */
  torchShape: number[];
  /** engine = transpose(torch, toEngine); the identity permutation when layouts agree. */
  toEngine: number[];
}

export interface ForwardContext {
  /** Training mode: dropout draws masks. In evaluation, dropout is the identity. */
  training: boolean;
  /** Stream for dropout masks; required when training a model that has dropout. */
  rng?: Rng;
}

/** Tensors saved by forward for the derivatives (inputs, outputs, masks, argmax). */
export type Cache<T> = Readonly<Record<string, T>>;

export interface Forward<T> {
  out: T;
  cache: Cache<T>;
}

export interface Backward<T> {
  /** Gradient w.r.t. the layer input; omitted when not asked for. */
  dx?: T;
  /** Gradients w.r.t. the parameters, in `params` order, summed over the batch. */
  dparams: T[];
}

export interface Layer {
  readonly spec: LayerSpec;
  /** Per-sample input and output shapes, PyTorch layout. */
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly params: readonly ParamSpec[];
  /** PyTorch's default initialization, one array per parameter, PyTorch layout. */
  initTorch(rng: Rng): Float64Array[];
  forward<T>(ops: Ops<T>, params: readonly T[], x: T, ctx: ForwardContext): Forward<T>;
  /** dy: gradient w.r.t. the output [N, ...out]. Vector-Jacobian products, hand-written. */
  backward<T>(
    ops: Ops<T>,
    params: readonly T[],
    cache: Cache<T>,
    dy: T,
    needInputGrad: boolean,
  ): Backward<T>;
}

/** A layer type's module: checks a spec against the input it gets and builds the layer.
 *  Throws LayerShapeError when the spec does not fit. */
export interface LayerModule<S extends LayerSpec = LayerSpec> {
  readonly type: LayerType;
  create(spec: S, inShape: readonly number[], place: LayerPlace): Layer;
}

/** The cache of layers whose derivatives need nothing from the forward pass. */
export const emptyCache: Readonly<Record<string, never>> = Object.freeze({});

/** Base for layers without parameters. */
export const noParams = {
  params: [] as readonly ParamSpec[],
  initTorch: (): Float64Array[] => [],
};
