// Stacks of backpropagated vectors, [M, N, ...per-sample] in engine layout: M vectors for each
// of N samples, where the N samples are rows `samples` of the batch the layer caches were made
// from (curvature sub-sampling; null = the whole cached batch, in order). Shared by every
// layer's jacTMatProd and by the parameterized layers' curvature products.

import type { Ops } from '../tensor/ops';

export interface StackDims {
  /** Vectors per sample. */
  m: number;
  /** Samples in the stack. */
  n: number;
  /** Per-sample shape (engine layout). */
  rest: number[];
}

/** Reads [M, N, ...rest] and checks it against the per-sample shape a layer expects and,
 *  when given, the cached batch size (with `samples` naming the stack's rows in it). */
export function stackDims<T>(
  ops: Ops<T>,
  v: T,
  perSample: readonly number[],
  samples: readonly number[] | null,
  cachedN: number | null,
  where: string,
): StackDims {
  const shape = ops.shape(v);
  const [m, n, ...rest] = shape;
  const expected = `[M, N, ${perSample.join(', ')}]`;
  if (
    shape.length !== perSample.length + 2 ||
    !rest.every((d, i) => d === perSample[i]) ||
    !(m > 0 && n > 0)
  ) {
    throw new Error(`${where}: expected a stack ${expected}, got [${shape.join(', ')}]`);
  }
  if (samples) {
    if (samples.length !== n) {
      throw new Error(
        `${where}: the stack has ${n} samples but ${samples.length} sample indices were given`,
      );
    }
    if (cachedN !== null) {
      const bad = samples.find((s) => !Number.isInteger(s) || s < 0 || s >= cachedN);
      if (bad !== undefined) {
        throw new Error(`${where}: sample index ${bad} is outside the cached batch of ${cachedN}`);
      }
    }
  } else if (cachedN !== null && n !== cachedN) {
    throw new Error(
      `${where}: the stack has ${n} samples but the cached batch has ${cachedN}; ` +
        'pass the sample indices when sub-sampling',
    );
  }
  return { m, n, rest };
}

/** [M, N, ...rest] -> [M·N, ...rest]: the stack as one batch (row m·N + n). */
export function foldStack<T>(ops: Ops<T>, v: T, d: StackDims): T {
  return ops.reshape(v, [d.m * d.n, ...d.rest]);
}

/** [M·N, ...rest] -> [M, N, ...rest]. */
export function unfoldStack<T>(ops: Ops<T>, t: T, m: number, n: number): T {
  const [, ...rest] = ops.shape(t);
  return ops.reshape(t, [m, n, ...rest]);
}

/** The cached rows the stack's samples refer to. */
export function cachedRows<T>(ops: Ops<T>, t: T, samples: readonly number[] | null): T {
  return samples ? ops.gather(t, samples, 0) : t;
}

/** A per-sample cached tensor [N_s, ...] repeated for every vector of the stack, in the folded
 *  order [M·N_s, ...] (row m·N_s + n), for layers whose backward reads the cache per row. */
export function repeatRows<T>(ops: Ops<T>, t: T, m: number): T {
  return m === 1 ? t : ops.concat(new Array<T>(m).fill(t), 0);
}

/** Stack [M, N, ...rest] in sample-major rows [N·M, ...rest] (row n·M + m, V's column order). */
export function sampleMajor<T>(ops: Ops<T>, v: T, d: StackDims): T {
  const flat = ops.reshape(v, [d.m, d.n, d.rest.reduce((a, b) => a * b, 1)]);
  const t = d.m === 1 || d.n === 1 ? flat : ops.transpose(flat, [1, 0, 2]);
  return ops.reshape(t, [d.n * d.m, ...d.rest]);
}

/** jacTMatProd of an elementwise layer: v ⊙ f'(cached rows), the derivative [N_s, ...]
 *  broadcast over the stack's M vectors (never repeated in memory). */
export function scaleStack<T>(
  ops: Ops<T>,
  v: T,
  cached: T,
  samples: readonly number[] | null,
  derivative: (rows: T) => T,
  perSample: readonly number[],
  where: string,
): T {
  stackDims(ops, v, perSample, samples, ops.shape(cached)[0], where);
  return ops.mul(v, derivative(cachedRows(ops, cached, samples)));
}

/** Coefficient-weighted sums of each sample's vectors: a [M, N, ...rest] and coeff [K, N·M]
 *  (columns sample-major, i = n·M + m) -> [N, K, F] with entry Σ_m coeff[k, n·M + m] a[m, n, :]
 *  flattened to F = prod(rest). The per-sample step of mapping Gram-space vectors through V. */
export function combinePerSample<T>(ops: Ops<T>, a: T, d: StackDims, coeff: T, where: string): T {
  const shape = ops.shape(coeff);
  if (shape.length !== 2 || shape[1] !== d.n * d.m) {
    throw new Error(
      `${where}: coefficients must be [K, ${d.n * d.m}] (one per vector of the stack), ` +
        `got [${shape.join(', ')}]`,
    );
  }
  const k = shape[0];
  const f = d.rest.reduce((x, y) => x * y, 1);
  if (d.m === 1) {
    // One vector per sample: a broadcast product instead of N matrix products of inner size 1.
    const c = ops.reshape(ops.transpose(coeff, [1, 0]), [d.n, k, 1]);
    return ops.mul(c, ops.reshape(a, [d.n, 1, f]));
  }
  const c = ops.transpose(ops.reshape(coeff, [k, d.n, d.m]), [1, 0, 2]); // [N, K, M]
  const perSample = ops.transpose(ops.reshape(a, [d.m, d.n, f]), [1, 0, 2]); // [N, M, F]
  return ops.matMul(c, perSample);
}
