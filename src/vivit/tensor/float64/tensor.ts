// The float64 tensor value and the shape arithmetic every float64 op shares.

import type { Shape } from '../ops';

/**
 * A dense row-major float64 tensor. Immutable by convention: ops never write into an existing
 * tensor's `data`, and `shape` is frozen. The constructor takes ownership of `data` (no copy),
 * so only ops that just allocated the array should call it; outside code goes through
 * `float64Ops.fromArray`, which copies.
 */
export class Float64Tensor {
  readonly data: Float64Array;
  readonly shape: readonly number[];

  constructor(data: Float64Array, shape: Shape) {
    checkShape(shape, 'Float64Tensor');
    const size = sizeOf(shape);
    if (data.length !== size) {
      throw new Error(
        `Float64Tensor: ${data.length} values do not fill shape [${shape.join(', ')}] (${size} elements)`,
      );
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.data.length;
  }
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides (in elements). */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

export function checkShape(shape: Shape, op: string): void {
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d];
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(`${op}: shape [${shape.join(', ')}] has an invalid size ${n} at axis ${d}`);
    }
  }
}

/** Resolves a possibly negative axis against `rank`, with a message naming the op. */
export function normalizeAxis(axis: number, rank: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(`${op}: axis ${axis} is out of range for a rank-${rank} tensor`);
  }
  return axis < 0 ? axis + rank : axis;
}

export function fmt(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/**
 * For every position of `shape` in row-major order, the offset `base + Σ idx[d]·strides[d]`.
 * The single indexing primitive behind transpose, slice, broadcasting and reductions
 * (a stride of 0 repeats / accumulates along that axis).
 */
export function stridedOffsets(shape: Shape, strides: readonly number[], base = 0): Uint32Array {
  const size = sizeOf(shape);
  const out = new Uint32Array(size);
  const rank = shape.length;
  if (size === 0) return out;
  if (rank === 0) {
    out[0] = base;
    return out;
  }
  const last = rank - 1;
  const n = shape[last];
  const step = strides[last];
  const idx = new Array<number>(rank).fill(0);
  let offset = base; // offset of the first element of the current innermost run
  let k = 0;
  for (;;) {
    for (let j = 0, o = offset; j < n; j++, o += step) out[k++] = o;
    // advance the odometer over the leading axes
    let d = last - 1;
    while (d >= 0) {
      idx[d]++;
      offset += strides[d];
      if (idx[d] < shape[d]) break;
      offset -= strides[d] * shape[d];
      idx[d] = 0;
      d--;
    }
    if (d < 0) return out;
  }
}

/** Splits a shape around `axis` into (outer, length, inner) for axis-wise loops. */
export function aroundAxis(shape: Shape, axis: number): [number, number, number] {
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d];
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d];
  return [outer, shape[axis], inner];
}
