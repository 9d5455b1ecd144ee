// Which samples go into which batch, and how a batch's arrays are filled. Pure (no tfjs) so the
// determinism of shuffling and the normalization can be tested on plain arrays.
import type { LossName } from '../../protocol/definition';
import type { Dataset, Split } from './dataset';
import { affineOf } from './normalize';
import { Random } from './random';

/** The order of the training samples in `epoch`: a fresh seeded permutation per epoch, derived
 *  from (seed, epoch) alone, so any step's batch can be recomputed without replaying the run. */
export function epochOrder(count: number, seed: number, epoch: number): Int32Array {
  return Random.forStream(seed, `shuffle:${epoch}`).permutation(count);
}

/** A fixed, seeded subset of `samples` test indices (all of them when omitted), ascending. */
export function evalIndices(count: number, seed: number, samples?: number): Int32Array {
  if (samples === undefined || samples >= count)
    return Int32Array.from({ length: count }, (_, i) => i);
  return Random.forStream(seed, 'eval').permutation(count).slice(0, samples).sort();
}

// The count lives with the step plan the log header records (src/protocol/plan.ts).
export { batchesPerEpoch } from '../../protocol/plan';

/** Normalized float32 features of the given samples, row-major [n, ...inputShape]. */
export function gatherFeatures(
  dataset: Dataset,
  split: Split,
  indices: ArrayLike<number>,
): Float32Array {
  const size = dataset.sampleSize;
  const { a, b } = affineOf(dataset.normalization, dataset.scale);
  const out = new Float32Array(indices.length * size);
  const x = split.x;
  for (let r = 0; r < indices.length; r++) {
    const from = indices[r] * size;
    const to = r * size;
    for (let j = 0; j < size; j++) out[to + j] = x[from + j] * a + b;
  }
  return out;
}

export type Targets =
  | { kind: 'labels'; values: Int32Array } // [n] class indices, for cross_entropy
  | { kind: 'matrix'; values: Float32Array; columns: number }; // [n, C], for mse

/** The targets of the given samples in the form the loss expects: class indices for
 *  cross_entropy; for mse, regression targets or one-hot vectors of the class labels. */
export function gatherTargets(
  dataset: Dataset,
  split: Split,
  indices: ArrayLike<number>,
  loss: LossName,
): Targets {
  const n = indices.length;
  const C = dataset.outputs;
  if (split.labels) {
    const labels = new Int32Array(n);
    for (let r = 0; r < n; r++) labels[r] = split.labels[indices[r]];
    if (loss === 'cross_entropy') return { kind: 'labels', values: labels };
    const oneHot = new Float32Array(n * C);
    for (let r = 0; r < n; r++) oneHot[r * C + labels[r]] = 1;
    return { kind: 'matrix', values: oneHot, columns: C };
  }
  if (!split.targets) throw new Error('dataset split has neither labels nor targets');
  if (loss === 'cross_entropy')
    throw new Error('cross_entropy needs class labels, the data has real-valued targets');
  const values = new Float32Array(n * C);
  for (let r = 0; r < n; r++)
    values.set(split.targets.subarray(indices[r] * C, indices[r] * C + C), r * C);
  return { kind: 'matrix', values, columns: C };
}
