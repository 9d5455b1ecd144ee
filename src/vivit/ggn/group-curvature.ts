// Everything one parameter group gets after the sweep, in the order the paper builds it:
// the nontrivial eigenpairs of its Gram matrix (Eq. 4), directional derivatives from Gram space
// (Eq. 8), signs, then — only when asked — the lift through V for eigenvectors (Eq. 5) and the
// damped Newton step assembled as one Gram-space row (Eq. 9, §2.3).

import type { CurvatureTimings, EigenRoute, GroupCurvature } from '../curvature-types';
import {
  blockSquares,
  columnMeans,
  directionalCurvatures,
  directionalGradients,
  flipColumns,
  flipEntries,
  flipRows,
  gammaProduct,
  gammasFromProduct,
  gradientOverlap,
  gradientSigns,
  gramLayerShares,
  gramSpectrum,
  largestEntrySign,
  lambdasFromBlockSquares,
  newtonCoefficients,
  normSharesByLayer,
  resolveDamping,
  signalToNoise,
  type Matrix,
  type Spectrum,
} from '../quantities/index';
import { formEigenvectors, largestEntrySigns } from './directions';
import type { ParamGroup } from './groups';
import { liftRows, torchRowsAll, type LiftContext } from './lift';
import type { CurvaturePlan } from './plan';
import type { SweepGroup } from './sweep';
import { deviceGramSpectrum } from './device-spectrum';
import { leadingGramSpectrum } from './leading-spectrum';
import { DeviceEigenError } from '../linalg/webgpu/symmetric-eigen-webgpu';
import { readAll, scaledCopy } from '../tensor/read';

export interface GroupInput<T> {
  plan: CurvaturePlan;
  lift: LiftContext<T>;
  group: ParamGroup;
  index: number;
  sweep: SweepGroup<T>;
  /** G̃ = (1/N_S) Σ gram(S, S) in float64 on the host (consumed: the eigensolver works on it)
   *  for route 'host', else null. */
  gram: Float64Array | null;
  /** Where the eigenproblem is solved (curvature.ts chooses). */
  route: EigenRoute;
  /** Vectors per sample in the S-stack. */
  m: number;
  /** Mean gradient, every parameter, PyTorch layout. */
  gradient: readonly Float64Array[];
  /** Stage timings, accumulated into. */
  timings: CurvatureTimings;
}

export interface GroupOutput {
  result: GroupCurvature;
  /** Where its eigenproblem was solved: the input's route, or 'host' after a failed device
   *  solve. */
  eigensolver: EigenRoute;
  /** The Newton step per group parameter (PyTorch layout), when asked. */
  step: Float64Array[] | null;
}

