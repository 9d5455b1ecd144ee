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
  /** Backpropagates a stack of M vectors per sample (BackPACK's jac_t_mat_prod):
   *  v [M, N, ...out] (engine layout) -> [M, N, ...in], reading the cache of the same forward.
   *  `samples` selects which rows of the cached batch the stack's N samples are (curvature
   *  sub-sampling); null = the whole cached batch, in order. */
  jacTMatProd<T>(
    ops: Ops<T>,
    params: readonly T[],
    cache: Cache<T>,
    v: T,
    samples: readonly number[] | null,
  ): T;
  /** Parameterized layers only: the contractions the GGN sweep needs. */
  readonly curvature?: ParamCurvature;
  /** What the layer allocates beyond its inputs and outputs, for the memory guard. */
  readonly memory?: LayerMemory;
}

/**
 * A layer's own allocations in elements, for the memory guard (ggn/memory.ts), which counts
 * every layer's input, output and parameters itself; parts a layer leaves out count 0.
 */
export interface LayerMemory {
  /** Per sample, inside the forward's scope beyond twice the output (pooling: the windows). */
  forwardWork?: number;
  /** The unfolded input of `samples` samples (conv: the patches of every output position). */
  unfolded?(samples: number): number;
}

/**
 * Products with the per-sample parameter Jacobians J_p (of the layer output w.r.t. parameter p)
 * applied to stacks backpropagated to this layer's OUTPUT. A stack a [M, N, ...out] stands for
 * the M·N parameter-space vectors J_pᵀ a[m, n] (each uses sample n's cached input); they are
 * indexed i = n·M + m (sample-major), the column order of V. `samples` maps the stack's N
 * samples to rows of the cached batch (null = all, in order). Results are per parameter, in
 * `params` order; nothing is scaled by 1/√N here (the sweep does that).
 */
export interface ParamCurvature {
  /** V's blocks: per parameter [M, N, ...paramShape] (engine layout). Forms V explicitly. */
  paramJacTMatProd<T>(
    ops: Ops<T>,
    params: readonly T[],
    cache: Cache<T>,
    a: T,
    samples: readonly number[] | null,
  ): T[];
  /** Inner products between two stacks' parameter-space vectors, per parameter:
   *  [Ma·Na, Mb·Nb] with entry (i, j) = ⟨J_pᵀ a_i, J_pᵀ b_j⟩. Exploits structure where the layer
   *  has it (linear: (δ_a δ_bᵀ) ⊙ (x_a x_bᵀ) without forming V). Used for the Gram matrix
   *  (a = b) and for Vᵀg_n (b = the per-sample gradient stack, M = 1). */
  gram<T>(
    ops: Ops<T>,
    params: readonly T[],
    cache: Cache<T>,
    a: T,
    samplesA: readonly number[] | null,
    b: T,
    samplesB: readonly number[] | null,
  ): T[];
  /** Elements allocated by one `gram` product between stacks of Na×Ma and Nb×Mb vectors
   *  (everything inside its tidy scope, result included), for the memory guard. */
  gramWork(na: number, ma: number, nb: number, mb: number, same: boolean): number;
  /** Optional: Σ over all this layer's parameters of `gram`'s blocks, plus `prev` (a running
   *  sum, or null), in as few kernels as the layer's structure allows — for the sweep, when
   *  the layer's parameters form one group and no per-layer block is wanted. `shared` keeps
   *  products that depend only on the sample sets (linear: the input Gram x_a x_bᵀ) between
   *  the calls of one sweep step, keyed by `samplesKey` (the same key ⇔ the same sample sets);
   *  the caller disposes what it holds after the step. */
  gramSum?<T>(
    ops: Ops<T>,
    params: readonly T[],
    cache: Cache<T>,
    a: T,
    samplesA: readonly number[] | null,
    b: T,
    samplesB: readonly number[] | null,
    prev: T | null,
    shared: { key: string; products: Map<string, T> },
  ): T;
  /** Σ_i coeff[k, i] · J_pᵀ a_i: coeff [K, M·N] -> per parameter [K, ...paramShape]. Maps
   *  Gram-space vectors to parameter space (eigenvectors, Newton steps) — for linear layers
   *  without forming V. */
  apply<T>(
    ops: Ops<T>,
    params: readonly T[],
    cache: Cache<T>,
    a: T,
    samples: readonly number[] | null,
    coeff: T,
  ): T[];
  /** Optional shortcut for Cockpit's instruments: per parameter, Σ over the stack's vectors of
   *  the squared products, Σ_i (J_pᵀ a_i)² elementwise ([...paramShape]), without forming them
   *  (linear: (x²)ᵀ Σ_m a_m²). Without it they are formed by paramJacTMatProd. */
  squaredSum?<T>(
    ops: Ops<T>,
    params: readonly T[],
    cache: Cache<T>,
    a: T,
    samples: readonly number[] | null,
  ): T[];
  /** Optional, for the gradient histograms: the products of a one-vector-per-sample stack
   *  a [1, N, ...out] per parameter, as outer-product factors where they have that form (linear
   *  weight: x_n ⊗ a_n → input [N, in], output [N, out]) and dense [N, ...paramShape] where not. */
  perSampleFactors?<T>(
    ops: Ops<T>,
    params: readonly T[],
    cache: Cache<T>,
    a: T,
  ): (T | { input: T; output: T })[];
  /** Optional shortcut: ⟨J_pᵀ a_i, u_p⟩ summed over the layer's parameters, [M, N] (linear:
   *  rows of (x U) · a). `direction` holds one tensor per parameter, engine layout. */
  directionalProducts?<T>(
    ops: Ops<T>,
    params: readonly T[],
    cache: Cache<T>,
    a: T,
    samples: readonly number[] | null,
    direction: readonly T[],
  ): T;
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
