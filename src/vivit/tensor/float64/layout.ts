// Shape ops: reshape, transpose, slice, concat, pad, gather, oneHot.

import type { Shape } from '../ops';
import {
  Float64Tensor,
  aroundAxis,
  checkShape,
  fmt,
  normalizeAxis,
  sizeOf,
  stridedOffsets,
  stridesOf,
} from './tensor';

function gatherOffsets(src: Float64Array, offsets: Uint32Array): Float64Array {
  const out = new Float64Array(offsets.length);
  for (let i = 0; i < out.length; i++) out[i] = src[offsets[i]];
  return out;
}

/**
 * Reshape; at most one axis may be -1 and is inferred. Shares the data array with its input:
 * O(1), and safe because no op ever writes into an existing tensor.
 */
export function reshape(a: Float64Tensor, shape: Shape): Float64Tensor {
  const inferred = shape.indexOf(-1);
  let resolved = [...shape];
  if (inferred >= 0) {
    if (shape.indexOf(-1, inferred + 1) >= 0) {
      throw new Error(`reshape: ${fmt(shape)} has more than one -1`);
    }
    const known = sizeOf(shape.filter((_, d) => d !== inferred));
    if (known === 0 || a.size % known !== 0) {
      throw new Error(`reshape: cannot infer the -1 in ${fmt(shape)} for ${a.size} elements`);
    }
    resolved = shape.map((n, d) => (d === inferred ? a.size / known : n));
  }
  checkShape(resolved, 'reshape');
  if (sizeOf(resolved) !== a.size) {
    throw new Error(
      `reshape: cannot reshape ${fmt(a.shape)} (${a.size} elements) to ${fmt(shape)}`,
    );
  }
  return new Float64Tensor(a.data, resolved);
}

export function transpose(a: Float64Tensor, perm: number[]): Float64Tensor {
  const rank = a.rank;
  const seen = new Array<boolean>(rank).fill(false);
  if (perm.length !== rank) {
    throw new Error(`transpose: permutation ${fmt(perm)} does not have rank ${rank}`);
  }
  for (const p of perm) {
    if (!Number.isInteger(p) || p < 0 || p >= rank || seen[p]) {
      throw new Error(`transpose: ${fmt(perm)} is not a permutation of 0..${rank - 1}`);
    }
    seen[p] = true;
  }
  const inStrides = stridesOf(a.shape);
  const outShape = perm.map((p) => a.shape[p]);
  const offsets = stridedOffsets(
    outShape,
    perm.map((p) => inStrides[p]),
  );
  return new Float64Tensor(gatherOffsets(a.data, offsets), outShape);
}

/** size[d] = -1 means "to the end of axis d" (as in tfjs). */
export function slice(a: Float64Tensor, begin: number[], size: number[]): Float64Tensor {
  if (begin.length !== a.rank || size.length !== a.rank) {
    throw new Error(
      `slice: begin ${fmt(begin)} and size ${fmt(size)} must both have rank ${a.rank}`,
    );
  }
  const resolved = size.map((n, d) => (n === -1 ? a.shape[d] - begin[d] : n));
  for (let d = 0; d < a.rank; d++) {
    const b = begin[d];
    const n = resolved[d];
    if (!Number.isInteger(b) || !Number.isInteger(n) || b < 0 || n < 0 || b + n > a.shape[d]) {
      throw new Error(
        `slice: begin ${fmt(begin)} size ${fmt(size)} leaves ${fmt(a.shape)} at axis ${d}`,
      );
    }
  }
  const strides = stridesOf(a.shape);
  let base = 0;
  for (let d = 0; d < a.rank; d++) base += begin[d] * strides[d];
  const offsets = stridedOffsets(resolved, strides, base);
  return new Float64Tensor(gatherOffsets(a.data, offsets), resolved);
}

export function concat(list: Float64Tensor[], axis: number): Float64Tensor {
  if (list.length === 0) throw new Error('concat: needs at least one tensor');
  const first = list[0];
  const ax = normalizeAxis(axis, first.rank, 'concat');
  for (const [i, t] of list.entries()) {
    const fits = t.rank === first.rank && t.shape.every((n, d) => d === ax || n === first.shape[d]);
    if (!fits) {
      throw new Error(
        `concat: tensor ${i} has shape ${fmt(t.shape)}, which does not match ` +
          `${fmt(first.shape)} outside axis ${ax}`,
      );
    }
  }
  const total = list.reduce((s, t) => s + t.shape[ax], 0);
  const outShape = first.shape.map((n, d) => (d === ax ? total : n));
  const [outer, , inner] = aroundAxis(outShape, ax);
  const out = new Float64Array(sizeOf(outShape));
  const rowLen = total * inner; // elements per outer index in the output
  let start = 0;
  for (const t of list) {
    const chunk = t.shape[ax] * inner;
    for (let o = 0; o < outer; o++) {
      out.set(t.data.subarray(o * chunk, (o + 1) * chunk), o * rowLen + start);
    }
    start += chunk;
  }
  return new Float64Tensor(out, outShape);
}

export function pad(a: Float64Tensor, paddings: [number, number][], value = 0): Float64Tensor {
  if (paddings.length !== a.rank) {
    throw new Error(`pad: ${paddings.length} paddings given for a rank-${a.rank} tensor`);
  }
  for (const [d, [before, after]] of paddings.entries()) {
    if (![before, after].every((p) => Number.isInteger(p) && p >= 0)) {
      throw new Error(`pad: padding [${before}, ${after}] at axis ${d} must be integers >= 0`);
    }
  }
  const outShape = a.shape.map((n, d) => n + paddings[d][0] + paddings[d][1]);
  const out = new Float64Array(sizeOf(outShape)).fill(value);
  const outStrides = stridesOf(outShape);
  let base = 0;
  for (let d = 0; d < a.rank; d++) base += paddings[d][0] * outStrides[d];
  // where each input element lands in the output
  const targets = stridedOffsets(a.shape, outStrides, base);
  const x = a.data;
  for (let i = 0; i < x.length; i++) out[targets[i]] = x[i];
  return new Float64Tensor(out, outShape);
}

function checkIndex(v: number, limit: number, op: string, at: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= limit) {
    throw new Error(`${op}: index ${v} at position ${at} is not an integer in [0, ${limit})`);
  }
}

export function gather(a: Float64Tensor, indices: ArrayLike<number>, axis: number): Float64Tensor {
  const ax = normalizeAxis(axis, a.rank, 'gather');
  const [outer, len, inner] = aroundAxis(a.shape, ax);
  const m = indices.length;
  const out = new Float64Array(outer * m * inner);
  const x = a.data;
  for (let j = 0; j < m; j++) checkIndex(indices[j], len, 'gather', j);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const from = (o * len + indices[j]) * inner;
      out.set(x.subarray(from, from + inner), (o * m + j) * inner);
    }
  }
  return new Float64Tensor(
    out,
    a.shape.map((n, d) => (d === ax ? m : n)),
  );
}

/** [n] class indices -> [n, depth]; an index outside [0, depth) is an error, not a zero row. */
export function oneHot(indices: ArrayLike<number>, depth: number): Float64Tensor {
  if (!Number.isInteger(depth) || depth < 1) {
    throw new Error(`oneHot: depth ${depth} must be a positive integer`);
  }
  const n = indices.length;
  const out = new Float64Array(n * depth);
  for (let i = 0; i < n; i++) {
    checkIndex(indices[i], depth, 'oneHot', i);
    out[i * depth + indices[i]] = 1;
  }
  return new Float64Tensor(out, [n, depth]);
}
