// Run definition: the validated, normalized form of a user's YAML/JSON file.
// Field names follow PyTorch (snake_case), since that is what users' models come from.
// Shapes in definitions and in messages to users are PyTorch-style: images are [C, H, W].

export type Pair = number | [number, number];
/** Explicit zero padding (symmetric per axis), or TensorFlow-style 'same' / 'valid'. */
export type Padding = number | [number, number] | 'same' | 'valid';

export type LayerSpec =
  | { type: 'linear'; in: number; out: number; bias: boolean }
  | {
      type: 'conv2d';
      in_channels: number;
      out_channels: number;
      kernel_size: Pair;
      stride: Pair;
      padding: Padding;
      bias: boolean;
    }
  | { type: 'maxpool2d' | 'avgpool2d'; kernel_size: Pair; stride: Pair; padding: Padding }
  | { type: 'zeropad2d'; padding: [number, number, number, number] } // left, right, top, bottom
  | { type: 'relu' | 'sigmoid' | 'tanh' | 'flatten' | 'identity' }
  | { type: 'leaky_relu'; negative_slope: number }
  | { type: 'elu'; alpha: number }
  | { type: 'dropout'; p: number };

export type LayerType = LayerSpec['type'];

export type LossName = 'cross_entropy' | 'mse';

export type OptimizerSpec =
  | { type: 'sgd'; lr: number; momentum: number; weight_decay: number; nesterov: boolean }
  | {
      type: 'adam';
      lr: number;
      betas: [number, number];
      eps: number;
      weight_decay: number;
    }
  | DampedNewtonSpec;

/** How the damped Newton optimizer picks δ_k per direction (paper §4.2). */
export type DampingSpec =
  | { type: 'constant'; value: number }
  | {
      type: 'bootstrap';
      /** Candidate δ: `count` log-spaced values from `min` to `max` (both included). */
      grid: { min: number; max: number; count: number };
      resamples: number;
      /** The lower bound is this quantile of the bootstrapped loss reductions (0.05). */
      quantile: number;
      /** shared_index: one index vector per resample for γ and λ, the step from the full
       *  means (the paper's study); independent: γ̂, λ̂ and the step's γ, λ from four
       *  independent resamples. */
      variant: 'shared_index' | 'independent';
    };

/** Newton steps in the GGN's nontrivial eigenspace with per-direction damping (paper Eq. 9
 *  without the flat part): Δθ = lr · Σ_k −γ̄_k/(λ̄_k + δ_k) e_k. */
export interface DampedNewtonSpec {
  type: 'damped_newton';
  lr: number;
  damping: DampingSpec;
  /** Directions with eigenvalue λ_k ≤ eig_threshold get no step. */
  eig_threshold: number;
  /** Keep at most the top_k largest directions (per parameter group). */
  top_k?: number;
  curvature: {
    /** GGN from the first `subsampling` samples of each batch (all when omitted). */
    subsampling?: number;
    /** 0: exact loss Hessian factor; M > 0: M Monte-Carlo samples per sample. */
    mc_samples: number;
    /** One GGN over all parameters, or a block-diagonal one per layer. */
    groups: 'whole' | 'per_layer';
  };
}

export type Normalization = 'standard' | 'none' | { mean: number; std: number };

export type DataSpec =
  | { source: 'mnist'; normalize: Normalization; train_size?: number; test_size?: number }
  | {
      source: 'synthetic';
      task: 'classification' | 'regression';
      features: number;
      /** classes for classification, output dimension for regression */
      outputs: number;
      train_size: number;
      test_size: number;
      noise: number;
      normalize: Normalization;
    }
  | {
      /** IDX files (MNIST's format) or NumPy .npy files (numpy.save), C order. */
      source: 'idx' | 'npy';
      train_images: string;
      train_labels: string;
      test_images: string;
      test_labels: string;
      normalize: Normalization;
    }
  | {
      source: 'csv';
      /** CSV files with a header row; every column but the label is a feature. */
      train: string;
      test: string;
      /** The label column's name. */
      label: string;
      /** Absent: classification when every label is an integer >= 0, else regression. */
      task?: 'classification' | 'regression';
      normalize: Normalization;
    };

