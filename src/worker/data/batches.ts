// Training batches and the held-out evaluation set as tfjs tensors in PyTorch layout:
// x float32 [N, ...inputShape]; y int32 [N] (cross_entropy) or float32 [N, C] (mse).
import * as tf from '@tensorflow/tfjs';
import type { LossName } from '../../protocol/definition';
import type { Dataset, Split } from './dataset';
import {
  batchesPerEpoch,
  epochOrder,
  evalIndices,
  gatherFeatures,
  gatherTargets,
} from './sampling';
import { Random } from './random';

export interface TensorBatch {
  x: tf.Tensor;
  y: tf.Tensor;
  count: number;
}

export function makeTensors(
  dataset: Dataset,
  split: Split,
  indices: ArrayLike<number>,
  loss: LossName,
): TensorBatch {
  const n = indices.length;
  const x = tf.tensor(
    gatherFeatures(dataset, split, indices),
    [n, ...dataset.inputShape],
    'float32',
  );
  const t = gatherTargets(dataset, split, indices, loss);
  const y =
    t.kind === 'labels'
      ? tf.tensor1d(t.values, 'int32')
      : tf.tensor2d(t.values, [n, t.columns], 'float32');
  return { x, y, count: n };
}

export class BatchSource {
  readonly batchesPerEpoch: number;
  private order: { epoch: number; indices: Int32Array } | undefined;

  constructor(
    readonly dataset: Dataset,
    private readonly loss: LossName,
    readonly batchSize: number,
    private readonly seed: number,
  ) {
    this.batchesPerEpoch = batchesPerEpoch(dataset.train.count, batchSize);
  }

  /** Epoch (0-based) of the 0-based step index. */
  epochOf(stepIndex: number): number {
    return Math.floor(stepIndex / this.batchesPerEpoch);
  }

  /** The training batch of the 0-based step index; the caller disposes the tensors. */
  batch(stepIndex: number): TensorBatch {
    return this.tensors(this.indices(stepIndex));
  }

  /** Training-set indices of the 0-based step index's batch (a view; copy to keep). */
  indices(stepIndex: number): Int32Array {
    const epoch = this.epochOf(stepIndex);
    if (this.order?.epoch !== epoch) {
      this.order = { epoch, indices: epochOrder(this.dataset.train.count, this.seed, epoch) };
    }
    const size = Math.min(this.batchSize, this.dataset.train.count);
    const start = (stepIndex % this.batchesPerEpoch) * size;
    return this.order.indices.subarray(start, start + size);
  }

  /** Tensors of the given training samples; the caller disposes them. */
  tensors(indices: ArrayLike<number>): TensorBatch {
    return makeTensors(this.dataset, this.dataset.train, indices, this.loss);
  }

  /** `samples` training indices drawn once from (seed, 'curvature-batch'), ascending: the
   *  fixed curvature batch. Its own stream, so the training's shuffling is unaffected. */
  fixedIndices(samples: number): number[] {
    const count = this.dataset.train.count;
    return Array.from(Random.forStream(this.seed, 'curvature-batch').permutation(count))
      .slice(0, Math.min(samples, count))
      .sort((a, b) => a - b);
  }

  /** The fixed held-out evaluation set; the caller keeps and finally disposes it. */
  evalSet(samples?: number): TensorBatch {
    const indices = evalIndices(this.dataset.test.count, this.seed, samples);
    return makeTensors(this.dataset, this.dataset.test, indices, this.loss);
  }
}
