// Mapping Gram-space vectors to parameter space through V without forming V: a coefficient
// row c ∈ R^{N_S·M} stands for V c = Σ_i c_i v_i, and each layer's `apply` contracts it with
// the kept curvature stack at its output (linear layers never materialize V's columns).
// Eigenvectors e_k = V ẽ_k / √λ_k (paper Eq. 5) and Newton steps (one combined row, paper
// §2.3) both go through here. The 1/√N_S of V is part of the coefficients.

import type { Cache } from '../nn/layer';
import { inversePermutation, permute } from '../nn/layout';
import type { Network } from '../nn/network';
import type { Ops } from '../tensor/ops';
import type { ParamGroup } from './groups';
import { layerParamOffsets } from './sweep';
import { readAll } from '../tensor/read';

export interface LiftContext<T> {
  ops: Ops<T>;
  network: Network;
  params: readonly T[];
  caches: readonly Cache<T>[];
  /** Curvature stacks at the output of the group's layers (from the sweep). */
  stacks: ReadonlyMap<number, T>;
  ggnSamples: readonly number[] | null;
}

/**
 * V c for each of `rows` coefficient rows (row-major rows × cols, cols = N_S·M), restricted to
 * the group's parameters: one tensor per group parameter, [rows, ...engine shape].
 */
export function liftRows<T>(
  ctx: LiftContext<T>,
  group: ParamGroup,
  coeff: Float64Array,
  rows: number,
  cols: number,
): T[] {
  const { ops, network } = ctx;
  const offsets = layerParamOffsets(network);
  const c = ops.fromArray(coeff, [rows, cols]);
  const byParam = new Map<number, T>();
  const keep = new Set(group.params);
  try {
    // One tidy scope per layer, so that a layer's intermediates are freed before the next.
    for (const layerIndex of group.layers) {
      const layer = network.layers[layerIndex];
      const stack = ctx.stacks.get(layerIndex);
      if (!layer.curvature || stack === undefined) {
        throw new Error(`no curvature stack was kept for model[${layerIndex}]`);
      }
      const curvature = layer.curvature;
      const perParam = ops.tidy(() =>
        curvature.apply(
          ops,
          network.layerParams(ctx.params, layerIndex),
          ctx.caches[layerIndex],
          stack,
          ctx.ggnSamples,
          c,
        ),
      );
      perParam.forEach((t, k) => {
        const p = offsets[layerIndex] + k;
        if (keep.has(p)) byParam.set(p, t);
        else ops.dispose(t);
      });
    }
  } finally {
    ops.dispose(c);
  }
  return group.params.map((p) => {
    const t = byParam.get(p);
    if (t === undefined) throw new Error(`apply returned nothing for parameter ${p}`);
    return t;
  });
}

/** Rows of an engine-layout tensor [rows, ...engine shape] of parameter `p`, each as a
 *  PyTorch-layout Float64Array. */
export async function torchRows<T>(
  ops: Ops<T>,
  network: Network,
  p: number,
  t: T,
  rows: number,
): Promise<Float64Array[]> {
  return torchRowsOf(network, p, await ops.read(t), rows);
}

/** `torchRows` of many parameters' tensors, read back in one round trip. */
export async function torchRowsAll<T>(
  ops: Ops<T>,
  network: Network,
  params: readonly number[],
  tensors: readonly T[],
  rows: number,
): Promise<Float64Array[][]> {
  const data = await readAll(ops, tensors);
  return params.map((p, i) => torchRowsOf(network, p, data[i], rows));
}

/** Rows of parameter `p`'s engine-layout values as PyTorch-layout arrays. */
function torchRowsOf(
  network: Network,
  p: number,
  data: Float32Array | Float64Array,
  rows: number,
): Float64Array[] {
  const spec = network.params[p];
  const per = spec.shape.reduce((a, b) => a * b, 1);
  const back = inversePermutation(spec.toEngine);
  const identity = back.every((v, i) => v === i);
  const out: Float64Array[] = [];
  for (let r = 0; r < rows; r++) {
    const row = data.subarray(r * per, (r + 1) * per);
    out.push(identity ? Float64Array.from(row) : permute(row, spec.shape, back));
  }
  return out;
}

/** Per tensor of [rows, ...] and per row, the largest and the smallest entry (computed where
 *  the tensors live; 2·rows numbers per tensor come back, all in one read). */
export async function rowExtremes<T>(
  ops: Ops<T>,
  tensors: readonly T[],
  rows: number,
): Promise<{ max: Float64Array; min: Float64Array }[]> {
  const both = ops.tidy(() =>
    tensors.map((t) => {
      const flat = ops.reshape(t, [rows, sizeOfRest(ops.shape(t))]);
      return ops.concat([ops.max(flat, [1]), ops.neg(ops.max(ops.neg(flat), [1]))], 0);
    }),
  );
  let values: (Float32Array | Float64Array)[];
  try {
    values = await readAll(ops, both);
  } finally {
    ops.dispose(both);
  }
  return values.map((v) => ({
    max: Float64Array.from(v.subarray(0, rows)),
    min: Float64Array.from(v.subarray(rows, 2 * rows)),
  }));
}

function sizeOfRest(shape: readonly number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}
