// The engine's tensor operations, behind one interface with two implementations:
//  - tfjs (float32, fast: wasm / tfjs-node / later webgpu) for live training and monitoring;
//  - float64 (plain Float64Array) for the curvature engine's exact mode, the interop command
//    and brute-force-grade tests, which need float64 precision that tfjs does not have.
// Layer, loss and GGN math is written once against `Ops<T>` and runs on either.
//
// Conventions: row-major (C order) dense tensors; NumPy broadcasting for elementwise binary ops;
// images are NHWC inside the engine (the PyTorch NCHW layout exists only at the boundaries).
// Ops never mutate their inputs.

import type {
  DeviceEigenOptions,
  DeviceEigenResult,
} from '../linalg/webgpu/symmetric-eigen-webgpu';

export type Shape = readonly number[];

/** Spatial pooling/convolution geometry, already resolved to explicit numbers. */
export interface Window2d {
  kernel: [number, number]; // kh, kw
  stride: [number, number]; // sh, sw
  /** Zero (conv/avg) or -inf (max) padding: top, bottom, left, right. */
  pad: [number, number, number, number];
}

/** Full symmetric eigendecomposition on the device: all eigenvalues (descending) and the
 *  leading eigenvectors, float32 accuracy (linalg/webgpu/symmetric-eigen-webgpu.ts). */
export interface DeviceEigensolver<T> {
  /** Why an n×n problem cannot be solved on this device, or null if it can. */
  unsupported(n: number): string | null;
  /** Solves for the symmetric n×n matrix `a` (left unchanged). `vectorsTensor` holds the
   *  eigenvectors as an [m, n] tensor that never left the device (the caller disposes it). */
  solve(
    a: T,
    n: number,
    options: DeviceEigenOptions,
  ): Promise<DeviceEigenResult & { vectorsTensor: T | null }>;
}

export interface Ops<T> {
  readonly kind: 'tfjs' | 'float64';

  // ---- creation and reading
  fromArray(data: ArrayLike<number>, shape: Shape): T;
  zeros(shape: Shape): T;
  fill(shape: Shape, value: number): T;
  shape(t: T): number[];
  /** t as float values (the same tensor where it already is; labels may come as int32). */
  asFloat(t: T): T;
  /** Copies the values out (synchronously). Never call inside tidy and return the array.
   *  Not available on backends that can only read asynchronously (webgpu in Node): the engine
   *  reads through `read`; `toArray` is for the float64 ops and for tests. */
  toArray(t: T): Float64Array | Float32Array;
  /** Reads a single-element tensor (synchronously; see toArray). */
  item(t: T): number;
  /** Copies the values out, waiting for the device where needed (GPU backends). */
  read(t: T): Promise<Float64Array | Float32Array>;
  /** Whether tensors live on a GPU (reads are round trips; big products are cheap). */
  onGpu?(): boolean;
  /** The eigensolver that works where the tensors live (linalg/webgpu/), or null where there
   *  is none (every backend but WebGPU). */
  deviceEigensolver?(): DeviceEigensolver<T> | null;

  /** Softmax cross-entropy of logits [N, C] with class indices [N] in fused kernels (one for
   *  the batch-mean loss, a scalar; one for its gradient (softmax − one-hot)/N when asked); a
   *  label that is not a class index adds 0. Null where no fused kernel exists (every backend
   *  but webgpu): the loss module composes it from the ops below. */
  fusedCrossEntropy?(
    logits: T,
    labels: T,
    withGradient: boolean,
  ): { value: T; gradient: T | null } | null;
  /** A classification training step's loss in two fused kernels: the gradient as above and
   *  `summary` = [mean loss, correct predictions, labels that are not class indices], a [3]
   *  tensor; null where no fused kernel exists (see fusedCrossEntropy). */
  fusedClassificationStep?(logits: T, labels: T): { summary: T; gradient: T } | null;

  // ---- memory (no-ops for float64)
  /** Runs fn; tensors created inside and not returned are released. */
  tidy<R>(fn: () => R): R;
  dispose(t: T | T[]): void;
  /** Marks a tensor created inside tidy to survive it. */
  keep(t: T): T;

