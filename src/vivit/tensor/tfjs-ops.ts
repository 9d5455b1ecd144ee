// `Ops` on tfjs tensors (float32): the fast path for live training and monitoring.
//
// Written for the wasm backend first, whose fast kernels are the XNNPACK ones (conv2d,
// depthwise conv2d, matMul, pooling, elementwise, transpose). Its slice/concat kernels copy
// row by row in JavaScript, its Conv2DBackpropInput/AvgPoolGrad/Conv3DBackpropFilter kernels
// are naive loops, and it has no Conv2DBackpropFilter at all. So every image derivative here
// is re-expressed as a forward (depthwise) convolution:
//  - input gradients: the "transposed convolution" as a convolution of the zero-dilated output
//    gradient with the flipped kernel;
//  - weight gradients: a convolution with batch and channel axes swapped (the batch becomes
//    the contraction axis, the output gradient becomes the filter, dilated by the stride);
//  - unfold (im2col): a depthwise convolution with a one-hot filter bank.
// matMul with transposeA/B is ~10x slower than plain matMul on wasm, so there operands are
// transposed explicitly first.

import * as tf from '@tensorflow/tfjs';
import type { GPUData } from '@tensorflow/tfjs';
import type { Ops, Window2d } from './ops';
import type { GpuBuffer, GpuDevice } from '../linalg/webgpu/gpu';
import {
  fusedAffine,
  fusedAxpby,
  fusedElementwiseApplies,
  fusedScale,
  fusedStepMul,
} from './webgpu/elementwise';
import {
  fusedClassificationStep,
  fusedCrossEntropy,
  fusedCrossEntropyApplies,
} from './webgpu/cross-entropy';
import { fusedGramBlock, fusedGramBlockApplies } from './webgpu/gram-block';
import {
  webGpuEigensolver,
  type DeviceEigenOptions,
} from '../linalg/webgpu/symmetric-eigen-webgpu';

type T = tf.Tensor;
/** Integers up to 2^24 are exact in float32. */
const FLOAT32_EXACT_INT = 2 ** 24;

/** Lowest finite float32: the max-pool padding value. */
const LOWEST_FLOAT32 = -3.4028234663852886e38;

type Pads4 = [[number, number], [number, number], [number, number], [number, number]];

