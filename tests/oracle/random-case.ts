// Random curvature cases on tiny networks, for property tests of the engine against the oracle.

import { planNetwork } from './network';
import { OracleRng } from './rng';
import type { CurvatureCase, LayerSpec } from './types';

export interface RandomCaseOptions {
  model: LayerSpec[];
  /** Shape of one input sample: [features] or [C, H, W]. */
  inputShape: number[];
  /** Batch size. */
  N: number;
  loss: 'cross_entropy' | 'mse';
  seed: number;
  /** Weights ~ Normal(0, (weightGain / √fan_in)²); biases ~ Normal(0, biasStd²). */
  weightGain?: number;
  biasStd?: number;
  /** Inputs and MSE targets ~ Normal(0, 1) times these. */
  inputStd?: number;
  targetStd?: number;
  // Case fields passed through unchanged (see the format document).
  subsampling?: number[] | null;
  subsampling_grad?: number[] | null;
  mc_samples?: number;
  param_groups?: number[][] | null;
  damping?: number;
  eig_rtol?: number;
  n_eigvecs?: number;
}

export function randomCase(o: RandomCaseOptions): CurvatureCase {
  const rng = new OracleRng(o.seed, 0x5ca5e);
  const plan = planNetwork(o.model, o.inputShape);
  const C = plan.outputSize;
  const gain = o.weightGain ?? 1.5;
  const biasStd = o.biasStd ?? 0.5;
  const params = plan.paramShapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const isBias = shape.length === 1;
    const fanIn = isBias ? 1 : size / shape[0];
    const std = isBias ? biasStd : gain / Math.sqrt(fanIn);
    return { shape, data: Array.from({ length: size }, () => std * rng.normal()) };
  });
  const sampleSize = o.inputShape.reduce((a, b) => a * b, 1);
  const inputStd = o.inputStd ?? 1;
  const input = {
    shape: [o.N, ...o.inputShape],
    data: Array.from({ length: o.N * sampleSize }, () => inputStd * rng.normal()),
  };
  const targetStd = o.targetStd ?? 1;
  const target =
    o.loss === 'cross_entropy'
      ? { shape: [o.N], data: Array.from({ length: o.N }, () => rng.int(C)) }
      : { shape: [o.N, C], data: Array.from({ length: o.N * C }, () => targetStd * rng.normal()) };
  return {
    model: o.model,
    params,
    input,
    target,
    loss: o.loss,
    reduction: 'mean',
    dtype: 'float64',
    seed: o.seed,
    subsampling: o.subsampling ?? null,
    subsampling_grad: o.subsampling_grad ?? null,
    mc_samples: o.mc_samples ?? 0,
    param_groups: o.param_groups ?? null,
    damping: o.damping ?? 1,
    eig_rtol: o.eig_rtol ?? 1e-10,
    n_eigvecs: o.n_eigvecs ?? 3,
  };
}

export interface TinyNetwork {
  name: string;
  model: LayerSpec[];
  inputShape: number[];
}

const mlp = (name: string, act: LayerSpec): TinyNetwork => ({
  name,
  model: [{ type: 'linear', in: 4, out: 5 }, act, { type: 'linear', in: 5, out: 3 }],
  inputShape: [4],
});

/**
 * A catalogue of tiny networks covering every layer type and option: MLPs with each
 * activation, a bias-free MLP, and CNNs with each pooling, conv stride/padding, pool padding and
 * zeropad2d. All have D ≤ ~130 so the dense oracle stays fast.
 */
export function tinyNetworks(): TinyNetwork[] {
  return [
    mlp('mlp-relu', { type: 'relu' }),
    mlp('mlp-sigmoid', { type: 'sigmoid' }),
    mlp('mlp-tanh', { type: 'tanh' }),
    mlp('mlp-leaky_relu', { type: 'leaky_relu', negative_slope: 0.1 }),
    mlp('mlp-elu', { type: 'elu', alpha: 0.7 }),
    mlp('mlp-identity', { type: 'identity' }),
    {
      name: 'mlp-deep-nobias',
      model: [
        { type: 'linear', in: 3, out: 4, bias: false },
        { type: 'tanh' },
        { type: 'linear', in: 4, out: 4 },
        { type: 'relu' },
        { type: 'linear', in: 4, out: 3, bias: false },
      ],
      inputShape: [3],
    },
    {
      name: 'cnn-maxpool',
      model: [
        { type: 'conv2d', in_channels: 1, out_channels: 2, kernel_size: 3, stride: 1, padding: 1 },
        { type: 'relu' },
        { type: 'maxpool2d', kernel_size: 2, stride: 2 },
        { type: 'flatten' },
        { type: 'linear', in: 18, out: 3 },
      ],
      inputShape: [1, 6, 6],
    },
    {
      name: 'cnn-avgpool-padded',
      model: [
        { type: 'conv2d', in_channels: 2, out_channels: 2, kernel_size: 3, stride: 2, padding: 1 },
        { type: 'sigmoid' },
        { type: 'avgpool2d', kernel_size: 3, stride: 1, padding: 1 },
        { type: 'flatten' },
        { type: 'linear', in: 18, out: 3 },
      ],
      inputShape: [2, 5, 5],
    },
    {
      name: 'cnn-zeropad-maxpool-padded',
      model: [
        { type: 'zeropad2d', padding: [1, 0, 2, 1] },
        { type: 'conv2d', in_channels: 1, out_channels: 3, kernel_size: 2, stride: 1, padding: 0 },
        // tanh (not sigmoid) so that windows with only negative values exist: there −∞ padding
        // and zero padding of the maxpool give different results.
        { type: 'tanh' },
        { type: 'maxpool2d', kernel_size: 3, stride: 2, padding: 1 },
        { type: 'flatten' },
        { type: 'linear', in: 27, out: 4 },
      ],
      inputShape: [1, 4, 5],
    },
  ];
}