  // ---- elementwise (binary ops broadcast)
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  div(a: T, b: T): T;
  scale(a: T, s: number): T;
  addScalar(a: T, s: number): T;
  /** α·a + β·b (a, b of one shape; one kernel on webgpu: the optimizers' updates). */
  axpby(a: T, alpha: number, b: T, beta: number): T;
  neg(a: T): T;
  exp(a: T): T;
  log(a: T): T;
  sqrt(a: T): T;
  square(a: T): T;
  abs(a: T): T;
  maximum(a: T, b: T): T;
  relu(a: T): T;
  sigmoid(a: T): T;
  tanh(a: T): T;
  /** 1 where a > threshold, else 0 (same dtype as a). */
  stepMask(a: T, threshold: number): T;
  /** v ⊙ stepMask(x, threshold), x broadcast to v's shape (one kernel on webgpu: ReLU's
   *  derivative applied to a gradient or a stack of vectors). */
  mulStepMask(v: T, x: T, threshold: number): T;
  /** elementwise: mask != 0 ? a : b */
  where(mask: T, a: T, b: T): T;
  /** The Gram block of a layer whose parameter Jacobian factorizes as input ⊗ output (linear):
   *  out[(i,m),(j,m')] = deltas[(i,m),(j,m')] · (inputGram[i, j] + c) + prev[(i,m),(j,m')],
   *  deltas [Na·vectorsA, Nb·vectorsB] the output-side products (sample-major), inputGram
   *  [Na, Nb] the input-side ones; c = 1 adds the bias's block (deltas itself), c = 0 not;
   *  prev (a running sum) is added unless null. One kernel on webgpu. */
  gramBlock(
    deltas: T,
    inputGram: T,
    vectorsA: number,
    vectorsB: number,
    withBias: boolean,
    prev: T | null,
  ): T;

  // ---- reductions
  sum(a: T, axes?: number[], keepDims?: boolean): T;
  max(a: T, axes?: number[], keepDims?: boolean): T;
  /** Index of the maximum along one axis (as a float tensor of indices). */
  argMax(a: T, axis: number): T;
  logSumExp(a: T, axis: number, keepDims?: boolean): T;
  softmax(a: T, axis: number): T;

  // ---- shape
  reshape(a: T, shape: Shape): T;
  transpose(a: T, perm: number[]): T;
  slice(a: T, begin: number[], size: number[]): T;
  concat(list: T[], axis: number): T;
  /** Pads with a constant, paddings[i] = [before, after] for axis i. */
  pad(a: T, paddings: [number, number][], value?: number): T;
  /** Selects `indices` (integers) along `axis`. */
  gather(a: T, indices: ArrayLike<number>, axis: number): T;
  oneHot(indices: ArrayLike<number>, depth: number): T;

  // ---- linear algebra
  /** [.., m, k] x [.., k, n] -> [.., m, n]; leading batch dims must match exactly. */
  matMul(a: T, b: T, transposeA?: boolean, transposeB?: boolean): T;
  /** x w + bias for x [m, k], w [k, n], bias [n]: a linear layer's forward (one kernel on tfjs). */
  matMulBias(x: T, w: T, bias: T): T;

  // ---- images (NHWC)
  /** Convolution. x [N,H,W,Cin], w [kh,kw,Cin,Cout] -> [N,Ho,Wo,Cout]. */
  conv2d(x: T, w: T, win: Window2d): T;
  /** Gradient of conv2d w.r.t. its input: dy [N,Ho,Wo,Cout] -> [N,H,W,Cin] (H, W given). */
  conv2dInputGrad(dy: T, w: T, inputShape: Shape, win: Window2d): T;
  /** Unfolded input patches (im2col): x [N,H,W,C] -> [N, Ho*Wo, kh*kw*C] with the last axis
   *  ordered (kh, kw, C) to match the weight layout [kh,kw,C,Cout] reshaped to [kh*kw*C, Cout]. */
  unfold(x: T, win: Window2d): T;
  /** Optional fast path for the gradient of conv2d w.r.t. its weight, summed over the batch:
   *  x [N,H,W,Cin], dy [N,Ho,Wo,Cout] -> [kh,kw,Cin,Cout]. When absent, layers use
   *  `unfold` + `matMul`, which is the same contraction (and what a float64 backend wants). */
  conv2dWeightGrad?(x: T, dy: T, win: Window2d): T;
  /** Max pooling with -inf padding; also returns, per output element, the flat index into the
   *  input's H*W plane (per sample and channel) of the winning element. */
  maxPool(x: T, win: Window2d): { out: T; argmax: T };
  /** Routes dy [N,Ho,Wo,C] back to the argmax positions -> [N,H,W,C] (adds on ties of windows). */
  maxPoolInputGrad(dy: T, argmax: T, inputShape: Shape): T;
  /** Average pooling with zero padding counted in the divisor (PyTorch count_include_pad). */
  avgPool(x: T, win: Window2d): T;
  avgPoolInputGrad(dy: T, inputShape: Shape, win: Window2d): T;
}
