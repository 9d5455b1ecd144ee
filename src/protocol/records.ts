// Session-log records: the JSON Lines file written by the host is the source of truth, and the
// renderer's stores are driven by exactly these records, live or replayed. Arrays of numbers
// are Float64Arrays everywhere in memory and on the wire (worker → host → renderer); the log
// writes them as JSON lists and reading it turns them back into Float64Arrays.
import type { RunDefinition } from './definition';

export const LOG_FORMAT = 'vivit-monitor-log';
export const LOG_VERSION = 1;

export type BackendName = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendReport {
  chosen: BackendName;
  /** The device it runs on, where that says more than the name (webgpu: the GPU adapter). */
  device?: string;
  /** Backends tried before the chosen one, each with why it was skipped. */
  skipped: { backend: BackendName; reason: string }[];
}

export interface HeaderRecord {
  type: 'header';
  format: typeof LOG_FORMAT;
  version: typeof LOG_VERSION;
  name: string;
  definition: RunDefinition;
  /** Path of the definition file the run came from, if any. */
  definitionPath?: string;
  backend: BackendReport;
  /** Versions of the app, Node, tfjs, ... */
  versions: Record<string, string>;
  /** ISO 8601 start time. */
  startTime: string;
  parameterCount: number;
  trainSamples: number;
  testSamples: number;
  /**
   * Optimizer steps the run was started for: --steps, else the definition's steps, else its
   * epochs of full batches. Absent in logs written before it was recorded (read it with
   * `plannedSteps` from ./plan, which falls back to the definition).
   */
  plannedSteps?: number;
}

export interface StepRecord {
  type: 'step';
  step: number; // 1-based: the number of optimizer steps taken so far
  epoch: number; // 0-based epoch the step belongs to (fractional progress not included)
  loss: number; // mean training loss on the step's batch, before the update
  accuracy?: number; // training accuracy on the batch (classification only)
  time: number; // seconds since the run started, excluding paused time
  stepMs: number; // wall time of this step
  samplesPerSec: number; // throughput over recent steps
}

export interface EvalRecord {
  type: 'eval';
  step: number;
  loss: number;
  accuracy?: number;
  samples: number;
}

export interface EpochRecord {
  type: 'epoch';
  epoch: number; // the epoch just completed (0-based)
  step: number;
}

export type RunEventKind = 'started' | 'paused' | 'resumed' | 'stopped' | 'finished' | 'error';

export interface EventRecord {
  type: 'event';
  step: number;
  kind: RunEventKind;
  message?: string;
  time: string; // ISO 8601
}

/**
 * What the damped Newton optimizer did in one step (optimizer type damped_newton only), for
 * the kept directions of every parameter group (groups in order, directions by descending
 * eigenvalue). Non-finite numbers (δ_k = Infinity: no step along e_k) are written as the
 * strings "Infinity"/"NaN" in the log, like every number in a record.
 */
export interface DampingRecord {
  type: 'damping';
  step: number; // the step this update belongs to (same numbering as StepRecord)
  /** Kept directions per parameter group; the arrays below hold the groups one after another. */
  groupSizes: number[];
  /** λ̄_k: mean over the GGN samples of the per-sample directional curvatures λ_nk. */
  lambdaMean: Float64Array;
  /** γ̄_k: mean over the batch of the per-sample directional gradients γ_nk. */
  gammaMean: Float64Array;
  /** δ_k; Infinity means no step along e_k (the bootstrap found no safe damping). */
  damping: Float64Array;
  /** lr · τ_k = −lr · γ̄_k / (λ̄_k + δ_k): the signed step taken along e_k. */
  stepLength: Float64Array;
  /** Change of the quadratic model Σ_k (γ̄_k s_k + ½ λ̄_k s_k²), s_k = stepLength[k]. */
  predictedChange: number;
  /** Batch loss after the update minus before, on the same batch (same dropout masks). */
  actualChange: number;
}

/** One parameter group's ViViT quantities at a curvature step (paper §2, Fig. 2). Arrays are
 *  indexed by direction k over the K nontrivial eigenvalues, descending. */
export interface CurvatureGroup {
  /** 'all' for the whole net, or e.g. 'model[1] linear' for a per-layer group. */
  name: string;
  /** Indices into the network's flat parameter list (PyTorch order). */
  params: number[];
  eigenvalues: Float64Array; // λ_k of the Gram matrix (= GGN eigenvalues)
  gammaMean: Float64Array; // γ̄_k = mean_n γ_nk
  lambdaMean: Float64Array; // λ̄_k = mean_n λ_nk
  snrGamma: Float64Array; // γ̄_k² / var_n γ_nk (variance divides by N)
  snrLambda: Float64Array; // λ̄_k² / var_n λ_nk
  overlap: Float64Array; // γ̄_k² / ‖g‖²
  flatRemainder: number; // max(0, 1 − Σ_k overlap_k)
  /** tr(G̃): the trace of the group's Gram matrix = the trace of its GGN block, over all
   *  eigenvalues (also those cut by top_k). Absent in logs written before it was recorded. */
  ggnTrace?: number;
  /** Share of ‖e_k‖² per layer with parameters ([rows][layers]; rows sum to 1), for the
   *  leading directions only (at most 64 rows per group, see worker/curvature/monitor.ts). */
  layerShares?: Float64Array[];
}

