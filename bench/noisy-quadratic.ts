// Noisy quadratic (paper Fig. 3): SGD vs damped Newton with constant and bootstrap damping.
//
//   npm run bench -- noisy-quadratic [--runs 100] [--steps 20] [--seed 0] [--check-samples 32]
//                                    [--out bench/out/noisy-quadratic.json]
//
// The study (the ViViT paper's §4.2 set-up, as specified here): f(θ) = ½ θᵀAθ, A = diag(1², …, 20²),
// θ₀ = 100·1; every step draws N = 128 fresh samples, independent per sample and direction,
//   γ_nd ~ Normal(d²θ_d, variance 5000),   λ_nd ~ Gamma(shape d⁴/50, rate d²/50),
// i.e. per-sample gradients g_n = Σ_d γ_nd e_d and GGNs G_n = Σ_d λ_nd e_d e_dᵀ. Optimizers:
// SGD lr 1e-3; damped Newton lr 1 with constant δ ∈ {1e-4, …, 100}; damped Newton lr 1 with
// bootstrap damping (shared-index, 200 δ from 1e-4 to 1e2, 100 resamples, 5% quantile). The
// damped Newton optimizer does not know the directions: it eigen-decomposes the GGN of its own
// per-sample data, keeps eigenvalues > 1e-2, projects g_n and G_n on the eigenvectors (γ_nk,
// λ_nk) and steps −lr·γ̄_k/(λ̄_k + δ_k) along each, with δ_k from the library's damping policies.
//
// Why not computeCurvature for every step: in the engine this model is a bias-free linear map
// with D = 20 outputs per sample (spec construction, below), so its Gram matrix has N·D = 2560
// rows; a dense 2560² eigendecomposition with vectors takes tens of seconds here, and the study
// needs 16 000 steps. We use the dual D×D form G = (1/N) Σ_n V_n V_nᵀ — the same nontrivial
// eigenpairs, γ_nk = e_kᵀ g_n, λ_nk = ‖V_nᵀ e_k‖² — with the engine's eigensolver, and check it
// against the real engine (createDampedNewton → computeCurvature on float64 ops, one step on
// --check-samples samples) at the start; the table prints the agreement.
//
// Output: the table of final losses and distances over the runs, the point-by-point comparison
// with the paper, and bench/out/noisy-quadratic.json with per-step curves and the bootstrap
// runs' δ_k / λ_k history. Seeded: every run draws its noise from Rng(seed + run); all
// optimizers of a run see the same noise (common random numbers).

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DampedNewtonSpec, DampingSpec, LayerSpec } from '../src/protocol/definition';
import { symmetricEigen } from '../src/vivit/linalg/index';
import { Network } from '../src/vivit/nn/network';
import { createDampedNewton } from '../src/vivit/optim/damped-newton';
import { dampingPolicy, quantile, type DirectionalDamping } from '../src/vivit/optim/damping/index';
import type { Matrix } from '../src/vivit/quantities/matrix';
import { Rng } from '../src/vivit/random';
import { float64Ops } from '../src/vivit/tensor/float64-ops';

// ------------------------------------------------------------------ options

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
function intOption(name: string, fallback: number, min: number): number {
  const v = Number(option(name, String(fallback)));
  if (!Number.isInteger(v) || v < min) {
    console.error(`--${name} must be an integer >= ${min}, got ${option(name, '')}`);
    process.exit(2);
  }
  return v;
}

const RUNS = intOption('runs', 100, 1);
const STEPS = intOption('steps', 20, 1);
const SEED = intOption('seed', 0, 0);
const CHECK_SAMPLES = intOption('check-samples', 32, 0);
const OUT = resolve(option('out', 'bench/out/noisy-quadratic.json'));

const D = 20;
const N = 128;
const THETA0 = 100;
const GAMMA_VARIANCE = 5000;
const LAMBDA_VARIANCE = 50;
const EIG_THRESHOLD = 1e-2;
const curvature = Float64Array.from({ length: D }, (_, d) => (d + 1) ** 2);

// ------------------------------------------------------------------ the problem

const loss = (theta: Float64Array) => 0.5 * theta.reduce((s, t, d) => s + curvature[d] * t * t, 0);
const distance = (theta: Float64Array) => Math.sqrt(theta.reduce((s, t) => s + t * t, 0));

