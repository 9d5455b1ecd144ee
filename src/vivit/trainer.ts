// Plain training on tfjs: forward, the hand-written backward of every layer, the optimizer
// update — one tidy scope per step, plain numbers out. This is what the worker drives; the
// curvature engine reuses the same Network, layer caches and losses.

import * as tf from '@tensorflow/tfjs';
import type { LayerSpec, LossName, OptimizerSpec } from '../protocol/definition';
import type { CurvatureModel } from './curvature-types';
import { lossModule } from './loss/registry';
import type { LossModule } from './loss/loss';
import { batchToEngine } from './nn/layout';
import { Network } from './nn/network';
import {
  createDampedNewton,
  createOptimizer,
  isCurvatureOptimizer,
  type DampedNewton,
  type DampedNewtonReport,
} from './optim/registry';
import type { Optimizer } from './optim/optimizer';
import { Rng } from './random';
import { LayerShapeError } from './errors';
import { formatShape } from './shape-error';
import { tfjsOps } from './tensor/tfjs-ops';

export interface TrainerOptions {
  layers: LayerSpec[];
  /** Per sample, PyTorch layout ([C,H,W] or [F]). */
  inputShape: number[];
  loss: LossName;
  optimizer: OptimizerSpec;
  /** Seeds initialization and dropout masks. */
  seed: number;
}

export interface BatchResult {
  loss: number;
  /** For cross_entropy. */
  accuracy?: number;
  /** damped_newton only: what the step did along each kept direction. */
  damping?: DampingStepReport;
}

/** A damped Newton step's report plus the loss change it actually caused. */
export interface DampingStepReport extends DampedNewtonReport {
  /** Batch loss after the update minus before, same batch and dropout masks. */
  actualChange: number;
}

export interface TorchParameter {
  /** e.g. "model[0].weight" */
  name: string;
  /** PyTorch layout (linear weight [out, in], conv weight [out, in, kh, kw]). */
  shape: number[];
  data: Float32Array;
}

export interface Trainer {
  readonly parameterCount: number;
  /** Forward, hand-written backward, optimizer update. x: [N, ...inputShape] float32 (NCHW);
   *  y: int32 [N] class indices (cross_entropy) or float32 [N, C] (mse). Loss is the batch
   *  mean before the update. Deterministic for a fixed seed and data order. One read back to
   *  the host per step (loss, accuracy and the label check together). Calls must not overlap. */
  trainStep(x: tf.Tensor, y: tf.Tensor): Promise<BatchResult>;
  /** Mean loss/accuracy without dropout, no update; batched internally to bound memory. */
  evaluate(x: tf.Tensor, y: tf.Tensor): Promise<BatchResult>;
  /** Copies of the current parameters in PyTorch order and layout. */
  readParameters(): Promise<TorchParameter[]>;
  /** Replaces the parameters (PyTorch order and layout, e.g. from readParameters or a
   *  checkpoint). Optimizer state is kept. */
  loadParameters(values: readonly ArrayLike<number>[]): void;
  /** The live model for `computeCurvature` (float32, the trainer's own parameter tensors:
   *  valid until the next trainStep/loadParameters/dispose; never dispose them). */
  curvatureModel(): CurvatureModel<tf.Tensor>;
  dispose(): void;
}

/** Samples per forward pass in `evaluate`. */
const EVAL_CHUNK = 256;

const ops = tfjsOps;

