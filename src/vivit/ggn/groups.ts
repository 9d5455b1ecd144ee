// Parameter groups (torch.optim style: lists of indices into the network's flat parameter
// list). Each group gets its own diagonal GGN block, Gram matrix and eigenbasis (paper §2.4,
// "parameter groups"); the default is one group holding every parameter (the full GGN).

import type { Network } from '../nn/network';
import { CurvatureInputError } from '../errors';

export interface ParamGroup {
  /** Parameter indices, ascending (the group's flat order: parameters in this order, each
   *  row-major in PyTorch layout — as the curvature-case format writes eigenvectors). */
  params: number[];
  /** Layers owning the group's parameters, ascending. */
  layers: number[];
}

/** One group per layer with parameters (weight and bias together): the layer-wise
 *  block-diagonal GGN. */
export function layerwiseGroups(network: Network): number[][] {
  const byLayer = new Map<number, number[]>();
  network.params.forEach((p, i) => {
    const list = byLayer.get(p.layer) ?? [];
    list.push(i);
    byLayer.set(p.layer, list);
  });
  return [...byLayer.keys()].sort((a, b) => a - b).map((layer) => byLayer.get(layer) ?? []);
}

/** Checks and normalizes `groups` (default: one group of all parameters). */
export function resolveGroups(
  network: Network,
  groups: readonly (readonly number[])[] | null | undefined,
  field = 'options.groups',
): ParamGroup[] {
  const count = network.params.length;
  if (count === 0) throw new CurvatureInputError('model', 'the model has no parameters');
  const lists = groups ?? [network.params.map((_, i) => i)];
  if (!Array.isArray(lists) || lists.length === 0) {
    throw new CurvatureInputError(field, 'must be a non-empty list of lists of parameter indices');
  }
  const seen = new Map<number, string>();
  return lists.map((list, g) => {
    if (!Array.isArray(list) || list.length === 0) {
      throw new CurvatureInputError(
        `${field}[${g}]`,
        'must be a non-empty list of parameter indices',
      );
    }
    list.forEach((p, k) => {
      const where = `${field}[${g}][${k}]`;
      if (!Number.isInteger(p) || p < 0 || p >= count) {
        throw new CurvatureInputError(
          where,
          `${String(p)} is not a parameter index (the model has ${count} parameters, 0..${count - 1})`,
        );
      }
      const earlier = seen.get(p);
      if (earlier !== undefined) {
        throw new CurvatureInputError(where, `parameter ${p} is already in ${earlier}`);
      }
      seen.set(p, `${field}[${g}]`);
    });
    const params = [...list].sort((a, b) => a - b);
    const layers = [...new Set(params.map((p) => network.params[p].layer))].sort((a, b) => a - b);
    return { params, layers };
  });
}
