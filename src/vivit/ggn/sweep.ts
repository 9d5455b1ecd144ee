// One backward sweep over a network's forward caches that carries two stacks down together:
//  - the gradient signal dy = ∇_f L (the mean loss's output gradient, [N, ...]) through each
//    layer's ordinary `backward`, which yields the mean gradient over the WHOLE batch; its rows
//    (times N) are the per-sample gradients g_n's output-side factors;
//  - the curvature stack S = [M, N_S, ...] of loss-Hessian factor vectors through
//    `jacTMatProd` (paper §2.3: V's columns are backpropagated vectors J_nᵀ s_nm).
// At each layer with parameters in a group, the layer's structured contractions (`gram`) add
// that layer's block to the group's Gram matrix Σ⟨J_pᵀ s_i, J_pᵀ s_j⟩ and to its projections
// Σ⟨J_pᵀ s_i, J_pᵀ dy_n⟩, after which the layer's stack is dropped — unless V must be applied
// later (eigenvectors, Newton steps), in which case it is kept with the forward cache
// ("stage-wise discarding", paper §2.3). Everything here is unscaled sums; the 1/N_S, N/√N_S
// factors of V are applied once on the host (see curvature.ts).

import type { Cache, Layer } from '../nn/layer';
import type { Network } from '../nn/network';
import type { Ops } from '../tensor/ops';
import type { ParamGroup } from './groups';

export interface SweepInput<T> {
  ops: Ops<T>;
  network: Network;
  params: readonly T[];
  caches: readonly Cache<T>[];
  /** ∇_f of the mean loss, [N, ...out] engine layout. Not disposed by the sweep. */
  outputGradient: T;
  /** Loss-Hessian factor stack [M, N_S, ...out]. The sweep takes ownership (disposes it or
   *  hands it back in `stacks`). */
  factor: T;
  /** Batch rows of the stack's N_S samples (null = all, in order). */
  ggnSamples: readonly number[] | null;
  /** Batch rows of the per-sample gradients to project (null = all, in order). */
  gradSamples: readonly number[] | null;
  groups: readonly ParamGroup[];
  /** Accumulate P_raw = Σ_layers gram(S, dy[gradSamples]) per group. */
  projections: boolean;
  /** Accumulate Σ_layers gram(dy[gradSamples], dy[gradSamples]) per group. */
  gradientGram: boolean;
  /** Also return each layer's own Gram block per group. */
  layerGrams: boolean;
  /** Keep the curvature stack at the output of every layer holding a group's parameters. */
  keepStacks: boolean;
}

export interface SweepGroup<T> {
  /** Σ_layers gram(S, S): [n, n], n = M·N_S, index n_s·M + m. */
  gram: T;
  /** Σ_layers gram(S, dy_sub): [n, N_grad] (or null). */
  projections: T | null;
  /** Σ_layers gram(dy_sub, dy_sub): [N_grad, N_grad] (or null). */
  gradientGram: T | null;
  /** Per layer of the group: that layer's gram(S, S). */
  layerGrams: Map<number, T>;
}

export interface SweepOutput<T> {
  /** Mean gradient over the whole batch, per parameter, engine layout. */
  gradient: T[];
  groups: SweepGroup<T>[];
  /** Curvature stack at the output of each kept layer. */
  stacks: Map<number, T>;
  /** Largest total size of the tensors the sweep held between layers (bytes). */
  peakHeldBytes: number;
}

/** Bytes per element of an Ops implementation's tensors. */
export function elementBytes<T>(ops: Ops<T>): number {
  return ops.kind === 'tfjs' ? 4 : 8;
}

