// One curvature step of a training run: computeCurvature on the trainer's live parameters and
// the curvature batch, turned into a compact CurvatureRecord (means and statistics per
// direction; per-sample arrays stay in the worker — only the inspector sends them).
//
// Sign convention: 'gradient' (γ̄_k ≥ 0, e_k points uphill). It is free once the γ are known;
// the 'largest-entry' rule would lift all K directions through V on every curvature step.
import type * as tf from '@tensorflow/tfjs';
import type { CurvatureSpec, LayerSpec } from '../../protocol/definition';
import type { CurvatureGroup, CurvatureRecord } from '../../protocol/records';
import {
  computeCurvature,
  layerwiseGroups,
  type CurvatureOptions,
  type CurvatureQuantity,
  type CurvatureResult,
  type Network,
  type Trainer,
} from '../../vivit';

export interface CurvatureBatchTensors {
  x: tf.Tensor;
  y: tf.Tensor;
  /** Training-set indices of the rows. */
  indices: number[];
}

/** Engine quantities needed for the monitored ones (SNR needs γ and λ, overlap needs γ). */
export function engineQuantities(spec: CurvatureSpec): CurvatureQuantity[] {
  const want = new Set(spec.quantities);
  const out = new Set<CurvatureQuantity>(['eigenvalues']);
  if (want.has('gammas') || want.has('snr') || want.has('overlap')) out.add('gammas');
  if (want.has('lambdas') || want.has('snr')) out.add('lambdas');
  if (want.has('snr')) out.add('snr');
  if (want.has('overlap')) out.add('overlap');
  if (want.has('layer_shares')) out.add('layerShares');
  return [...out];
}

/** Parameter groups of the spec as index lists (null: one group of everything). */
export function parameterGroups(spec: CurvatureSpec, network: Network): number[][] | null {
  return spec.groups === 'per_layer' ? layerwiseGroups(network) : null;
}

/** Seeds the Monte-Carlo draws of one curvature step: fresh per step, reproducible per run,
 *  and separate from every stream the training uses. */
export function curvatureSeed(runSeed: number, step: number): number {
  return (runSeed * 1_000_003 + step) % 2 ** 31;
}

/** Directions whose per-layer shares a curvature record carries (the leading ones): each costs
 *  a product with every layer's n×n Gram block, ~0.5 s for all 1152 at N = 128 exact. */
export const LAYER_SHARE_ROWS = 64;

/** The engine options of a curvature step for `spec`. */
export function curvatureOptions(
  spec: CurvatureSpec,
  network: Network,
  seed: number,
): CurvatureOptions {
  const options: CurvatureOptions = {
    quantities: engineQuantities(spec),
    groups: parameterGroups(spec, network),
    mcSamples: spec.mc_samples,
    seed,
    signs: 'gradient',
    layerSharesCount: LAYER_SHARE_ROWS,
  };
  if (spec.top_k !== undefined) options.topK = spec.top_k;
  return options;
}

/** Layers with parameters (ascending) and their display names, e.g. "model[1] linear". */
export function parameterLayers(
  network: Network,
  model: readonly LayerSpec[],
): { layers: number[]; names: string[] } {
  const layers = [...new Set(network.params.map((p) => p.layer))].sort((a, b) => a - b);
  return { layers, names: layers.map((l) => `model[${l}] ${model[l]?.type ?? 'layer'}`) };
}

/** Number of leading (descending) eigenvalues above the absolute threshold. */
export function keptCount(eigenvalues: ArrayLike<number>, threshold: number): number {
  let k = 0;
  while (k < eigenvalues.length && eigenvalues[k] > threshold) k++;
  return k;
}

/** The first k entries as a record array (a copy: records outlive the engine's buffers). */
const list = (a: ArrayLike<number> | undefined, k: number): Float64Array =>
  a ? Float64Array.from({ length: Math.min(k, a.length) }, (_, i) => a[i]) : new Float64Array(0);

/** The record of one computed curvature step. */
export function curvatureRecord(args: {
  result: CurvatureResult;
  spec: CurvatureSpec;
  network: Network;
  model: readonly LayerSpec[];
  step: number;
  extraTimings?: Record<string, number>;
}): CurvatureRecord {
  const { result, spec, network, model, step } = args;
  const { layers, names } = parameterLayers(network, model);
  const perLayer = spec.groups === 'per_layer';
  const groups: CurvatureGroup[] = result.groups.map((g) => {
    const k = keptCount(g.eigenvalues, spec.eig_threshold);
    const overlap = list(g.overlap, k);
    const group: CurvatureGroup = {
      name: perLayer ? names[layers.indexOf(g.layers[0])] : 'all',
      params: [...g.params],
      eigenvalues: list(g.eigenvalues, k),
      gammaMean: list(g.gammaMean, k),
      lambdaMean: list(g.lambdaMean, k),
      snrGamma: list(g.snrGamma, k),
      snrLambda: list(g.snrLambda, k),
      overlap,
      // Recomputed over the kept directions: the dropped ones belong to the flat part.
      flatRemainder: g.overlap ? Math.max(0, 1 - overlap.reduce((s, v) => s + v, 0)) : Number.NaN,
    };
    // Over all eigenvalues, also those past top_k or the threshold: the GGN's trace.
    if (Number.isFinite(g.ggnTrace)) group.ggnTrace = g.ggnTrace;
    if (g.layerShares) {
      // Columns of the record are all parameter layers; a group's other layers get 0.
      const cols = g.layers.map((l) => layers.indexOf(l));
      const rows = Math.min(k, g.layerShares.rows);
      group.layerShares = Array.from({ length: rows }, (_, row) => {
        const full = new Float64Array(layers.length);
        cols.forEach((col, j) => (full[col] = g.layerShares!.data[row * g.layers.length + j]));
        return full;
      });
    }
    return group;
  });
  let normSq = 0;
  for (const part of result.gradient) for (const v of part) normSq += v * v;
  const t = result.timings;
  return {
    type: 'curvature',
    step,
    batch: spec.batch,
    samples: result.samples.ggn.length,
    gradSamples: result.samples.grad.length,
    mcSamples: result.samples.mcSamples,
    loss: result.loss,
    gradNorm: Math.sqrt(normSq),
    layerNames: names,
    groups,
    eigensolver: result.eigensolver,
    timings: {
      forward: t.forward,
      sweep: t.sweep,
      eigen: t.eigen,
      quantities: t.quantities,
      lift: t.lift,
      engine: t.total,
      ...args.extraTimings,
    },
  };
}

/** Computes the curvature record of the trainer's current parameters on `batch`. */
export async function measureCurvature(args: {
  trainer: Trainer;
  batch: CurvatureBatchTensors;
  spec: CurvatureSpec;
  model: readonly LayerSpec[];
  runSeed: number;
  step: number;
}): Promise<{ record: CurvatureRecord; result: CurvatureResult }> {
  const t0 = performance.now();
  const model = args.trainer.curvatureModel();
  const options = curvatureOptions(
    args.spec,
    model.network,
    curvatureSeed(args.runSeed, args.step),
  );
  const result = await computeCurvature(model, { x: args.batch.x, y: args.batch.y }, options);
  const t1 = performance.now();
  const record = curvatureRecord({
    result,
    spec: args.spec,
    network: model.network,
    model: args.model,
    step: args.step,
  });
  record.timings.record = performance.now() - t1;
  record.timings.total = performance.now() - t0;
  return { record, result };
}
