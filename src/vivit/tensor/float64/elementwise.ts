// Elementwise float64 ops: unary maps and NumPy-broadcasting n-ary maps.

import { Float64Tensor, fmt, sizeOf, stridesOf, stridedOffsets } from './tensor';

export function mapUnary(a: Float64Tensor, f: (x: number) => number): Float64Tensor {
  const src = a.data;
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
  return new Float64Tensor(out, a.shape);
}

/** NumPy broadcast of several shapes (right-aligned; each axis equal or 1). */
export function broadcastShapes(shapes: (readonly number[])[], op: string): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (let d = 1; d <= rank; d++) {
    for (const s of shapes) {
      const n = d <= s.length ? s[s.length - d] : 1;
      const cur = out[rank - d];
      if (n === cur || n === 1) continue;
      if (cur === 1) out[rank - d] = n;
      else {
        throw new Error(
          `${op}: shapes ${shapes.map(fmt).join(' and ')} cannot be broadcast ` +
            `(axis ${-d}: ${cur} vs ${n})`,
        );
      }
    }
  }
  return out;
}

/** For each element of `outShape`, the offset of the element of `inShape` broadcast onto it. */
function broadcastOffsets(inShape: readonly number[], outShape: number[]): Uint32Array {
  const inStrides = stridesOf(inShape);
  const lead = outShape.length - inShape.length;
  const strides = outShape.map((_n, d) => {
    const k = d - lead;
    return k < 0 || inShape[k] === 1 ? 0 : inStrides[k];
  });
  return stridedOffsets(outShape, strides);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, d) => n === b[d]);
}

export function mapBinary(
  a: Float64Tensor,
  b: Float64Tensor,
  f: (x: number, y: number) => number,
  op: string,
): Float64Tensor {
  const x = a.data;
  const y = b.data;
  if (sameShape(a.shape, b.shape)) {
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = f(x[i], y[i]);
    return new Float64Tensor(out, a.shape);
  }
  const shape = broadcastShapes([a.shape, b.shape], op);
  const out = new Float64Array(sizeOf(shape));
  if (b.size === 1 && sameShape(shape, a.shape)) {
    const s = y[0];
    for (let i = 0; i < out.length; i++) out[i] = f(x[i], s);
  } else if (a.size === 1 && sameShape(shape, b.shape)) {
    const s = x[0];
    for (let i = 0; i < out.length; i++) out[i] = f(s, y[i]);
  } else {
    const oa = broadcastOffsets(a.shape, shape);
    const ob = broadcastOffsets(b.shape, shape);
    for (let i = 0; i < out.length; i++) out[i] = f(x[oa[i]], y[ob[i]]);
  }
  return new Float64Tensor(out, shape);
}

/** mask != 0 ? a : b, all three broadcast together. */
export function where(mask: Float64Tensor, a: Float64Tensor, b: Float64Tensor): Float64Tensor {
  const shape = broadcastShapes([mask.shape, a.shape, b.shape], 'where');
  const om = broadcastOffsets(mask.shape, shape);
  const oa = broadcastOffsets(a.shape, shape);
  const ob = broadcastOffsets(b.shape, shape);
  const m = mask.data;
  const x = a.data;
  const y = b.data;
  const out = new Float64Array(om.length);
  for (let i = 0; i < out.length; i++) out[i] = m[om[i]] !== 0 ? x[oa[i]] : y[ob[i]];
  return new Float64Tensor(out, shape);
}

/** Logistic function without overflow: exp is only taken of non-positive arguments. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
