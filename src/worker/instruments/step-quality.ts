// Step quality around one update (Cockpit's Alpha, UpdateSize and Distance): the parameters
// before the update are copied on the device; after it, the same batch is observed at both ends
// along the update direction u = Δθ/‖Δθ‖ (per-sample losses and slopes g_nᵀu, same dropout
// masks), and α is where the update landed on the quadratic fitted through them.
import * as tf from '@tensorflow/tfjs';
import type { StepQualityRecord } from '../../protocol/records';
import {
  localStepSize,
  meanAndVariance,
  perSampleGradientStatistics,
  Rng,
  type LineObservation,
  type Trainer,
} from '../../vivit';

/** Device copies of the trainer's parameters (engine layout, network order). */
export function copyParameters(trainer: Trainer): tf.Tensor[] {
  return trainer.curvatureModel().params.map((p) => tf.clone(p));
}

/** Dropout masks of the two observations: the same for both, fresh per step. */
function observationRng(seed: number, step: number): Rng {
  return new Rng((seed * 7_919 + step) % 2 ** 31, 'instruments-alpha');
}

/** Loss and slope along `direction` at `params` (no direction: the loss alone, slope 0). */
async function observe(
  trainer: Trainer,
  params: readonly tf.Tensor[],
  batch: { x: tf.Tensor; y: tf.Tensor },
  direction: tf.Tensor[] | undefined,
  rng: Rng,
): Promise<LineObservation> {
  const live = trainer.curvatureModel();
  const stats = await perSampleGradientStatistics({ ...live, params }, batch, rng, {
    moments: false,
    losses: true,
    ...(direction && { direction }),
  });
  const losses = meanAndVariance(stats.losses ?? []);
  const slopes = meanAndVariance(stats.projections ?? []);
  return {
    loss: losses.mean,
    lossVariance: losses.variance,
    slope: slopes.mean,
    slopeVariance: slopes.variance,
  };
}

/**
 * The record of update `step`, taken from `before` (copies made just before it) to the
 * trainer's current parameters, on the update's batch. `initial` is θ₀ (device copies).
 */
export async function stepQualityRecord(args: {
  trainer: Trainer;
  before: tf.Tensor[];
  initial: tf.Tensor[];
  batch: { x: tf.Tensor; y: tf.Tensor };
  seed: number;
  step: number;
}): Promise<StepQualityRecord> {
  const { trainer, before, initial, batch, step } = args;
  const after = trainer.curvatureModel().params;
  const delta = after.map((p, i) => tf.sub(p, before[i]));
  try {
    const norms = tf.tidy(() =>
      tf.stack([
        ...delta.map((d) => tf.sum(tf.square(d))),
        ...after.map((p, i) => tf.sum(tf.square(tf.sub(p, initial[i])))),
      ]),
    );
    const squares = await norms.data();
    norms.dispose();
    const count = after.length;
    const updateSizes = Float64Array.from(squares.subarray(0, count), Math.sqrt);
    const distances = Float64Array.from(squares.subarray(count), Math.sqrt);
    const total = (values: ArrayLike<number>) =>
      Math.sqrt(Array.from(values).reduce((s, v) => s + v, 0));
    const updateSize = total(squares.subarray(0, count));
    const distance = total(squares.subarray(count));

    let alpha: number | null = null;
    let start: LineObservation;
    let end: LineObservation;
    if (updateSize > 0 && Number.isFinite(updateSize)) {
      const direction = delta.map((d) => tf.div(d, updateSize));
      try {
        start = await observe(trainer, before, batch, direction, observationRng(args.seed, step));
        end = await observe(trainer, after, batch, direction, observationRng(args.seed, step));
      } finally {
        tf.dispose(direction);
      }
      alpha = localStepSize(updateSize, start, end);
    } else {
      // No update (or a non-finite one): nothing to fit; the loss is still worth recording.
      start = await observe(trainer, after, batch, undefined, observationRng(args.seed, step));
      end = start;
    }
    return {
      type: 'step_quality',
      step,
      alpha: alpha !== null && Number.isFinite(alpha) ? alpha : null,
      lossBefore: start.loss,
      lossAfter: end.loss,
      slopeBefore: start.slope,
      slopeAfter: end.slope,
      updateSize,
      distance,
      updateSizes,
      distances,
    };
  } finally {
    tf.dispose(delta);
  }
}