export async function groupCurvature<T>(input: GroupInput<T>): Promise<GroupOutput> {
  const { plan, lift, group, sweep, m, timings } = input;
  const { ops, network } = lift;
  const { want, nS } = plan;
  const n = nS * m;

  // ---- eigenpairs of G̃
  let mark = performance.now();
  // tr G̃ = Σ of all its eigenvalues = tr of the group's GGN block: from the host copy before the
  // eigensolver consumes it, or read on the device with the solver's first product.
  let spectrum: Spectrum;
  let ggnTrace: number;
  let route = input.route;
  const solver = route === 'device' ? (ops.deviceEigensolver?.() ?? null) : null;
  // The device solver's eigenvector rows, still on the device (used for γ, then released).
  let vectorsOnDevice: T | null = null;
  // The trace first: the eigensolver may consume the host copy.
  const onHost = (gram: Float64Array): [Spectrum, number] => {
    const trace = diagonalSum(gram, n);
    const hostSpectrum = gramSpectrum(gram, n, {
      eigRtol: plan.eigRtol,
      topK: plan.topK,
      vectors: plan.gramVectors,
      vectorAccuracy: plan.precision,
    });
    return [hostSpectrum, trace];
  };
  if (input.gram) {
    [spectrum, ggnTrace] = onHost(input.gram);
  } else if (solver !== null) {
    try {
      const full = await deviceGramSpectrum(ops, solver, sweep.gram, n, {
        eigRtol: plan.eigRtol,
        topK: plan.topK,
        vectors: plan.gramVectors,
        hostVectors: plan.gramVectorsOnHost,
        scale: 1 / nS,
      });
      vectorsOnDevice = full.vectorsOnDevice;
      const split = (timings.deviceEigen ??= { reduce: 0, tridiagonal: 0, backTransform: 0 });
      split.reduce += full.stages.reduce;
      split.tridiagonal += full.stages.tridiagonal;
      split.backTransform += full.stages.backTransform;
      spectrum = full;
      ggnTrace = full.trace;
    } catch (error) {
      // A failed device solve costs this step a host solve, never the step (the solver turns
      // itself off; the host reports bad input by name).
      if (!(error instanceof DeviceEigenError)) throw error;
      [spectrum, ggnTrace] = onHost(await scaledCopy(ops, sweep.gram, 1 / nS));
      route = 'host';
    }
  } else {
    const leading = await leadingGramSpectrum(ops, sweep.gram, n, {
      k: plan.topK ?? n,
      eigRtol: plan.eigRtol,
      vectors: plan.gramVectors,
      scale: 1 / nS,
      seed: plan.seed,
      trace: true,
    });
    spectrum = leading;
    ggnTrace = leading.trace ?? Number.NaN;
  }
  timings.eigen += performance.now() - mark;

  // ---- quantities in Gram space
  mark = performance.now();
  const k = spectrum.values.length;
  const res: GroupCurvature = {
    params: group.params,
    layers: group.layers,
    gramSize: n,
    nontrivialCount: spectrum.nontrivial,
    eigenvalues: spectrum.values,
    ggnTrace,
  };
  let gammas: Matrix | null = null;
  let lambdas: Matrix | null = null;
  // The sweep's sums use ∇_f of the MEAN loss and unscaled columns: P = (N/√N_S)·P_raw.
  const gammaScale = plan.batch / Math.sqrt(nS);
  const projections = plan.needGammas ? sweep.projections : null;
  try {
    if (vectorsOnDevice !== null && spectrum.vectors === null && k > 0) {
      // The vectors never left the device: γ's product and λ's block sums, one read.
      const rows = vectorsOnDevice;
      const wanted = [
        projections ? gammaProduct(ops, spectrum, projections, rows) : null,
        plan.needLambdas ? blockSquares(ops, rows, nS, m) : null,
      ];
      const present = wanted.filter((t): t is T => t !== null);
      let raws: ArrayLike<number>[];
      try {
        raws = await readAll(ops, present);
      } finally {
        ops.dispose(present);
      }
      if (projections) {
        gammas = gammasFromProduct(
          raws.shift()!,
          spectrum.values,
          ops.shape(projections)[1],
          gammaScale,
        );
      }
      if (plan.needLambdas) lambdas = lambdasFromBlockSquares(raws.shift()!, spectrum.values, nS);
    } else {
      if (projections) {
        gammas = await directionalGradients(
          ops,
          spectrum,
          projections,
          gammaScale,
          vectorsOnDevice,
        );
      }
      if (plan.needLambdas) lambdas = directionalCurvatures(spectrum, nS, m);
    }
  } finally {
    if (vectorsOnDevice !== null) ops.dispose(vectorsOnDevice);
  }
  const gammaMean = gammas ? columnMeans(gammas) : null;
  const lambdaMean = lambdas ? columnMeans(lambdas) : null;
  if (plan.signs === 'gradient' && gammas && gammaMean) {
    flipAll(spectrum, gradientSigns(gammaMean), gammas, gammaMean);
  }
  if (want.has('layerShares')) {
    const blocks = group.layers.map((l) => sweep.layerGrams.get(l) as T);
    res.layerShares = await gramLayerShares(ops, spectrum, blocks, 1 / nS, plan.layerSharesCount);
  }
  timings.quantities += performance.now() - mark;

  // ---- through V: eigenvectors, signs of every direction, Newton step
  mark = performance.now();
  if (want.has('eigenvectors')) {
    const indices = (plan.eigenvectorIndices ?? range(Math.min(plan.eigenvectorCount, k))).filter(
      (i) => i < k,
    );
    const formed = await formEigenvectors(lift, group, spectrum, indices, nS);
    if (plan.signs === 'largest-entry') {
      const s = new Int8Array(k).fill(1);
      formed.forEach((e) => {
        const sign = largestEntrySign(e.parameters);
        if (sign < 0) for (const part of e.parameters) part.forEach((v, i) => (part[i] = -v));
        s[e.index] = sign;
      });
      if (plan.signPassAll) {
        const done = new Set(indices);
        const rest = range(k).filter((i) => !done.has(i));
        (await largestEntrySigns(lift, group, spectrum, rest, nS, plan.signChunk)).forEach(
          (sign, r) => (s[rest[r]] = sign),
        );
      }
      flipAll(spectrum, s, gammas, gammaMean);
    }
    const partLayers = group.params.map((p) => network.params[p].layer);
    res.eigenvectors = formed.map((e) => ({
      index: e.index,
      parameters: e.parameters,
      layerShares: normSharesByLayer(e.parameters, partLayers, group.layers),
    }));
  } else if (plan.signPassAll) {
    const s = await largestEntrySigns(lift, group, spectrum, range(k), nS, plan.signChunk);
    flipAll(spectrum, s, gammas, gammaMean);
  }
  let step: Float64Array[] | null = null;
  if (want.has('newtonStep') && gammas && gammaMean && lambdas && lambdaMean) {
    const stats = {
      group: input.index,
      eigenvalues: spectrum.values,
      gammas,
      lambdas,
      gammaMean,
      lambdaMean,
    };
    const delta = resolveDamping(plan.damping, stats);
    const { steps, coefficients } = newtonCoefficients(spectrum, gammaMean, lambdaMean, delta, nS);
    const lifted = liftRows(lift, group, coefficients, 1, n);
    step = (await torchRowsAll(ops, network, group.params, lifted, 1)).map((rows) => rows[0]);
    ops.dispose(lifted);
    res.newtonStep = { parameters: step, damping: delta, stepLengths: steps };
  }
  timings.lift += performance.now() - mark;

  // ---- what was asked for
  mark = performance.now();
  if (want.has('gammas') && gammas && gammaMean) {
    res.gammas = gammas;
    res.gammaMean = gammaMean;
  }
  if (want.has('lambdas') && lambdas && lambdaMean) {
    res.lambdas = lambdas;
    res.lambdaMean = lambdaMean;
  }
  if (want.has('snr') && gammas && gammaMean && lambdas && lambdaMean) {
    res.snrGamma = signalToNoise(gammas, gammaMean);
    res.snrLambda = signalToNoise(lambdas, lambdaMean);
  }
  if (want.has('overlap') && gammaMean) {
    // ‖g‖² of the group's gradient over the γ samples: the mean gradient when those are the
    // whole batch, else from the per-sample gradients' Gram matrix (dy rows are g_n / N).
    const normSq =
      plan.gradSamples === null
        ? group.params.reduce((s, p) => s + sumOfSquares(input.gradient[p]), 0)
        : sumAll(await ops.read(sweep.gradientGram as T)) * (plan.batch / plan.nG) ** 2;
    const { overlap, flatRemainder } = gradientOverlap(gammaMean, normSq);
    res.overlap = overlap;
    res.flatRemainder = flatRemainder;
    res.gradientNormSquared = normSq;
  }
  timings.quantities += performance.now() - mark;
  return { result: res, step, eigensolver: route };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Flips directions with sign −1 everywhere they appear (Gram vectors, γ columns, γ̄). */
function flipAll(
  spectrum: Spectrum,
  s: Int8Array,
  gammas: Matrix | null,
  gammaMean: Float64Array | null,
): void {
  if (spectrum.vectors) flipRows(spectrum.vectors, spectrum.n, s);
  if (gammas) flipColumns(gammas, s);
  if (gammaMean) flipEntries(gammaMean, s);
}

function diagonalSum(m: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += m[i * (n + 1)];
  return s;
}

function sumAll(data: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i];
  return s;
}

function sumOfSquares(data: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i] * data[i];
  return s;
}