/** Gamma(shape, rate) (Marsaglia & Tsang; shape < 1 through Gamma(shape + 1)·U^(1/shape)). */
function gammaSample(rng: Rng, shape: number, rate: number): number {
  if (shape < 1) {
    const u = 1 - rng.next(); // (0, 1]
    return gammaSample(rng, shape + 1, rate) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

/** One step's noise: z [N, D] standard normal and λ [N, D] > 0 (independent of θ). */
interface Noise {
  z: Float64Array;
  lambda: Float64Array;
}

function drawNoise(rng: Rng, n: number): Noise {
  const z = new Float64Array(n * D);
  const lambda = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < D; d++) {
      z[i * D + d] = rng.normal();
      const k = curvature[d];
      let l = 0;
      // The spec requires λ_nd > 0; shape d⁴/50 < 1 for d ≤ 2 can underflow to 0: redraw.
      while (!(l > 0)) l = gammaSample(rng, (k * k) / LAMBDA_VARIANCE, k / LAMBDA_VARIANCE);
      lambda[i * D + d] = l;
    }
  }
  return { z, lambda };
}

/** Per-sample gradients g_n [N, D] at θ: γ_nd = d²θ_d + √5000 z_nd along e_d. */
function sampleGradients(theta: Float64Array, noise: Noise, n: number): Float64Array {
  const g = new Float64Array(n * D);
  const sd = Math.sqrt(GAMMA_VARIANCE);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < D; d++) g[i * D + d] = curvature[d] * theta[d] + sd * noise.z[i * D + d];
  }
  return g;
}

// ------------------------------------------------------------------ damped Newton, dense form

interface DenseStep {
  /** Δθ = lr Σ_k τ_k e_k. */
  update: Float64Array;
  eigenvalues: Float64Array;
  /** Eigenvectors as rows [K, D]. */
  vectors: Float64Array;
  gammaMean: Float64Array;
  lambdaMean: Float64Array;
  damping: Float64Array;
  steps: Float64Array;
}

/**
 * The damped Newton step from per-sample gradients g [N, D] and per-sample GGN factors: here
 * V_n = diag(√λ_n) (D vectors per sample), so G_n = V_n V_nᵀ. Dense D×D, generic in the data.
 */
function denseDampedNewton(
  g: Float64Array,
  lambda: Float64Array,
  n: number,
  policy: DirectionalDamping,
  lr: number,
): DenseStep {
  // G = (1/N) Σ_n V_n V_nᵀ, written generally (V_n's columns are √λ_nd e_d).
  const ggn = new Float64Array(D * D);
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < D; m++) {
      const v = new Float64Array(D);
      v[m] = Math.sqrt(lambda[i * D + m]);
      for (let a = 0; a < D; a++) {
        if (v[a] === 0) continue;
        for (let b = 0; b < D; b++) ggn[a * D + b] += (v[a] * v[b]) / n;
      }
    }
  }
  const eig = symmetricEigen(ggn, D, { vectors: true });
  let k = 0;
  while (k < D && eig.values[k] > EIG_THRESHOLD) k++;
  const vectors = new Float64Array(k * D);
  for (let j = 0; j < k; j++)
    for (let a = 0; a < D; a++) vectors[j * D + a] = eig.vectors![a * D + j];
  // γ_nk = e_kᵀ g_n, λ_nk = ‖V_nᵀ e_k‖² = Σ_m λ_nm e_km².
  const gammas: Matrix = { rows: n, cols: k, data: new Float64Array(n * k) };
  const lambdas: Matrix = { rows: n, cols: k, data: new Float64Array(n * k) };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      let gam = 0;
      let lam = 0;
      for (let a = 0; a < D; a++) {
        const e = vectors[j * D + a];
        gam += e * g[i * D + a];
        lam += lambda[i * D + a] * e * e;
      }
      gammas.data[i * k + j] = gam;
      lambdas.data[i * k + j] = lam;
    }
  }
  const gammaMean = columnMean(gammas);
  // Orient e_k so that γ̄_k ≥ 0, as the engine's 'gradient' sign rule does.
  for (let j = 0; j < k; j++) {
    if (gammaMean[j] >= 0) continue;
    gammaMean[j] = -gammaMean[j];
    for (let i = 0; i < n; i++) gammas.data[i * k + j] *= -1;
    for (let a = 0; a < D; a++) vectors[j * D + a] *= -1;
  }
  const lambdaMean = columnMean(lambdas);
  const damping = k > 0 ? policy(gammas, lambdas) : new Float64Array(0);
  const steps = new Float64Array(k);
  const update = new Float64Array(D);
  for (let j = 0; j < k; j++) {
    const tau = damping[j] === Infinity ? 0 : -gammaMean[j] / (lambdaMean[j] + damping[j]);
    steps[j] = tau;
    for (let a = 0; a < D; a++) update[a] += lr * tau * vectors[j * D + a];
  }
  return {
    update,
    eigenvalues: eig.values.slice(0, k),
    vectors,
    gammaMean,
    lambdaMean,
    damping,
    steps,
  };
}