function explicitPads(top: number, bottom: number, left: number, right: number): Pads4 {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

function as4d(t: T, op: string): tf.Tensor4D {
  if (t.rank !== 4) throw new Error(`${op}: expected a rank-4 NHWC tensor, got shape [${t.shape}]`);
  return t as tf.Tensor4D;
}

/** Swaps the last two axes. */
function transposeLast2(t: T): T {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(t, perm);
}

/** Per-product work (multiply-adds) from which a batched matMul on wasm runs as separate
 *  XNNPACK products; below it, the per-call overhead outweighs the slow batched loop. */
const WASM_SPLIT_BATCH_WORK = 2 ** 18;

/**
 * Batched product on wasm. Its BatchMatMul kernel hands batches > 1 to a plain loop (measured
 * ~10x slower than XNNPACK's single product, e.g. 32 x [144x196]·[196x320]: 470 ms vs 40 ms),
 * and its slice kernel copies row by row in JavaScript (splitting those operands with
 * tf.unstack costs ~300 ms). So large batches are split on the host: one copy out of the heap,
 * one single product per batch entry.
 */
function wasmBatchedMatMul(a: T, b: T): T {
  const rank = a.rank;
  const [m, k] = a.shape.slice(rank - 2);
  const n = b.shape[rank - 1];
  const lead = a.shape.slice(0, rank - 2);
  const batch = lead.reduce((x, y) => x * y, 1);
  const sameLead = b.rank === rank && lead.every((d, i) => d === b.shape[i]);
  if (rank < 3 || batch === 1 || !sameLead || m * k * n < WASM_SPLIT_BATCH_WORK) {
    return tf.matMul(a, b);
  }
  return tf.tidy(() => {
    const aData = a.dataSync() as Float32Array;
    const bData = b.dataSync() as Float32Array;
    const parts: T[] = [];
    for (let i = 0; i < batch; i++) {
      parts.push(
        tf.tidy(() =>
          tf.matMul(
            tf.tensor2d(aData.subarray(i * m * k, (i + 1) * m * k), [m, k]),
            tf.tensor2d(bData.subarray(i * k * n, (i + 1) * k * n), [k, n]),
          ),
        ),
      );
    }
    return tf.reshape(tf.stack(parts), [...lead, m, n]);
  });
}

function stepMask(a: T, threshold: number): T {
  return tf.step(threshold === 0 ? a : tf.sub(a, tf.scalar(threshold)));
}

/** s·t, skipping the product for s = 1 (off the GPU each kernel is a pass over memory). */
const scaledBy = (t: T, s: number): T => (s === 1 ? t : tf.mul(t, tf.scalar(s)));

/** tfjs-backend-webgpu 4.22 takes its split-K kernel only for contractions of 2000 and more. */
const WEBGPU_SAFE_TRANSPOSED_CONTRACTION = 1024;

function matMul(a: T, b: T, transposeA = false, transposeB = false): T {
  const backend = tf.getBackend();
  // tfjs-backend-webgpu 4.22 returns wrong products with a transposed operand when the output
  // is small and the contraction long (its split-K kernel: e.g. [32, 12544]·[32, 12544]ᵀ is
  // off by 100 %), so there long contractions are transposed explicitly; shorter ones keep
  // the flags (an extra transpose kernel costs as much host time as the product).
  // wasm's XNNPACK matMul is slow with transposed operands; the cpu backend is faster with
  // the flags than with an extra transpose pass.
  const contraction = a.shape[transposeA ? a.rank - 2 : a.rank - 1];
  const flagsSafe =
    backend !== 'wasm' &&
    (backend !== 'webgpu' || contraction < WEBGPU_SAFE_TRANSPOSED_CONTRACTION);
  if (flagsSafe || (!transposeA && !transposeB)) {
    if (backend === 'wasm') return tf.tidy(() => wasmBatchedMatMul(a, b));
    return tf.matMul(a, b, transposeA, transposeB);
  }
  // (tidy: the transposed copies are freed even when the caller has no scope open.)
  return tf.tidy(() => {
    const left = transposeA ? transposeLast2(a) : a;
    const right = transposeB ? transposeLast2(b) : b;
    return backend === 'webgpu' ? tf.matMul(left, right) : wasmBatchedMatMul(left, right);
  });
}

/**
 * Constant padding of any rank. tfjs-backend-webgpu 4.22 generates invalid shader code for pads
 * of rank 5 and more (it indexes a `vec5`, which WGSL does not have; the kernel then silently
 * returns zeros), so those are done one padded axis at a time, each as a rank-3 pad of
 * [before, axis, after].
 */
function pad(t: T, paddings: [number, number][], value = 0): T {
  if (t.rank <= 4) return tf.pad(t, paddings, value);
  let out = t;
  paddings.forEach(([before, after], axis) => {
    if (before === 0 && after === 0) return;
    const shape = out.shape;
    const lead = shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const rest = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const padded = tf.pad(
      tf.reshape(out, [lead, shape[axis], rest]),
      [
        [0, 0],
        [before, after],
        [0, 0],
      ],
      value,
    );
    const next = [...shape];
    next[axis] += before + after;
    out = tf.reshape(padded, next);
  });
  return out;
}

/**
 * mask != 0 ? a : b, broadcasting. tf.where broadcasts through Tile, which
 * tfjs-backend-webgpu 4.22 runs on the CPU for rank ≥ 5 with a synchronous read (impossible in
 * Node), so at rank ≥ 5 the operands are broadcast by adding zeros (exact, NaN and ±∞ kept).
 */
function where(mask: T, a: T, b: T): T {
  if (Math.max(mask.rank, a.rank, b.rank) < 5) {
    return tf.where(tf.notEqual(mask, tf.scalar(0)), a, b);
  }
  const { assertAndGetBroadcastShape } = tf.backend_util;
  const shape = assertAndGetBroadcastShape(
    assertAndGetBroadcastShape(mask.shape, a.shape),
    b.shape,
  );
  // Its Select kernel stops at rank 4 too: select on flat views of the broadcast operands.
  const flat = (t: T): T => {
    const same = t.rank === shape.length && t.shape.every((d, i) => d === shape[i]);
    return tf.reshape(same ? t : tf.add(t, tf.zeros(shape)), [-1]);
  };
  return tf.reshape(tf.where(tf.notEqual(flat(mask), tf.scalar(0)), flat(a), flat(b)), shape);
}

/** Inserts (s-1) zeros after every row/column: [N,H,W,C] -> [N,H*sh,W*sw,C]. */
function dilate(t: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return t;
  const [n, h, w, c] = t.shape;
  const spread = pad(tf.reshape(t, [n, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return tf.reshape(spread, [n, h * sh, w * sw, c]);
}

/** Pads rows/columns with zeros where an amount is positive and crops where it is negative,
 *  returning the remaining (non-negative) amounts as explicit convolution padding. */
function cropNegative(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number) {
  if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) {
    return { t, pads: explicitPads(top, bottom, left, right) };
  }
  const [n, h, w, c] = t.shape;
  const cropT = Math.max(0, -top);
  const cropB = Math.max(0, -bottom);
  const cropL = Math.max(0, -left);
  const cropR = Math.max(0, -right);
  const cropped = tf.slice(t, [0, cropT, cropL, 0], [n, h - cropT - cropB, w - cropL - cropR, c]);
  return {
    t: cropped,
    pads: explicitPads(
      Math.max(0, top),
      Math.max(0, bottom),
      Math.max(0, left),
      Math.max(0, right),
    ),
  };
}

/**
 * The adjoint of a strided, padded window operation (convolution or average pooling) with
 * respect to its input, as a forward convolution `conv(dilate(dy), flipped kernel)`:
 * for input size H, output size Ho, kernel k, stride s and leading padding p, the dilated
 * gradient (Ho*s rows) is padded by k-1-p before and H+p-Ho*s after.
 */
function transposedWindow(
  dy: tf.Tensor4D,
  inputH: number,
  inputW: number,
  win: Window2d,
  conv: (padded: tf.Tensor4D, pads: Pads4) => tf.Tensor4D,
): tf.Tensor4D {
  const [kh, kw] = win.kernel;
  const [sh, sw] = win.stride;
  const [pt, , pl] = win.pad;
  const [, ho, wo] = dy.shape;
  const dilated = dilate(dy, sh, sw);
  const { t, pads } = cropNegative(
    dilated,
    kh - 1 - pt,
    inputH + pt - ho * sh,
    kw - 1 - pl,
    inputW + pl - wo * sw,
  );
  return conv(t, pads);
}

/** Constant tensors the image ops build from their shapes alone (filter banks, index grids),
 *  made once per backend and shape and kept: rebuilt every step they cost a few kernels each. */
const constants = new Map<string, T>();
/** Distinct shapes kept; past it new ones are made per call as before (dropping kept ones
 *  could free a tensor an op in progress still holds). */
const MAX_CONSTANTS = 256;

/** Tensors the image ops keep for reuse (for leak checks: they are not leaks). */
export function tfjsKeptTensorCount(): number {
  let count = 0;
  for (const t of constants.values()) if (!t.isDisposed) count++;
  return count;
}

function constant(key: string, make: () => T): T {
  const fullKey = `${tf.getBackend()}|${key}`;
  const kept = constants.get(fullKey);
  if (kept !== undefined && !kept.isDisposed) return kept;
  if (constants.size >= MAX_CONSTANTS) return make();
  const made = tf.keep(tf.tidy(make));
  constants.set(fullKey, made);
  return made;
}

/** Every window's elements via a depthwise convolution with a one-hot filter bank:
 *  x [N,H,W,C] -> [N,Ho,Wo,C,kh*kw], window position m = i*kw + j last. */
function windowPatches(x: tf.Tensor4D, win: Window2d, pads: Pads4 | 'valid'): tf.Tensor5D {
  const [n, , , c] = x.shape;
  const [kh, kw] = win.kernel;
  const k = kh * kw;
  // filter[i,j,c,m] = (m == i*kw + j); output channel c*k + m.
  const bank = constant(
    `bank ${kh} ${kw} ${c}`,
    () => tf.tile(tf.reshape(tf.eye(k), [kh, kw, 1, k]), [1, 1, c, 1]) as tf.Tensor4D,
  ) as tf.Tensor4D;
  const patches = tf.depthwiseConv2d(x, bank, win.stride, pads);
  const [, ho, wo] = patches.shape;
  return tf.reshape(patches, [n, ho, wo, c, k]);
}

/** im2col: [N,H,W,C] -> [N, Ho*Wo, kh*kw*C], last axis ordered (kh, kw, C). */
function unfoldPatches(x: tf.Tensor4D, win: Window2d): T {
  const [pt, pb, pl, pr] = win.pad;
  const patches = windowPatches(x, win, explicitPads(pt, pb, pl, pr));
  const [n, ho, wo, c, k] = patches.shape;
  if (c === 1) return tf.reshape(patches, [n, ho * wo, k]);
  return tf.reshape(tf.transpose(patches, [0, 1, 2, 4, 3]), [n, ho * wo, k * c]);
}

/**
 * Conv weight gradient as a forward convolution: x as [Cin, H, W, N] convolved with dy as a
 * [Ho, Wo, N, Cout] filter dilated by the stride gives [Cin, kh, kw, Cout]. Trailing rows
 * the forward pass never reached are cut by lowering the bottom/right padding.
 */
function weightGradBySwappedConv(x: tf.Tensor4D, dy: tf.Tensor4D, win: Window2d): T {
  const [kh, kw] = win.kernel;
  const [sh, sw] = win.stride;
  const [pt, pb, pl, pr] = win.pad;
  const [, h, w] = x.shape;
  const [, ho, wo] = dy.shape;
  const bottom = kh + (ho - 1) * sh - h - pt;
  const right = kw + (wo - 1) * sw - w - pl;
  const xT = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D;
  const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  let g = tf.conv2d(
    xT,
    dyT,
    1,
    explicitPads(pt, Math.max(0, Math.min(bottom, pb)), pl, Math.max(0, Math.min(right, pr))),
    'NHWC',
    [sh, sw],
  );
  if (g.shape[1] !== kh || g.shape[2] !== kw) g = tf.slice(g, [0, 0, 0, 0], [-1, kh, kw, -1]);
  return tf.transpose(g, [1, 2, 0, 3]);
}

let readbackCount = 0;

/** How many times the engine has read tensors back to the host through `tfjsOps.read` (the
 *  GPU round trips a step costs; the benchmarks print it per step). */
export function tfjsReadbackCount(): number {
  return readbackCount;
}

export const tfjsOps: Ops<T> = {
  kind: 'tfjs',

  // ---- creation and reading
  fromArray: (data, shape) => tf.tensor(Float32Array.from(data), [...shape], 'float32'),
  zeros: (shape) => tf.zeros([...shape], 'float32'),
  fill: (shape, value) => tf.fill([...shape], value, 'float32'),
  shape: (t) => [...t.shape],
  asFloat: (t) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32')),
  // Copy: the cpu backend hands out its own storage from dataSync.
  toArray: (t) => Float32Array.from(t.dataSync() as Float32Array),
  item(t) {
    if (t.size !== 1) throw new Error(`item: tensor of shape [${t.shape}] is not a scalar`);
    return t.dataSync()[0];
  },
  onGpu: () => tf.getBackend() === 'webgpu' || tf.getBackend() === 'webgl',
  // Counted: GPU backends pay a device round trip per read (bench: readbacks per step).
  async read(t) {
    readbackCount++;
    // An owned copy (the cpu backend hands out its own storage). slice() is a memcpy, where
    // Float32Array.from walks an iterator: ~200 ms for the 14 M floats of a histogram read.
    const data = await t.data();
    return data instanceof Float32Array ? data.slice() : Float32Array.from(data as Int32Array);
  },

  fusedCrossEntropy: (logits, labels, withGradient) =>
    fusedCrossEntropyApplies(logits, labels)
      ? fusedCrossEntropy(logits, labels, withGradient)
      : null,
  fusedClassificationStep: (logits, labels) =>
    fusedCrossEntropyApplies(logits, labels) ? fusedClassificationStep(logits, labels) : null,

  deviceEigensolver() {
    if (tf.getBackend() !== 'webgpu') return null;
    // tfjs-backend-webgpu's backend object: its GPUDevice, and the upload of a tensor that was
    // created from host values and not used on the device yet (public members, untyped here).
    const backend = tf.backend() as unknown as {
      device?: GpuDevice;
      uploadToGPU?(dataId: object): void;
    };
    const { device } = backend;
    if (device === undefined || backend.uploadToGPU === undefined) return null;
    const solver = webGpuEigensolver(device);
    return {
      unsupported: (n: number) => solver.unsupported(n),
      async solve(a: T, n: number, options: DeviceEigenOptions) {
        backend.uploadToGPU!(a.dataId);
        // A copy of a's buffer (the solver overwrites its input), queued after pending work.
        const copy = a.dataToGPU();
        try {
          const result = await solver.solve(copy.buffer as unknown as GpuBuffer, n, options);
          readbackCount += result.reads;
          // A tfjs tensor from the solver's buffer: tfjs copies it on the device (queued after
          // the solver's work), so the rows need not be uploaded again for γ.
          const buffer = result.vectorsBuffer as unknown as GPUData['buffer'];
          const vectorsTensor =
            result.m > 0 ? tf.tensor({ buffer }, [result.m, n], 'float32') : null;
          return { ...result, vectorsTensor };
        } finally {
          copy.tensorRef.dispose();
        }
      },
    };
  },

  // ---- memory
  // tf.tidy accepts any TensorContainer-returning function; R is generic here (it may be a
  // plain object of tensors), which tfjs's own typing cannot express.
  tidy: <R>(fn: () => R): R => tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as R,
  dispose: (t) => tf.dispose(t),
  keep: (t) => tf.keep(t),

  // ---- elementwise
  add: (a, b) => tf.add(a, b),
  sub: (a, b) => tf.sub(a, b),
  mul: (a, b) => tf.mul(a, b),
  div: (a, b) => tf.div(a, b),
  scale: (a, s) => (fusedElementwiseApplies(a) ? fusedScale(a, s) : tf.mul(a, tf.scalar(s))),
  addScalar: (a, s) =>
    fusedElementwiseApplies(a) ? fusedAffine(a, 1, s) : tf.add(a, tf.scalar(s)),
  axpby: (a, alpha, b, beta) =>
    fusedElementwiseApplies(a, b)
      ? fusedAxpby(a, alpha, b, beta)
      : tf.tidy(() => tf.add(scaledBy(a, alpha), scaledBy(b, beta))),
  neg: (a) => tf.neg(a),
  exp: (a) => tf.exp(a),
  log: (a) => tf.log(a),
  sqrt: (a) => tf.sqrt(a),
  square: (a) => tf.square(a),
  abs: (a) => tf.abs(a),
  maximum: (a, b) => tf.maximum(a, b),
  relu: (a) => tf.relu(a),
  sigmoid: (a) => tf.sigmoid(a),
  tanh: (a) => tf.tanh(a),
  // tf.step(x) is 1 where x > 0, else 0 (x - t > 0 exactly when x > t); on wasm it is ~5x
  // faster than a comparison and a cast. (Unlike Greater, it keeps NaN as NaN on cpu.)
  stepMask,
  mulStepMask: (v, x, threshold) =>
    fusedElementwiseApplies(v, x, true)
      ? fusedStepMul(v, x, threshold)
      : tf.tidy(() => tf.mul(v, stepMask(x, threshold))),
  where,
  gramBlock: (deltas, inputGram, vectorsA, vectorsB, withBias, prev) =>
    fusedGramBlockApplies(deltas, inputGram, vectorsA, vectorsB, prev)
      ? fusedGramBlock(deltas, inputGram, vectorsA, vectorsB, withBias, prev)
      : tf.tidy(() => {
          const [rows, cols] = deltas.shape;
          const [na, nb] = inputGram.shape;
          const g = withBias ? tf.add(inputGram, 1) : inputGram;
          const block = tf.reshape(
            tf.mul(tf.reshape(deltas, [na, vectorsA, nb, vectorsB]), tf.reshape(g, [na, 1, nb, 1])),
            [rows, cols],
          );
          return prev === null ? block : tf.add(prev, block);
        }),

  // ---- reductions
  sum: (a, axes, keepDims = false) => tf.sum(a, axes, keepDims),
  max: (a, axes, keepDims = false) => tf.max(a, axes, keepDims),
  argMax: (a, axis) => tf.cast(tf.argMax(a, axis), 'float32'),
  logSumExp: (a, axis, keepDims = false) => tf.logSumExp(a, axis, keepDims),
  softmax(a, axis) {
    const last = a.rank - 1;
    if (axis === last || axis === -1) return tf.softmax(a);
    return tf.exp(tf.sub(a, tf.logSumExp(a, axis, true)));
  },

  // ---- shape
  reshape: (a, shape) => tf.reshape(a, [...shape]),
  transpose: (a, perm) => tf.transpose(a, perm),
  slice: (a, begin, size) => tf.slice(a, begin, size),
  concat: (list, axis) => tf.concat(list, axis),
  pad,
  gather: (a, indices, axis) => tf.gather(a, tf.tensor1d(Int32Array.from(indices), 'int32'), axis),
  oneHot: (indices, depth) =>
    tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(indices), 'int32'), depth), 'float32'),

  // ---- linear algebra
  matMul,
  matMulBias: (x, w, bias) => tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias }),

  // ---- images (NHWC)
  conv2d(x, w, win) {
    const [pt, pb, pl, pr] = win.pad;
    return tf.conv2d(
      as4d(x, 'conv2d'),
      as4d(w, 'conv2d'),
      win.stride,
      explicitPads(pt, pb, pl, pr),
    );
  },

  conv2dInputGrad(dy, w, inputShape, win) {
    const w4 = as4d(w, 'conv2dInputGrad');
    // Flip the kernel spatially and swap its channel axes: [kh,kw,Cin,Cout] -> [kh,kw,Cout,Cin].
    const flipped = tf.transpose(tf.reverse(w4, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return transposedWindow(
      as4d(dy, 'conv2dInputGrad'),
      inputShape[1],
      inputShape[2],
      win,
      (padded, pads) => tf.conv2d(padded, flipped, 1, pads),
    );
  },

  conv2dWeightGrad(x, dy, win) {
    const x4 = as4d(x, 'conv2dWeightGrad');
    const dy4 = as4d(dy, 'conv2dWeightGrad');
    const [kh, kw] = win.kernel;
    const [n, , , cin] = x4.shape;
    const [, ho, wo, cout] = dy4.shape;
    // Two routes to dW[i,j,c,o] = Σ_{n,y,x} xpad[n, y*sh+i, x*sw+j, c] dy[n,y,x,o]. Measured on
    // wasm: im2col + one matMul wins when patches are narrow (kh*kw*Cin <= Cout, typically a
    // first layer on few channels); otherwise a convolution with batch and channels swapped,
    // which never materializes the patches.
    if (kh * kw * cin <= cout) {
      const patches = tf.reshape(unfoldPatches(x4, win), [n * ho * wo, kh * kw * cin]);
      const g = tf.reshape(dy4, [n * ho * wo, cout]);
      return tf.reshape(matMul(patches, g, true, false), [kh, kw, cin, cout]);
    }
    return weightGradBySwappedConv(x4, dy4, win);
  },

  unfold: (x, win) => unfoldPatches(as4d(x, 'unfold'), win),

  maxPool(x, win) {
    const x4 = as4d(x, 'maxPool');
    const [, h, w] = x4.shape;
    const [, kw] = win.kernel;
    const [sh, sw] = win.stride;
    const [pt, pb, pl, pr] = win.pad;
    // The window elements come from the one-hot depthwise convolution (exact: every output
    // is one input times 1 plus zeros). wasm's own MaxPoolWithArgmax kernel returns wrong
    // indexes in tfjs 4.22, so the argmax is taken here. Padding is the lowest float32
    // rather than -inf, which the convolution would turn into NaN (0 * -inf).
    const xp =
      pt + pb + pl + pr > 0
        ? (tf.pad(x4, explicitPads(pt, pb, pl, pr), LOWEST_FLOAT32) as tf.Tensor4D)
        : x4;
    const patches = windowPatches(xp, win, 'valid');
    const [, ho, wo] = patches.shape;
    const out = tf.max(patches, 4);
    // First maximum in row-major window order: position m = i*kw + j, which at output (y, x)
    // is input element (y*sh + i - pt)*W + (x*sw + j - pl). Index arithmetic stays in
    // float32 (exact below 2^24): wasm's int32 broadcasting and gather are ~50x slower.
    const m = tf.cast(tf.argMax(patches, 4), 'float32');
    const i = kw === 1 ? m : tf.floor(tf.div(m, tf.scalar(kw)));
    const j = kw === 1 ? null : tf.sub(m, tf.mul(i, tf.scalar(kw)));
    const corners = constant(`corners ${ho} ${wo} ${sh} ${sw} ${pt} ${pl} ${w}`, () => {
      const values = new Float32Array(ho * wo);
      for (let y = 0; y < ho; y++) {
        for (let xx = 0; xx < wo; xx++) values[y * wo + xx] = (y * sh - pt) * w + xx * sw - pl;
      }
      return tf.tensor4d(values, [1, ho, wo, 1]);
    });
    const within = j ? tf.add(tf.mul(i, tf.scalar(w)), j) : tf.mul(i, tf.scalar(w));
    // Clamped so that NaN or -inf inputs (a diverged run), where a padding cell can win,
    // still route gradients inside the sample rather than out of bounds.
    const argmax = tf.clipByValue(tf.add(within, corners), 0, h * w - 1);
    return { out, argmax };
  },

  maxPoolInputGrad(dy, argmax, inputShape) {
    const dy4 = as4d(dy, 'maxPoolInputGrad');
    const [n, h, w, c] = inputShape;
    // Scatter-add dy to flat indices (n*H*W + plane)*C + c of [N,H,W,C] (adding where
    // overlapping windows pick the same element). The indices are computed in float32,
    // exact below 2^24, so the batch is scattered in chunks that stay below that.
    const perSample = h * w * c;
    const chunk = Math.max(1, Math.floor(FLOAT32_EXACT_INT / perSample));
    const channel = constant(`channels ${c}`, () =>
      tf.reshape(tf.range(0, c, 1, 'float32'), [1, 1, 1, c]),
    );
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < n; start += chunk) {
      const size = Math.min(chunk, n - start);
      const a = size === n ? argmax : tf.slice(argmax, start, size);
      const g = size === n ? dy4 : tf.slice(dy4, start, size);
      const sample = constant(`samples ${size} ${h * w}`, () =>
        tf.reshape(tf.range(0, size * h * w, h * w, 'float32'), [size, 1, 1, 1]),
      );
      const flat = tf.add(tf.mul(tf.add(a, sample), tf.scalar(c)), channel);
      const scattered = tf.scatterND(
        tf.reshape(tf.cast(flat, 'int32'), [-1, 1]),
        tf.reshape(g, [-1]),
        [size * perSample],
      );
      parts.push(tf.reshape(scattered, [size, h, w, c]));
    }
    return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  },

  avgPool(x, win) {
    const x4 = as4d(x, 'avgPool');
    const [kh, kw] = win.kernel;
    const [pt, pb, pl, pr] = win.pad;
    // A depthwise convolution with a constant kernel counts zero padding in the divisor
    // (PyTorch's count_include_pad), which tf.avgPool does not.
    const kernel = constant(
      `average ${kh} ${kw} ${x4.shape[3]}`,
      () => tf.fill([kh, kw, x4.shape[3], 1], 1 / (kh * kw)) as tf.Tensor4D,
    ) as tf.Tensor4D;
    return tf.depthwiseConv2d(x4, kernel, win.stride, explicitPads(pt, pb, pl, pr));
  },

  avgPoolInputGrad(dy, inputShape, win) {
    const dy4 = as4d(dy, 'avgPoolInputGrad');
    const [kh, kw] = win.kernel;
    const kernel = constant(
      `average ${kh} ${kw} ${dy4.shape[3]}`,
      () => tf.fill([kh, kw, dy4.shape[3], 1], 1 / (kh * kw)) as tf.Tensor4D,
    ) as tf.Tensor4D;
    return transposedWindow(dy4, inputShape[1], inputShape[2], win, (padded, pads) =>
      tf.depthwiseConv2d(padded, kernel, 1, pads),
    );
  },
};