export interface EvalSpec {
  /** Evaluate on held-out data every `every` steps (and after the last step). */
  every: number;
  /** How many held-out samples to use (all when omitted). */
  samples?: number;
}

/** Quantities a curvature step can record (eigenvalues are always recorded). */
export type MonitorQuantity =
  'eigenvalues' | 'gammas' | 'lambdas' | 'snr' | 'overlap' | 'layer_shares';

/** When curvature is measured: every k steps, or on log-spaced steps like Cockpit's logarithmic
 *  schedule. Step s means the parameters after s optimizer steps (before update s + 1); step 0
 *  (the initialization) is always included. */
export type CurvatureSchedule =
  | { every: number }
  /** round(10^linspace(log10 start, log10 end, points)), deduplicated, plus step 0. */
  | { log: { start: number; end: number; points: number } };

/** The run's ViViT monitoring (paper Fig. 2): which quantities, when, on which batch. */
export interface CurvatureSpec {
  quantities: MonitorQuantity[];
  schedule: CurvatureSchedule;
  /** train: the first `samples` rows of the next training batch; fixed: `samples` training
   *  samples drawn once with the seed and held for comparability across steps. */
  batch: 'train' | 'fixed';
  /** N: samples in the curvature batch (GGN and directional gradients). */
  samples: number;
  /** 0: exact loss-Hessian factor; M > 0: M Monte-Carlo vectors per sample. */
  mc_samples: number;
  groups: 'whole' | 'per_layer';
  /** Keep at most the top_k largest directions per group. */
  top_k?: number;
  /** Directions with eigenvalue λ_k <= eig_threshold are trivial (absolute, as in the paper's
   *  λ_k > 1e-4); the engine's relative float32 floor (1e-5 · max λ) applies as well. */
  eig_threshold: number;
}

/** One instrument group's schedule (the same forms as the curvature schedule). */
export type InstrumentSchedule = CurvatureSchedule;

/** Cockpit's instruments (docs/instruments.md); a group that is absent is off. */
export interface InstrumentsSpec {
  /** Per-sample gradient norms, GSNR, the three batch-size tests, CABS, TIC. */
  noise?: { schedule: InstrumentSchedule };
  /** α, update size, distance from initialization. */
  step?: { schedule: InstrumentSchedule };
  /** Gradient element histogram and per-layer parameter/gradient 2-D histograms. */
  histograms?: {
    schedule: InstrumentSchedule;
    /** Bins of the gradient histogram and of the 2-D histograms' gradient axis. */
    gradient_bins: number;
    /** Bins of the 2-D histograms' parameter axis. */
    param_bins: number;
  };
}

/** A model file a definition names instead of a layer list (`model: {onnx: path}`). */
export interface ModelFile {
  /** onnx: what torch.onnx.export writes; keras: a Keras / tfjs-layers model.json. */
  format: 'onnx' | 'keras';
  /** As written in the definition: relative to the definition file's folder. */
  path: string;
}

export interface RunDefinition {
  name: string;
  seed: number;
  data: DataSpec;
  model: LayerSpec[];
  /** Set when the layers were read from a model file; its weights are the initial values. */
  model_file?: ModelFile;
  loss: LossName;
  optimizer: OptimizerSpec;
  batch_size: number;
  /** Exactly one of steps / epochs is set after validation; steps wins if both given. */
  steps?: number;
  epochs?: number;
  eval: EvalSpec;
  /** ViViT monitoring; absent: no curvature steps. */
  curvature?: CurvatureSpec;
  /** Cockpit's instruments; absent: none. */
  instruments?: InstrumentsSpec;
}

/** A problem in a definition, pointing at the offending field (and source line when known). */
export interface DefinitionIssue {
  /** Field path like `model[3].in` or `optimizer.lr`; '' for the whole document. */
  path: string;
  message: string;
  /** 1-based line in the source file, when the parser could tell. */
  line?: number;
}

/** Format an issue as a user reads it: `file:line: model[3].in: message`. */
export function formatIssue(issue: DefinitionIssue, file?: string): string {
  const where = [file, issue.line].filter((p) => p !== undefined && p !== '').join(':');
  const field = issue.path ? `${issue.path}: ` : '';
  return `${where ? where + ': ' : ''}${field}${issue.message}`;
}