function columnMean(m: Matrix): Float64Array {
  const out = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) out[j] += m.data[i * m.cols + j];
  return out.map((v) => v / m.rows);
}

// ------------------------------------------------------------------ optimizers

interface OptimizerCase {
  name: string;
  /** One update from the step's noise; history gets the bootstrap's per-direction data. */
  create(
    runSeed: number,
  ): (theta: Float64Array, noise: Noise) => { update: Float64Array; dense?: DenseStep };
}

const constantDeltas = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100];
const bootstrapSpec: DampingSpec = {
  type: 'bootstrap',
  grid: { min: 1e-4, max: 1e2, count: 200 },
  resamples: 100,
  quantile: 0.05,
  variant: 'shared_index',
};

function newtonCase(name: string, damping: DampingSpec): OptimizerCase {
  return {
    name,
    create(runSeed) {
      // The same stream name as createDampedNewton, so the engine check can reproduce it.
      const policy = dampingPolicy(damping, new Rng(runSeed, 'damped-newton-bootstrap'));
      return (theta, noise) => {
        const dense = denseDampedNewton(
          sampleGradients(theta, noise, N),
          noise.lambda,
          N,
          policy,
          1,
        );
        return { update: dense.update, dense };
      };
    },
  };
}

const optimizers: OptimizerCase[] = [
  {
    name: 'SGD lr 1e-3',
    create: () => (theta, noise) => {
      const g = sampleGradients(theta, noise, N);
      const update = new Float64Array(D);
      for (let i = 0; i < N; i++)
        for (let d = 0; d < D; d++) update[d] -= (1e-3 * g[i * D + d]) / N;
      return { update };
    },
  },
  ...constantDeltas.map((delta) =>
    newtonCase(`DN δ=${delta.toExponential(0)}`, { type: 'constant', value: delta }),
  ),
  newtonCase('DN bootstrap', bootstrapSpec),
];
const BOOTSTRAP = optimizers.length - 1;

// ------------------------------------------------------------------ engine cross-check

/**
 * The spec's construction for a generic engine: a bias-free linear model with weight θ, MSE
 * (mean), sample n's input rows x_nd = √(D/2)·√λ_nd·e_d and targets y_nd =
 * √(D/2)·(√λ_nd·θ_d − γ_nd/√λ_nd), so g_n = Σ_d γ_nd e_d and G_n = Σ_d λ_nd e_d e_dᵀ. In our
 * layers: the D rows of a sample form a [1, D, D] image, a conv2d with a 1×D kernel (weight θ)
 * maps each row to θᵀx_nd, and flatten gives the D outputs.
 */
