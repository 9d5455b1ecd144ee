// Short human descriptions of a run definition's parts, for the run summary.
import type {
  DataSpec,
  LayerSpec,
  OptimizerSpec,
  Pair,
  Padding,
  RunDefinition,
} from '../../../protocol/definition';

const pair = (p: Pair): string => (Array.isArray(p) ? `${p[0]}×${p[1]}` : `${p}`);
const pad = (p: Padding): string => (typeof p === 'string' ? p : pair(p));

export function describeLayer(layer: LayerSpec): string {
  switch (layer.type) {
    case 'linear':
      return `Linear ${layer.in} → ${layer.out}${layer.bias ? '' : ' (no bias)'}`;
    case 'conv2d':
      return `Conv2d ${layer.in_channels} → ${layer.out_channels}, k ${pair(layer.kernel_size)}, s ${pair(layer.stride)}, p ${pad(layer.padding)}`;
    case 'maxpool2d':
      return `MaxPool ${pair(layer.kernel_size)}`;
    case 'avgpool2d':
      return `AvgPool ${pair(layer.kernel_size)}`;
    case 'zeropad2d':
      return `ZeroPad ${layer.padding.join(',')}`;
    case 'leaky_relu':
      return `LeakyReLU ${layer.negative_slope}`;
    case 'elu':
      return `ELU ${layer.alpha}`;
    case 'dropout':
      return `Dropout ${layer.p}`;
    case 'relu':
      return 'ReLU';
    case 'sigmoid':
      return 'Sigmoid';
    case 'tanh':
      return 'Tanh';
    case 'flatten':
      return 'Flatten';
    case 'identity':
      return 'Identity';
  }
}

export function describeOptimizer(opt: OptimizerSpec): string {
  if (opt.type === 'damped_newton') {
    const d = opt.damping;
    const damping =
      d.type === 'constant' ? `δ ${d.value}` : `bootstrap δ (${d.variant.replace('_', ' ')})`;
    return `Damped Newton lr ${opt.lr}, ${damping}`;
  }
  const wd = opt.weight_decay ? `, wd ${opt.weight_decay}` : '';
  if (opt.type === 'sgd') {
    const m = opt.momentum ? `, momentum ${opt.momentum}${opt.nesterov ? ' (Nesterov)' : ''}` : '';
    return `SGD lr ${opt.lr}${m}${wd}`;
  }
  return `Adam lr ${opt.lr}, β ${opt.betas[0]}/${opt.betas[1]}${wd}`;
}

export function describeData(data: DataSpec): string {
  switch (data.source) {
    case 'mnist':
      return 'MNIST';
    case 'synthetic':
      return `Synthetic ${data.task}, ${data.features} features → ${data.outputs}`;
    case 'idx':
      return 'IDX files';
    case 'npy':
      return 'NumPy .npy files';
    case 'csv':
      return `CSV files (label column ${data.label})`;
  }
}

export function describeLength(def: RunDefinition): string {
  if (def.steps !== undefined) return `${def.steps.toLocaleString('en-US')} steps`;
  if (def.epochs !== undefined) return `${def.epochs} epoch${def.epochs === 1 ? '' : 's'}`;
  return '—';
}

export function describeLoss(def: RunDefinition): string {
  return def.loss === 'cross_entropy' ? 'Cross-entropy' : 'Mean squared error';
}
