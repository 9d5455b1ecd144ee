// The direction inspector: for the current parameters and the last curvature batch, the
// per-sample γ_nk and λ_nk of one direction, the per-layer composition of e_k, and the loss along
// e_k against the GGN's quadratic model q(t) = L + t·γ̄_k + ½t²·λ_k.
//
// Grid: SLICE_POINTS points, symmetric, t = 0 exactly in the middle, over ±T with
// T = min(3/√λ_k, ‖θ‖) (θ: the group's parameters). At t = ±1/√λ_k the model's curvature term
// is ½, so ±3/√λ_k shows where the quadratic has grown by 4.5 loss units; the cap at ‖θ‖ keeps
// near-flat directions (tiny λ_k) from stepping absurdly far away from the weights.
//
// Nothing here touches the training's data order or random streams: parameters are read, never
// written, and the dropout masks come from the curvature step's own stream.
import * as tf from '@tensorflow/tfjs';
import type { CurvatureSpec, LayerSpec } from '../../protocol/definition';
import type { InspectRecord } from '../../protocol/records';
import { computeCurvature, Rng, type Trainer } from '../../vivit';
import { batchToEngine, lossModule } from '../../vivit/index';
import {
  curvatureOptions,
  keptCount,
  parameterLayers,
  type CurvatureBatchTensors,
} from './monitor';

export const SLICE_POINTS = 41;

/** A request the user can fix (bad group or direction): reported, the run is unaffected. */
export class InspectRequestError extends Error {}

/** The symmetric grid of the loss slice for eigenvalue λ and parameter norm ‖θ‖. */
export function sliceGrid(eigenvalue: number, paramNorm: number, points = SLICE_POINTS): number[] {
  const natural = 3 / Math.sqrt(eigenvalue);
  const half = paramNorm > 0 ? Math.min(natural, paramNorm) : natural;
  const mid = (points - 1) / 2;
  return Array.from({ length: points }, (_, i) => (i === mid ? 0 : (half * (i - mid)) / mid));
}

export async function inspectDirection(args: {
  trainer: Trainer;
  batch: CurvatureBatchTensors;
  spec: CurvatureSpec;
  model: readonly LayerSpec[];
  /** The seed of the curvature step whose batch this is (same MC draws and dropout masks). */
  seed: number;
  step: number;
  group: number;
  direction: number;
}): Promise<InspectRecord> {
  const { trainer, batch, spec, group, direction } = args;
  const cm = trainer.curvatureModel();
  const network = cm.network;
  const base = curvatureOptions(spec, network, args.seed);
  const groupCount = base.groups ? base.groups.length : 1;
  if (!(Number.isInteger(group) && group >= 0 && group < groupCount)) {
    throw new InspectRequestError(
      `group ${group} does not exist (this run has ${groupCount} parameter group${groupCount === 1 ? '' : 's'}, 0..${groupCount - 1})`,
    );
  }
  const result = await computeCurvature(
    cm,
    { x: batch.x, y: batch.y },
    {
      ...base,
      quantities: ['gammas', 'lambdas', 'eigenvectors'],
      eigenvectorIndices: [direction],
    },
  );
  const g = result.groups[group];
  const kept = keptCount(g.eigenvalues, spec.eig_threshold);
  if (!(Number.isInteger(direction) && direction >= 0 && direction < kept)) {
    throw new InspectRequestError(
      `direction ${direction} does not exist: group ${group} has ${kept} nontrivial direction${kept === 1 ? '' : 's'} now (0..${kept - 1})`,
    );
  }
  const eigenvalue = g.eigenvalues[direction];
  const column = (m: { rows: number; cols: number; data: Float64Array }): Float64Array =>
    Float64Array.from({ length: m.rows }, (_, r) => m.data[r * m.cols + direction]);
  const gammas = column(g.gammas!);
  const lambdas = column(g.lambdas!);
  const gammaMean = g.gammaMean![direction];
  const lambdaMean = g.lambdaMean![direction];
  const vector = g.eigenvectors!.find((e) => e.index === direction)!;

  const { layers, names } = parameterLayers(network, args.model);
  const layerShares = new Float64Array(layers.length);
  g.layers.forEach((l, j) => (layerShares[layers.indexOf(l)] = vector.layerShares[j]));

  // ---- the loss along e_k
  const theta = (await trainer.readParameters()).map((p) => Float64Array.from(p.data));
  let normSq = 0;
  for (const p of g.params) for (const v of theta[p]) normSq += v * v;
  const t = sliceGrid(eigenvalue, Math.sqrt(normSq));
  const loss = typeof cm.loss === 'string' ? lossModule(cm.loss) : cm.loss;
  const ops = cm.ops;
  const lossAt = async (step: number): Promise<number> => {
    const values = theta.map((part, p) => {
      const q = g.params.indexOf(p);
      if (q < 0 || step === 0) return part;
      const e = vector.parameters[q];
      return part.map((v, i) => v + step * e[i]);
    });
    const value = tf.tidy(() => {
      const params = network.paramsFromTorch(ops, values);
      const x = batchToEngine(
        ops,
        batch.x.dtype === 'float32' ? batch.x : tf.cast(batch.x, 'float32'),
      );
      const y = batch.y.dtype === 'float32' ? batch.y : tf.cast(batch.y, 'float32');
      const rng = new Rng(args.seed, 'curvature-dropout'); // the curvature step's masks
      const { out } = network.forward(ops, params, x, { training: true, rng });
      return loss.value(ops, out, y);
    });
    try {
      return (await ops.read(value))[0];
    } finally {
      value.dispose();
    }
  };
  const sliceLoss: number[] = [];
  for (const s of t) sliceLoss.push(await lossAt(s));
  const quadratic = t.map((s) => result.loss + s * gammaMean + 0.5 * s * s * eigenvalue);
  return {
    type: 'inspect',
    step: args.step,
    group,
    direction,
    eigenvalue,
    gammas,
    lambdas,
    sampleIndices: result.samples.grad.map((r) => batch.indices[r]),
    layerNames: names,
    layerShares,
    slice: {
      t: Float64Array.from(t),
      loss: Float64Array.from(sliceLoss),
      quadratic: Float64Array.from(quadratic),
    },
    loss: result.loss,
    gammaMean,
    lambdaMean,
  };
}