async function engineCheck(
  samples: number,
  seed: number,
): Promise<{ name: string; stepErr: number; deltaMismatch: number; k: number }[]> {
  const layers: LayerSpec[] = [
    {
      type: 'conv2d',
      in_channels: 1,
      out_channels: 1,
      kernel_size: [1, D],
      stride: 1,
      padding: 0,
      bias: false,
    },
    { type: 'flatten' },
  ];
  const network = new Network(layers, [1, D, D]);
  const rng = new Rng(seed, 'noisy-quadratic-check');
  const theta = Float64Array.from({ length: D }, () => THETA0 * (0.5 + rng.next()));
  const noise = drawNoise(rng, samples);
  const g = sampleGradients(theta, noise, samples);
  const c = Math.sqrt(D / 2);
  const x = new Float64Array(samples * D * D);
  const y = new Float64Array(samples * D);
  for (let i = 0; i < samples; i++) {
    for (let d = 0; d < D; d++) {
      const l = Math.sqrt(noise.lambda[i * D + d]);
      x[i * D * D + d * D + d] = c * l;
      y[i * D + d] = c * (l * theta[d] - g[i * D + d] / l);
    }
  }
  const ops = float64Ops;
  const model = {
    ops,
    network,
    params: network.paramsFromTorch(ops, [theta]),
    loss: 'mse' as const,
  };
  const batch = { x: ops.fromArray(x, [samples, 1, D, D]), y: ops.fromArray(y, [samples, D]) };
  const cases: [string, DampingSpec][] = [
    ['constant δ=1e-2', { type: 'constant', value: 1e-2 }],
    ['bootstrap', bootstrapSpec],
  ];
  const out = [];
  for (const [name, damping] of cases) {
    const spec: DampedNewtonSpec = {
      type: 'damped_newton',
      lr: 1,
      damping,
      eig_threshold: EIG_THRESHOLD,
      curvature: { mc_samples: 0, groups: 'whole' },
    };
    const engine = await createDampedNewton(spec, seed).direction(model, batch);
    const dense = denseDampedNewton(
      g,
      noise.lambda,
      samples,
      dampingPolicy(damping, new Rng(seed, 'damped-newton-bootstrap')),
      1,
    );
    const step = engine.update[0];
    let diff = 0;
    let ref = 0;
    for (let a = 0; a < D; a++) {
      diff = Math.max(diff, Math.abs(step[a] - dense.update[a]));
      ref = Math.max(ref, Math.abs(dense.update[a]));
    }
    const deltas = engine.report.damping;
    const mismatch =
      deltas.length === dense.damping.length
        ? deltas.filter((v, j) => v !== dense.damping[j]).length
        : Math.max(deltas.length, dense.damping.length);
    out.push({ name, stepErr: diff / ref, deltaMismatch: mismatch, k: deltas.length });
  }
  return out;
}

// ------------------------------------------------------------------ the study

interface Summary {
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
  mean: number;
}

function summarize(values: readonly number[]): Summary {
  return {
    median: quantile(values, 0.5),
    q1: quantile(values, 0.25),
    q3: quantile(values, 0.75),
    min: Math.min(...values),
    max: Math.max(...values),
    mean: values.reduce((s, v) => s + v, 0) / values.length,
  };
}

const t0 = performance.now();
const initialLoss = loss(new Float64Array(D).fill(THETA0));
const initialDistance = distance(new Float64Array(D).fill(THETA0));

let check: Awaited<ReturnType<typeof engineCheck>> = [];
if (CHECK_SAMPLES > 0) check = await engineCheck(CHECK_SAMPLES, SEED);

/** losses[o][step][run], distances likewise (step 0 = initial). */
const losses = optimizers.map(() => Array.from({ length: STEPS + 1 }, () => [] as number[]));
const distances = optimizers.map(() => Array.from({ length: STEPS + 1 }, () => [] as number[]));
/** Bootstrap: per run, per step, per true direction d: δ and λ̄ (the eigenvector's direction). */
interface DirectionLog {
  d: number;
  eigenvalue: number;
  lambdaMean: number;
  gammaMean: number;
  delta: number;
  relativeDamping: number;
}
const bootstrapLog: DirectionLog[][][] = [];

for (let run = 0; run < RUNS; run++) {
  const runSeed = SEED * 1_000_003 + run;
  // Noise for the whole run, shared by all optimizers.
  const noiseRng = new Rng(runSeed, 'noisy-quadratic-data');
  const noise = Array.from({ length: STEPS }, () => drawNoise(noiseRng, N));
  optimizers.forEach((opt, o) => {
    const step = opt.create(runSeed);
    const theta = new Float64Array(D).fill(THETA0);
    losses[o][0].push(loss(theta));
    distances[o][0].push(distance(theta));
    const log: DirectionLog[][] = [];
    for (let s = 0; s < STEPS; s++) {
      const { update, dense } = step(theta, noise[s]);
      for (let d = 0; d < D; d++) theta[d] += update[d];
      losses[o][s + 1].push(loss(theta));
      distances[o][s + 1].push(distance(theta));
      if (o === BOOTSTRAP && dense) log.push(directionLog(dense));
    }
    if (o === BOOTSTRAP) bootstrapLog.push(log);
  });
}
const seconds = (performance.now() - t0) / 1000;