export function createTrainer(options: TrainerOptions): Trainer {
  const network = new Network(options.layers, options.inputShape);
  const loss = lossModule(options.loss);
  const problem = loss.outputShapeProblem(network.outputShape);
  if (problem) throw new LayerShapeError(Math.max(0, options.layers.length - 1), problem);
  // damped_newton steps from the batch's curvature; the others from the gradient alone.
  const newton: DampedNewton | null = isCurvatureOptimizer(options.optimizer)
    ? createDampedNewton(options.optimizer, options.seed)
    : null;
  const optimizer: Optimizer<tf.Tensor> | null = newton
    ? null
    : createOptimizer(ops, options.optimizer);
  let params: tf.Tensor[] = network.paramsFromTorch(
    ops,
    network.initTorch(new Rng(options.seed, 'init')),
  );
  const dropoutRng = new Rng(options.seed, 'dropout');
  let disposed = false;

  const alive = () => {
    if (disposed) throw new Error('this trainer has been disposed');
  };

  /** Batch mean loss (and accuracy) as a [1] or [2] tensor. */
  const stats = (out: tf.Tensor, target: tf.Tensor, value: tf.Tensor): tf.Tensor =>
    loss.accuracy ? tf.stack([value, loss.accuracy(ops, out, target)]) : tf.reshape(value, [1]);

  /** Training-mode loss (and accuracy when asked) of `p` on a batch, with the masks of `rng`. */
  const forwardStats = async (
    p: tf.Tensor[],
    x: tf.Tensor,
    y: tf.Tensor,
    rng: Rng,
    withAccuracy: boolean,
  ): Promise<Float32Array> => {
    const numbers = tf.tidy(() => {
      const target = ops.asFloat(y);
      const { out } = network.forward(ops, p, engineInput(x), { training: true, rng });
      const value = loss.value(ops, out, target);
      return withAccuracy ? stats(out, target, value) : tf.reshape(value, [1]);
    });
    try {
      return (await ops.read(numbers)) as Float32Array;
    } finally {
      numbers.dispose();
    }
  };

  /**
   * One damped Newton step: the curvature pass gives the loss before and the update; one more
   * forward gives the loss after (for the report's actual change), and for classification one
   * forward before gives the training accuracy. All three passes share the step's dropout masks.
   */
  const newtonStep = async (dn: DampedNewton, x: tf.Tensor, y: tf.Tensor): Promise<BatchResult> => {
    await checkLabels(network, loss, y);
    const maskSeed = dropoutRng.nextUint32();
    const masks = () => new Rng(maskSeed, 'damped-newton-step');
    const before = loss.accuracy ? await forwardStats(params, x, y, masks(), true) : null;
    const xs = ops.asFloat(x);
    let result;
    try {
      result = await dn.direction({ ops, network, params, loss }, { x: xs, y }, masks());
    } finally {
      if (xs !== x) xs.dispose();
    }
    const { update, report, curvature } = result;
    const next = tf.tidy(() => {
      const deltas = network.paramsFromTorch(ops, update);
      return params.map((p, i) => ops.add(p, deltas[i]));
    });
    const after = (await forwardStats(next, x, y, masks(), false))[0];
    tf.dispose(params);
    params = next;
    const out: BatchResult = {
      loss: curvature.loss,
      damping: { ...report, actualChange: after - curvature.loss },
    };
    if (before) out.accuracy = before[1];
    return out;
  };

  return {
    parameterCount: network.parameterCount,

    async trainStep(x, y) {
      alive();
      checkBatch(network, loss, x, y);
      if (newton) return newtonStep(newton, x, y);
      const gradientOptimizer = optimizer as Optimizer<tf.Tensor>;
      const { next, numbers, correctCounted } = tf.tidy(() => {
        const { out, caches } = network.forward(ops, params, engineInput(x), {
          training: true,
          rng: dropoutRng,
        });
        // The label check travels with the loss: one read per step (a GPU round trip each).
        // Cross-entropy on webgpu: the gradient and [loss, correct, bad labels] in two fused
        // kernels, the labels as they come (int32 too); elsewhere the loss module and stats.
        const fused =
          loss.name === 'cross_entropy' ? (ops.fusedClassificationStep?.(out, y) ?? null) : null;
        if (fused) {
          const grads = network.backward(ops, params, caches, fused.gradient);
          return {
            next: gradientOptimizer.step(params, grads),
            numbers: fused.summary,
            correctCounted: true,
          };
        }
        const target = ops.asFloat(y);
        const { value, gradient } = loss.valueAndGradient(ops, out, target);
        const grads = network.backward(ops, params, caches, gradient);
        return {
          next: gradientOptimizer.step(params, grads),
          numbers: tf.concat([
            stats(out, target, value),
            countBadLabels(y, network.outputShape[0], loss),
          ]),
          correctCounted: false,
        };
      });
      let values: Float32Array;
      try {
        values = (await ops.read(numbers)) as Float32Array;
      } finally {
        numbers.dispose();
      }
      if (correctCounted) values[1] /= x.shape[0];
      if (values[values.length - 1] > 0) {
        tf.dispose(next);
        await checkLabels(network, loss, y); // throws, naming the first bad label
      }
      tf.dispose(params);
      params = next;
      return toResult(values.subarray(0, values.length - 1));
    },

    async evaluate(x, y) {
      alive();
      const n = checkBatch(network, loss, x, y);
      const sums = [0, 0];
      for (let start = 0; start < n; start += EVAL_CHUNK) {
        const size = Math.min(EVAL_CHUNK, n - start);
        const numbers = tf.tidy(() => {
          const xs = tf.slice(x, start, size);
          const ys = tf.slice(y, start, size);
          const target = ops.asFloat(ys);
          const { out } = network.forward(ops, params, engineInput(xs), { training: false });
          return stats(out, target, loss.value(ops, out, target));
        });
        (await ops.read(numbers)).forEach((v, i) => (sums[i] += v * size));
        numbers.dispose();
      }
      return toResult(loss.accuracy ? [sums[0] / n, sums[1] / n] : [sums[0] / n]);
    },

    async readParameters() {
      alive();
      const torch = await network.paramsToTorch(ops, params);
      return network.params.map((p, i) => ({
        name: `model[${p.layer}].${p.name}`,
        shape: [...p.torchShape],
        data: Float32Array.from(torch[i]),
      }));
    },

    loadParameters(values) {
      alive();
      if (values.length !== network.params.length) {
        throw new Error(`expected ${network.params.length} parameter arrays, got ${values.length}`);
      }
      network.params.forEach((p, i) => {
        const size = p.torchShape.reduce((a, b) => a * b, 1);
        if (values[i].length !== size) {
          throw new Error(
            `parameter model[${p.layer}].${p.name}: expected ${size} values for shape ${formatShape(p.torchShape)}, got ${values[i].length}`,
          );
        }
      });
      const next = network.paramsFromTorch(ops, values);
      tf.dispose(params);
      params = next;
    },

    curvatureModel() {
      alive();
      return { ops, network, params, loss };
    },

    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose(params);
      optimizer?.dispose();
    },
  };
}

