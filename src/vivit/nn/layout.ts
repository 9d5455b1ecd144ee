// Between PyTorch layouts (the engine's boundary: definitions, interop files, users' weights)
// and the engine's (images NHWC, tfjs's convolution layouts).

import type { Ops } from '../tensor/ops';

/** Per-sample engine shape for a PyTorch per-sample shape: images [C,H,W] -> [H,W,C]. */
export function engineShape(torchShape: readonly number[]): number[] {
  if (torchShape.length === 3) {
    const [c, h, w] = torchShape;
    return [h, w, c];
  }
  return [...torchShape];
}

/** A batch in PyTorch layout ([N,C,H,W] or [N,...]) -> engine layout ([N,H,W,C] or same). */
export function batchToEngine<T>(ops: Ops<T>, x: T): T {
  const shape = ops.shape(x);
  if (shape.length !== 4) return x;
  const [n, c, h, w] = shape;
  // One channel (or one pixel): both layouts have the same memory order.
  if (c === 1 || h * w === 1) return ops.reshape(x, [n, h, w, c]);
  return ops.transpose(x, [0, 2, 3, 1]);
}

/** A batch in engine layout -> PyTorch layout. */
export function batchToTorch<T>(ops: Ops<T>, x: T): T {
  const shape = ops.shape(x);
  if (shape.length !== 4) return x;
  const [n, h, w, c] = shape;
  if (c === 1 || h * w === 1) return ops.reshape(x, [n, c, h, w]);
  return ops.transpose(x, [0, 3, 1, 2]);
}

/** Row-major array of `shape` permuted like a transpose: out.shape[i] = shape[perm[i]]. */
export function permute(
  data: ArrayLike<number>,
  shape: readonly number[],
  perm: readonly number[],
): Float64Array {
  const rank = shape.length;
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) {
    throw new Error(`permute: ${data.length} values do not fill shape [${shape.join(', ')}]`);
  }
  const out = new Float64Array(size);
  const strides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const outShape = perm.map((p) => shape[p]);
  const inStrideForOut = perm.map((p) => strides[p]);
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let k = 0; k < size; k++) {
    out[k] = data[src];
    // Advance the output multi-index (row-major), tracking the source offset.
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      src += inStrideForOut[d];
      if (index[d] < outShape[d]) break;
      src -= inStrideForOut[d] * outShape[d];
      index[d] = 0;
    }
  }
  return out;
}

/** The permutation undoing `perm`. */
export function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}