/** Maps each kept eigenvector to its true direction d (largest entry) for the history. */
function directionLog(dense: DenseStep): DirectionLog[] {
  const out: DirectionLog[] = [];
  for (let j = 0; j < dense.eigenvalues.length; j++) {
    let best = 0;
    for (let a = 1; a < D; a++) {
      if (Math.abs(dense.vectors[j * D + a]) > Math.abs(dense.vectors[j * D + best])) best = a;
    }
    out.push({
      d: best + 1,
      eigenvalue: dense.eigenvalues[j],
      lambdaMean: dense.lambdaMean[j],
      gammaMean: dense.gammaMean[j],
      delta: dense.damping[j],
      relativeDamping: dense.damping[j] / curvature[best],
    });
  }
  return out.sort((a, b) => a.d - b.d);
}

// ------------------------------------------------------------------ report

const fmt = (v: number) =>
  Number.isNaN(v)
    ? '—'
    : !Number.isFinite(v)
      ? String(v)
      : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0)
        ? v.toExponential(2)
        : v.toPrecision(3);
const finalLoss = optimizers.map((_, o) => summarize(losses[o][STEPS]));
const finalDistance = optimizers.map((_, o) => summarize(distances[o][STEPS]));
const aboveInitial = optimizers.map(
  (_, o) => losses[o][STEPS].filter((l) => l > initialLoss).length,
);

console.log(
  `Noisy quadratic (D = ${D}, N = ${N}, ${STEPS} steps, ${RUNS} runs, seed ${SEED}): ` +
    `initial loss ${initialLoss.toExponential(4)}, initial distance ${initialDistance.toFixed(1)}; ${seconds.toFixed(1)} s\n`,
);
if (check.length > 0) {
  console.log(
    `Engine cross-check (computeCurvature via createDampedNewton, float64, N = ${CHECK_SAMPLES}, one step):`,
  );
  for (const c of check) {
    console.log(
      `  ${c.name.padEnd(16)} K = ${c.k}, step max rel. diff ${c.stepErr.toExponential(1)}, δ_k differing: ${c.deltaMismatch}`,
    );
  }
  console.log('');
}
const header = [
  'optimizer'.padEnd(17),
  ...['loss med', 'q1', 'q3', 'min', 'max', 'mean'].map((h) => h.padStart(9)),
  ' |',
  ...['dist med', 'q1', 'q3', 'min', 'max', 'mean'].map((h) => h.padStart(9)),
  ' | >init',
].join('');
console.log(header);
console.log('-'.repeat(header.length));
optimizers.forEach((opt, o) => {
  const l = finalLoss[o];
  const d = finalDistance[o];
  console.log(
    [
      opt.name.padEnd(17),
      ...[l.median, l.q1, l.q3, l.min, l.max, l.mean].map((v) => fmt(v).padStart(9)),
      ' |',
      ...[d.median, d.q1, d.q3, d.min, d.max, d.mean].map((v) => fmt(v).padStart(9)),
      ' | ' + String(aboveInitial[o]).padStart(5),
    ].join(''),
  );
});

// Bootstrap damping by true direction: median over runs of δ_d and δ_d/d² at a few steps.
const steps = [1, Math.ceil(STEPS / 4), Math.ceil(STEPS / 2), STEPS].filter(
  (s, i, a) => a.indexOf(s) === i,
);
const dampingAt = (s: number, d: number, key: 'delta' | 'relativeDamping') =>
  bootstrapLog
    .map((log) => log[s - 1].find((e) => e.d === d)?.[key] ?? Number.NaN)
    .filter((v) => !Number.isNaN(v));
const dShown = [1, 2, 3, 5, 10, 15, 20];
const finite = (v: number[]) => v.filter((x) => Number.isFinite(x));
const infShare = (v: number[]) => v.filter((x) => x === Infinity).length / Math.max(1, v.length);
console.log(
  `\nBootstrap damping by true direction d (curvature d²): median over runs of δ_d/d² among the ` +
    `finite δ_d, and [share of runs with δ_d = inf: no step], at steps ${steps.join(', ')}:`,
);
console.log('  d   ' + steps.map((s) => `step ${s}`.padStart(18)).join(''));
for (const d of dShown) {
  console.log(
    `  ${String(d).padEnd(3)} ` +
      steps
        .map((s) => {
          const rel = dampingAt(s, d, 'relativeDamping');
          return `${fmt(quantile(finite(rel), 0.5))} [${(100 * infShare(rel)).toFixed(0)}%]`.padStart(
            18,
          );
        })
        .join(''),
  );
}

// ------------------------------------------------------------------ the paper's claims