/** Index of the first parameter of each layer in the network's flat list (−1: none). */
export function layerParamOffsets(network: Network): number[] {
  const first = network.layers.map(() => -1);
  network.params.forEach((p, i) => {
    if (first[p.layer] < 0) first[p.layer] = i;
  });
  return first;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

interface LayerStep<T> {
  dparams: T[];
  dx?: T;
  next?: T;
  gram: (T | null)[];
  projections: (T | null)[];
  gradientGram: (T | null)[];
  layerGram: (T | null)[];
}

export function backwardSweep<T>(input: SweepInput<T>): SweepOutput<T> {
  const { ops, network, params, caches, groups } = input;
  const layers = network.layers;
  const offsets = layerParamOffsets(network);
  const bytes = elementBytes(ops);
  const size = (t: T | null | undefined) => (t ? sizeOf(ops.shape(t)) * bytes : 0);

  const groupOf = new Int32Array(network.params.length).fill(-1);
  groups.forEach((g, gi) => g.params.forEach((p) => (groupOf[p] = gi)));
  const lowestParamLayer = Math.min(...network.params.map((p) => p.layer));
  const lowestGroupLayer = Math.min(...groups.flatMap((g) => g.layers));
  const groupLayers = new Set(groups.flatMap((g) => g.layers));

  const gradient = new Array<T>(network.params.length);
  const acc: SweepGroup<T>[] = groups.map(() => ({
    gram: null as unknown as T,
    projections: null,
    gradientGram: null,
    layerGrams: new Map<number, T>(),
  }));
  const stacks = new Map<number, T>();
  /** Tensors owned by `layerGrams` (never disposed here). */
  const recorded = new Set<T>();
  let dy = input.outputGradient;
  let stack: T | null = input.factor;
  let peakHeldBytes = 0;

  for (let i = layers.length - 1; i >= lowestParamLayer; i--) {
    const layer = layers[i];
    const layerParams = network.layerParams(params, i);
    const cache = caches[i];
    const curvatureHere = groupLayers.has(i);
    const propagateStack = i > lowestGroupLayer;
    const needInputGrad = i > lowestParamLayer;
    const current: T | null = stack;

    // Separate tidy scopes, so that each product's intermediates are freed before the next.
    const bw = ops.tidy(() => {
      const r = layer.backward(ops, layerParams, cache, dy, needInputGrad);
      return needInputGrad ? { dparams: r.dparams, dx: r.dx } : { dparams: r.dparams };
    });
    const step: LayerStep<T> = {
      dparams: bw.dparams,
      gram: groups.map(() => null),
      projections: groups.map(() => null),
      gradientGram: groups.map(() => null),
      layerGram: groups.map(() => null),
    };
    if (needInputGrad) step.dx = bw.dx;
    if (curvatureHere && current) {
      const curv = requireCurvature(layer, i);
      const s = input.ggnSamples;
      const g = input.gradSamples;
      // All of the layer's parameters in one group, no per-layer block wanted: the layer may sum
      // its blocks into the running sum itself (linear: one fused op), sharing products that
      // depend only on the sample sets between this step's Gram and projections.
      const layerGroups = new Set(
        network.params.flatMap((p, k) => (p.layer === i ? [groupOf[k]] : [])),
      );
      const [onlyGroup] = layerGroups;
      const summed =
        curv.gramSum !== undefined && layerGroups.size === 1 && onlyGroup >= 0 && !input.layerGrams;
      const shared = { key: '', products: new Map<string, T>() };
      const tag = (samples: readonly number[] | null) =>
        samples === null ? '*' : samples === s ? 's' : 'g';
      /** One gram product, summed over each group's parameters of this layer and added to the
       *  group's running sum: per group the new sum and this layer's block. */
      const accumulate = (
        a: T,
        sa: readonly number[] | null,
        b: T,
        sb: readonly number[] | null,
        prev: (T | null)[],
      ) =>
        ops.tidy(() => {
          const blocks: (T | null)[] = groups.map(() => null);
          const sums: (T | null)[] = groups.map(() => null);
          if (summed) {
            shared.key = tag(sa) + tag(sb);
            sums[onlyGroup] = curv.gramSum!(
              ops,
              layerParams,
              cache,
              a,
              sa,
              b,
              sb,
              prev[onlyGroup],
              shared,
            );
            return { blocks, sums };
          }
          const perParam = curv.gram(ops, layerParams, cache, a, sa, b, sb);
          groups.forEach((_, gi) => {
            let block: T | null = null;
            perParam.forEach((t, k) => {
              if (groupOf[offsets[i] + k] !== gi) return;
              block = block === null ? t : ops.add(block, t);
            });
            if (block === null) return;
            blocks[gi] = block;
            const before = prev[gi];
            sums[gi] = before ? ops.add(before, block) : block;
          });
          return { blocks, sums };
        });
      const gram = accumulate(
        current,
        s,
        current,
        s,
        acc.map((a) => a.gram),
      );
      step.gram = gram.sums;
      if (input.layerGrams) step.layerGram = gram.blocks;
      else {
        // Blocks that are not also the running sum are not needed any more.
        gram.blocks.forEach((b, gi) => {
          if (b !== null && b !== gram.sums[gi]) ops.dispose(b);
        });
      }
      if (input.projections || input.gradientGram) {
        const gradStack = ops.tidy(() => {
          const rows = g ? ops.gather(dy, g, 0) : dy;
          const [nRows, ...rest] = ops.shape(rows);
          return ops.reshape(rows, [1, nRows, ...rest]);
        });
        const dropBlocks = (r: { blocks: (T | null)[]; sums: (T | null)[] }) =>
          r.blocks.forEach((b, gi) => {
            if (b !== null && b !== r.sums[gi]) ops.dispose(b);
          });
        if (input.projections) {
          const proj = accumulate(
            current,
            s,
            gradStack,
            g,
            acc.map((a) => a.projections),
          );
          dropBlocks(proj);
          step.projections = proj.sums;
        }
        if (input.gradientGram) {
          const gg = accumulate(
            gradStack,
            g,
            gradStack,
            g,
            acc.map((a) => a.gradientGram),
          );
          dropBlocks(gg);
          step.gradientGram = gg.sums;
        }
        ops.dispose(gradStack);
      }
      ops.dispose([...shared.products.values()]);
    }
    if (propagateStack && current) {
      step.next = ops.tidy(() =>
        layer.jacTMatProd(ops, layerParams, cache, current, input.ggnSamples),
      );
    }

    step.dparams.forEach((t, k) => (gradient[offsets[i] + k] = t));
    groups.forEach((_, gi) => {
      const a = acc[gi];
      const replace = (old: T | null, fresh: T | null): T | null => {
        if (fresh === null) return old;
        // The first layer's block may be both the running sum and that layer's own Gram.
        if (old !== null && !recorded.has(old)) ops.dispose(old);
        return fresh;
      };
      a.gram = replace(a.gram, step.gram[gi]) as T;
      a.projections = replace(a.projections, step.projections[gi]);
      a.gradientGram = replace(a.gradientGram, step.gradientGram[gi]);
      const lg = step.layerGram[gi];
      if (lg !== null) {
        a.layerGrams.set(i, lg);
        recorded.add(lg);
      }
    });
    if (dy !== input.outputGradient) ops.dispose(dy);
    if (step.dx !== undefined) dy = step.dx;
    if (current && curvatureHere && input.keepStacks) stacks.set(i, current);
    else if (current) ops.dispose(current);
    stack = step.next ?? null;

    // What stays allocated between layers: the two signals, the accumulators, kept stacks,
    // the gradient so far.
    let held = size(stack) + (needInputGrad ? size(dy) : 0);
    for (const a of acc) {
      held += size(a.gram) + size(a.projections) + size(a.gradientGram);
      for (const t of a.layerGrams.values()) held += size(t);
    }
    for (const t of stacks.values()) held += size(t);
    for (const t of gradient) held += size(t);
    peakHeldBytes = Math.max(peakHeldBytes, held);
  }
  if (dy !== input.outputGradient) ops.dispose(dy);
  if (stack) ops.dispose(stack);

  groups.forEach((g, gi) => {
    if (acc[gi].gram === null) {
      throw new Error(
        `parameter group ${gi} (params ${g.params.join(', ')}) received no Gram block`,
      );
    }
  });
  return { gradient, groups: acc, stacks, peakHeldBytes };
}

function requireCurvature(layer: Layer, index: number) {
  if (!layer.curvature) {
    throw new Error(
      `model[${index}] (${layer.spec.type}) has parameters but no curvature products`,
    );
  }
  return layer.curvature;
}