export interface CurvatureRecord {
  type: 'curvature';
  step: number; // parameters after `step` optimizer steps (0 = at initialization)
  /** Which batch: the step's training batch, or a fixed batch held for comparability. */
  batch: 'train' | 'fixed';
  samples: number; // N used for the GGN (after sub-sampling)
  gradSamples: number; // N used for the directional gradients
  mcSamples: number; // 0 = exact
  loss: number; // mean loss on that batch
  gradNorm: number; // ‖g‖ of the mean gradient on that batch
  /** Names of the layers with parameters, for layerShares columns. */
  layerNames: string[];
  groups: CurvatureGroup[];
  /** Where the Gram eigenproblems were solved: 'host' (float64 on the CPU), 'device' (the
   *  full device eigensolver, WebGPU) or 'device-leading' (top-k by subspace iteration on the
   *  device). Absent in logs written before 2026-12-05. */
  eigensolver?: 'host' | 'device' | 'device-leading';
  /** Milliseconds per stage (forward, sweep, eigen, quantities, eigenvectors, …). */
  timings: Record<string, number>;
}

/** Pictures of some samples of an inspect record (image data only). */
export interface SampleImages {
  width: number;
  height: number;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
  /** Which samples: positions n into the record's gammas / lambdas / sampleIndices. */
  positions: number[];
  /** positions.length images of height × width × channels bytes each ([H, W, C] order); the
   *  log stores them as one base64 string. */
  pixels: Uint8Array;
}

/** Per-sample detail for one direction, computed on request while paused (the inspector). */
export interface InspectRecord {
  type: 'inspect';
  step: number;
  group: number; // index into CurvatureRecord.groups of the latest curvature step
  direction: number; // k
  eigenvalue: number;
  gammas: Float64Array; // γ_nk per sample
  lambdas: Float64Array; // λ_nk per sample
  /** Sample indices into the training set (to show images for image data). */
  sampleIndices: number[];
  layerNames: string[];
  layerShares: Float64Array; // share of ‖e_k‖² per layer
  /** Loss along the direction: L(θ + t·e_k) for t on a grid, and the quadratic model. */
  slice: { t: Float64Array; loss: Float64Array; quadratic: Float64Array };
  /** L: mean loss on the batch at t = 0 (the quadratic model's constant). */
  loss?: number;
  /** γ̄_k = mean of gammas (the model's slope; ≥ 0 by the worker's sign convention). */
  gammaMean?: number;
  /** λ̄_k = mean of lambdas (equals the eigenvalue up to rounding). */
  lambdaMean?: number;
  /** The samples with the largest |γ_nk| and the largest λ_nk, as pictures (image data). */
  images?: SampleImages;
}

/**
 * Cockpit's gradient-noise and batch-size instruments at one step (definition
 * `instruments.noise`), on the step's training batch at the parameters before update step + 1.
 * g_n is sample n's own gradient, ḡ their mean (docs/instruments.md has every formula).
 */
export interface NoiseRecord {
  type: 'noise';
  step: number;
  batch: number; // B
  loss: number; // batch-mean loss
  gradNorm: number; // ‖ḡ‖
  /** ‖g_n‖ per sample (length B): the panel draws their histogram. */
  sampleGradNorms: Float64Array;
  meanGsnr: number; // mean over parameter elements of ḡ_j² / (σ_j² + 1e-5)
  normTest: number; // θ of the norm test (passes for θ ≥ this; Cockpit draws θ = 1)
  innerProductTest: number; // θ of the inner-product test
  orthogonalityTest: number; // ν of the orthogonality test
  /** CABS batch size for the optimizer's learning rate (SGD and damped Newton: their lr;
   *  Adam: absent, CABS assumes an SGD step). */
  cabsBatchSize?: number;
  /** tr(GGN) of the batch-mean loss, estimated with one Monte-Carlo sample per example. */
  ggnTrace: number;
  tic: number; // TIC, trace form: tr(C) / (tr(GGN) + 1e-7)
}

/** Where an update landed and how far the parameters moved (definition `instruments.step`). */
export interface StepQualityRecord {
  type: 'step_quality';
  step: number; // the update taken: parameters after step − 1 → after step
  /** α on the 1-D quadratic fitted along the update (Cockpit's Alpha): 0 the minimum, 1 the
   *  far side, < 0 short, > 1 overshot; null when no fit exists (a zero update). */
  alpha: number | null;
  lossBefore: number; // batch-mean loss at the start of the update
  lossAfter: number; // on the same batch after it
  slopeBefore: number; // mean directional derivative along the update direction, before
  slopeAfter: number; // … and after
  updateSize: number; // ‖θ_step − θ_{step−1}‖
  distance: number; // ‖θ_step − θ_0‖
  /** Per parameter tensor (network order): ‖Δθ‖ and ‖θ − θ_0‖. */
  updateSizes: Float64Array;
  distances: Float64Array;
}

/** A histogram over [edges[0], edges[bins]]; values outside count into the edge bins. */
export interface Histogram1d {
  edges: Float64Array; // bins + 1 ascending
  counts: Float64Array; // bins
}

/** Counts over a grid: rows are parameter-value bins, columns gradient-value bins. */
export interface LayerHistogram2d {
  layer: string; // layer name, as in CurvatureRecord.layerNames
  paramEdges: Float64Array; // rows + 1
  gradEdges: Float64Array; // columns + 1
  counts: Float64Array; // rows × columns, row-major
}

/** Cockpit's GradHist1d and GradHist2d at one step (definition `instruments.histograms`):
 *  the individual gradient elements g_nj (every sample n, every parameter element j). */
export interface HistogramRecord {
  type: 'histogram';
  step: number;
  batch: number;
  gradient: Histogram1d;
  layers: LayerHistogram2d[];
}

export type LogRecord =
  | HeaderRecord
  | StepRecord
  | EvalRecord
  | EpochRecord
  | EventRecord
  | DampingRecord
  | CurvatureRecord
  | InspectRecord
  | NoiseRecord
  | StepQualityRecord
  | HistogramRecord;
/** Records after the header. */
export type BodyRecord = Exclude<LogRecord, HeaderRecord>;