const names = optimizers.map((o) => o.name);
const at = (name: string) => names.indexOf(name);
const small = at('DN δ=1e-4');
const large = at('DN δ=1e+2');
const sgd = at('SGD lr 1e-3');
const band = (s: number, ds: number[], key: 'delta' | 'relativeDamping') =>
  ds.flatMap((d) => dampingAt(s, d, key));
const describeBand = (s: number, ds: number[]) =>
  `δ/d² ${fmt(quantile(finite(band(s, ds, 'relativeDamping')), 0.5))}, δ ${fmt(
    quantile(finite(band(s, ds, 'delta')), 0.5),
  )}, inf ${(100 * infShare(band(s, ds, 'delta'))).toFixed(0)}%`;
const low = [1, 2, 3, 4, 5];
const high = [16, 17, 18, 19, 20];
const bestMedian = finalDistance.reduce(
  (b, s, o) => (s.median < finalDistance[b].median ? o : b),
  0,
);
const iqr = (s: Summary) => s.q3 - s.q1;
console.log('\nAgainst the paper (Fig. 3):');
console.log(
  `  1. δ = 1e-4 unstable: final loss mean/median = ${fmt(finalLoss[small].mean / finalLoss[small].median)}, ` +
    `max distance ${fmt(finalDistance[small].max)} (initial ${initialDistance.toFixed(1)}), ` +
    `${aboveInitial[small]} runs end above the initial loss`,
);
console.log(
  `  2. δ = 100 like slow SGD: median final distance ${fmt(finalDistance[large].median)} vs SGD ${fmt(finalDistance[sgd].median)} ` +
    `(median final loss ${fmt(finalLoss[large].median)} vs ${fmt(finalLoss[sgd].median)})`,
);
const bestConstant = constantDeltas
  .map((delta) => at(`DN δ=${delta.toExponential(0)}`))
  .reduce((b, o) => (finalDistance[o].median < finalDistance[b].median ? o : b));
console.log(
  `  3. smallest median final distance: ${names[bestMedian]} (${fmt(finalDistance[bestMedian].median)}); ` +
    `bootstrap ${fmt(finalDistance[BOOTSTRAP].median)} (IQR ${fmt(iqr(finalDistance[BOOTSTRAP]))}, ` +
    `max ${fmt(finalDistance[BOOTSTRAP].max)}); best constant ${names[bestConstant]} ` +
    `${fmt(finalDistance[bestConstant].median)} (IQR ${fmt(iqr(finalDistance[bestConstant]))}, ` +
    `max ${fmt(finalDistance[bestConstant].max)})`,
);
console.log(
  '  4. bootstrap damping by curvature band (medians over runs, finite δ only; inf = no step):',
);
for (const st of steps) {
  console.log(
    `     step ${String(st).padEnd(3)} d ≤ 5: ${describeBand(st, low)}   |   d ≥ 16: ${describeBand(st, high)}`,
  );
}

// ------------------------------------------------------------------ JSON

const curves = optimizers.map((opt, o) => ({
  name: opt.name,
  steps: losses[o].map((l, s) => ({
    step: s,
    loss: summarize(l),
    distance: summarize(distances[o][s]),
  })),
  final: { loss: finalLoss[o], distance: finalDistance[o], runsAboveInitialLoss: aboveInitial[o] },
}));
const output = {
  config: {
    D,
    N,
    steps: STEPS,
    runs: RUNS,
    seed: SEED,
    theta0: THETA0,
    gammaVariance: GAMMA_VARIANCE,
    lambdaVariance: LAMBDA_VARIANCE,
    eigThreshold: EIG_THRESHOLD,
    constantDeltas,
    bootstrap: bootstrapSpec,
    initialLoss,
    initialDistance,
  },
  engineCheck: check,
  optimizers: curves,
  bootstrap: {
    /** Run 0's full history: per step, per true direction d. */
    run0: bootstrapLog[0]?.map((entries, s) => ({ step: s + 1, directions: entries })),
    /** Median over runs of δ_d and δ_d/d², per step and direction. */
    medians: Array.from({ length: STEPS }, (_, s) => ({
      step: s + 1,
      directions: Array.from({ length: D }, (_, d) => ({
        d: d + 1,
        delta: quantile(dampingAt(s + 1, d + 1, 'delta'), 0.5),
        relativeDamping: quantile(dampingAt(s + 1, d + 1, 'relativeDamping'), 0.5),
      })),
    })),
  },
};
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(
  OUT,
  JSON.stringify(
    output,
    (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v),
    1,
  ),
);
console.log(`\nwrote ${OUT}`);