function toResult(values: ArrayLike<number>): BatchResult {
  return values.length > 1 ? { loss: values[0], accuracy: values[1] } : { loss: values[0] };
}

function engineInput(x: tf.Tensor): tf.Tensor {
  return batchToEngine(ops, ops.asFloat(x));
}

/** Number of labels that are not class indices of the model (a [1] tensor; 0 for mse). */
function countBadLabels(y: tf.Tensor, outputs: number, loss: LossModule): tf.Tensor {
  if (loss.name !== 'cross_entropy') return tf.zeros([1]);
  const yf = ops.asFloat(y);
  const bad = tf.logicalOr(
    tf.logicalOr(tf.less(yf, 0), tf.greaterEqual(yf, outputs)),
    tf.notEqual(yf, tf.floor(yf)),
  );
  return tf.reshape(tf.sum(tf.cast(bad, 'float32')), [1]);
}

/** Throws, naming the first label that is not a class index of the model. */
async function checkLabels(network: Network, loss: LossModule, y: tf.Tensor): Promise<void> {
  if (loss.name !== 'cross_entropy') return;
  const outputs = network.outputShape[0];
  const labels = await ops.read(y);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= outputs) {
      throw new Error(
        `label ${c} of sample ${i} is not a class index in [0, ${outputs - 1}] (the model has ${outputs} outputs)`,
      );
    }
  }
}

/** Checks the shapes of a batch (labels: `checkLabels`); returns N. */
function checkBatch(network: Network, loss: LossModule, x: tf.Tensor, y: tf.Tensor): number {
  const n = x.shape[0];
  const expectedX = [n, ...network.inputShape];
  if (x.rank !== expectedX.length || x.shape.some((d, i) => d !== expectedX[i])) {
    throw new Error(
      `input batch has shape ${formatShape(x.shape)}, expected [N, ${network.inputShape.join(', ')}]`,
    );
  }
  if (n === 0) throw new Error('empty batch');
  const outputs = network.outputShape[0];
  if (loss.name === 'cross_entropy') {
    if (y.rank !== 1 || y.shape[0] !== n) {
      throw new Error(`labels have shape ${formatShape(y.shape)}, expected [${n}] class indices`);
    }
  } else if (y.rank !== 2 || y.shape[0] !== n || y.shape[1] !== outputs) {
    throw new Error(`targets have shape ${formatShape(y.shape)}, expected [${n}, ${outputs}]`);
  }
  return n;
}
