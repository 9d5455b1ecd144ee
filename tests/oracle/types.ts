// Types of the curvature-case format (docs/curvature-case.md), declared here rather
// than imported from src/ so that the oracle shares nothing with the engine it checks.

/** An integer, or a [height, width] pair (PyTorch accepts both for kernel/stride/padding). */
export type IntOrPair = number | [number, number];

export type LayerSpec =
  | { type: 'linear'; in: number; out: number; bias?: boolean }
  | {
      type: 'conv2d';
      in_channels: number;
      out_channels: number;
      kernel_size: IntOrPair;
      stride?: IntOrPair;
      padding?: IntOrPair;
      bias?: boolean;
    }
  | {
      type: 'maxpool2d' | 'avgpool2d';
      kernel_size: IntOrPair;
      stride?: IntOrPair;
      padding?: IntOrPair;
    }
  | { type: 'zeropad2d'; padding: [number, number, number, number] }
  | { type: 'relu' | 'sigmoid' | 'tanh' | 'flatten' | 'identity' }
  | { type: 'leaky_relu'; negative_slope?: number }
  | { type: 'elu'; alpha?: number };

export interface TensorJson {
  shape: number[];
  data: number[];
}

export interface CurvatureCase {
  model: LayerSpec[];
  params: TensorJson[];
  input: TensorJson;
  target: TensorJson;
  loss: 'cross_entropy' | 'mse';
  reduction?: 'mean';
  dtype?: 'float64' | 'float32';
  seed?: number;
  subsampling?: number[] | null;
  subsampling_grad?: number[] | null;
  mc_samples?: number;
  param_groups?: number[][] | null;
  damping?: number;
  eig_rtol?: number;
  n_eigvecs?: number;
}

/** One parameter group of the result, exactly as the format writes it. */
export interface GroupResult {
  param_indices: number[];
  eigvals: number[];
  eigvecs_top: number[][];
  gammas: number[][];
  lambdas: number[][];
  newton_step: number[];
}

/** The result format (output) of the curvature-case document. */
export interface CurvatureResult {
  loss: number;
  gradient: number[];
  newton_step: number[];
  groups: GroupResult[];
}
