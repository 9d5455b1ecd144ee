// ViViT curvature of a mini-batch (paper §2): the GGN G = V Vᵀ with
// V = (1/√N_S)[J_nᵀ s_nm] (columns n·M + m), accessed through the Gram matrix G̃ = VᵀV.
//
//   forward (training mode: dropout masks drawn once, fixed for the whole computation)
//   -> loss-Hessian factor s_nm (exact, M = C, rank-compressed; or Monte-Carlo, M = mcSamples)
//   -> ONE backward sweep: mean gradient, per group G̃ and P = Vᵀ[g_n] (ggn/sweep.ts)
//   -> per group: nontrivial eigenpairs of G̃ (Eq. 4), γ_nk (Eq. 8a), λ_nk (Eq. 8b), means,
//      SNRs, gradient overlaps (quantities/)
//   -> only when asked, through V once more: eigenvectors e_k = V ẽ_k/√λ_k (Eq. 5) and the
//      damped Newton step assembled in Gram space (Eq. 9) (ggn/lift.ts)
//
// Conventions (docs/engine.md): columns sample-major; g_n is the gradient of sample n's loss
// alone and g the mean over the WHOLE batch; SNR variance divides by N; signs per `signs`.

import type {
  CurvatureBatch,
  CurvatureModel,
  CurvatureOptions,
  CurvatureResult,
  EigenRoute,
  CurvatureTimings,
} from './curvature-types';
import { CurvatureInputError } from './errors';
import { curvatureFactor } from './ggn/factor';
import { groupCurvature } from './ggn/group-curvature';
import { torchRowsAll, type LiftContext } from './ggn/lift';
import { readAll, scaledCopy } from './tensor/read';
import { leadingBlockSize } from './ggn/leading-spectrum';
import { checkMemory, estimateMemory } from './ggn/memory';
import { planCurvature } from './ggn/plan';
import { backwardSweep, elementBytes, type SweepOutput } from './ggn/sweep';
import type { LossModule } from './loss/loss';
import { lossModule } from './loss/registry';
import type { Cache } from './nn/layer';
import { batchToEngine } from './nn/layout';
import { Rng } from './random';
import type { Ops } from './tensor/ops';

export { DEFAULT_DAMPING, DEFAULT_EIG_RTOL, DEFAULT_EIGENVECTOR_COUNT } from './ggn/plan';

// The request and result types live in ./curvature-types (re-exported for callers).
export type * from './curvature-types';

/**
 * Computes the requested ViViT quantities of `model` on `batch`. Asynchronous because GPU
 * backends read results back asynchronously; on tfjs it allocates and frees its own tensors
 * (the model and batch are left as they were).
 */
export async function computeCurvature<T>(
  model: CurvatureModel<T>,
  batch: CurvatureBatch<T>,
  options: CurvatureOptions,
): Promise<CurvatureResult> {
  const t0 = performance.now();
  const { ops, network, params } = model;
  const loss = typeof model.loss === 'string' ? lossModule(model.loss) : model.loss;
  const problem = loss.outputShapeProblem(network.outputShape);
  if (problem) throw new CurvatureInputError('model', problem);
  if (params.length !== network.params.length) {
    throw new CurvatureInputError(
      'model.params',
      `has ${params.length} tensors, the network has ${network.params.length} parameters`,
    );
  }
  const batchSize = checkBatchShapes(model, loss, batch);
  const outputs = network.outputShape[0];
  const precision = ops.kind === 'float64' ? 'float64' : 'float32';
  const plan = planCurvature(network, loss, elementBytes(ops), precision, batchSize, options);
  const { groups, ggnSamples, gradSamples, nS, seed } = plan;
  const deviceEigensolver =
    plan.eigensolver !== 'host' && (ops.deviceEigensolver?.() ?? null) !== null;
  const estimate = estimateMemory({ ...plan.memory, deviceEigensolver });
  checkMemory(estimate, plan.budget, plan.memory);

  const timings: CurvatureTimings = {
    forward: 0,
    sweep: 0,
    eigen: 0,
    quantities: 0,
    lift: 0,
    total: 0,
  };
  const owned: T[] = [];
  const protectedTensors = new Set<T>([batch.x, batch.y, ...params]);
  let sweep: SweepOutput<T> | null = null;
  try {
    // ---- forward (masks drawn once) and the loss-Hessian factor of the GGN samples
    let mark = performance.now();
    const dropoutRng = options.dropoutRng ?? new Rng(seed, 'curvature-dropout');
    const fwd = ops.tidy(() => {
      const x = batchToEngine(ops, batch.x);
      const targetT = ops.asFloat(batch.y);
      const { out, caches } = network.forward(ops, params, x, { training: true, rng: dropoutRng });
      const { value, gradient } = loss.valueAndGradient(ops, out, targetT);
      const outRows = ggnSamples ? ops.gather(out, ggnSamples, 0) : out;
      return { caches, value, gradient, outRows, targetT };
    });
    for (const cache of fwd.caches) for (const t of Object.values(cache)) owned.push(t);
    owned.push(fwd.value, fwd.gradient, fwd.outRows, fwd.targetT);
    // Targets, loss and the GGN samples' outputs in one read (the factor is formed on the host);
    // the labels are checked here, before anything is built from them.
    const [targetData, lossData, outRowsData] = await readAll(ops, [
      fwd.targetT,
      fwd.value,
      fwd.outRows,
    ]);
    const target = checkTargets(model, loss, Float64Array.from(targetData), ops.shape(batch.y));
    const lossValue = lossData[0];
    const targetRows = selectRows(target.values, target.shape, ggnSamples);
    const factor = curvatureFactor(
      loss,
      Float64Array.from(outRowsData),
      targetRows.values,
      targetRows.shape,
      nS,
      outputs,
      plan.mcSamples,
      new Rng(seed, 'curvature-mc'),
    );
    const m = factor.m;
    // Settled before the sweep: a 'device' request this backend cannot serve fails early.
    const route = eigenRoute(plan.eigensolver, ops, plan.topK, nS * m);
    timings.forward = performance.now() - mark;

    // ---- the backward sweep
    mark = performance.now();
    sweep = backwardSweep({
      ops,
      network,
      params,
      caches: fwd.caches as readonly Cache<T>[],
      outputGradient: fwd.gradient,
      factor: ops.fromArray(factor.values, [m, nS, outputs]),
      ggnSamples,
      gradSamples,
      groups,
      projections: plan.needGammas,
      gradientGram: plan.gradientGram,
      layerGrams: plan.want.has('layerShares'),
      keepStacks: plan.keepStacks,
    });
    const done = sweep;
    const everyParam = network.params.map((_, i) => i);
    const gradient = (await torchRowsAll(ops, network, everyParam, done.gradient, 1)).map(
      (rows) => rows[0],
    );
    timings.sweep = performance.now() - mark;

    // ---- per group: eigen, quantities, lift
    const lift: LiftContext<T> = {
      ops,
      network,
      params,
      caches: fwd.caches,
      stacks: done.stacks,
      ggnSamples,
    };
    const outputsPerGroup: Awaited<ReturnType<typeof groupCurvature>>[] = [];
    for (const [index, group] of groups.entries()) {
      // One group's float64 Gram copy at a time (read-back counted with the sweep), unless its
      // eigenproblem is solved where it lives.
      const readBack = performance.now();
      const gram = route === 'host' ? await scaledCopy(ops, done.groups[index].gram, 1 / nS) : null;
      timings.sweep += performance.now() - readBack;
      const output = await groupCurvature({
        plan,
        lift,
        group,
        index,
        sweep: done.groups[index],
        gram,
        route,
        m,
        gradient,
        timings,
      });
      outputsPerGroup.push(output);
    }

    let newtonStep: Float64Array[] | undefined;
    if (plan.want.has('newtonStep')) {
      newtonStep = network.params.map(
        (p) => new Float64Array(p.torchShape.reduce((a, b) => a * b, 1)),
      );
      groups.forEach((group, gi) =>
        group.params.forEach((p, q) => newtonStep![p].set(outputsPerGroup[gi].step![q])),
      );
    }
    timings.total = performance.now() - t0;
    return {
      loss: lossValue,
      gradient,
      ...(newtonStep ? { newtonStep } : {}),
      groups: outputsPerGroup.map((g) => g.result),
      samples: {
        batch: batchSize,
        ggn: ggnSamples ?? range(batchSize),
        grad: gradSamples ?? range(batchSize),
        vectorsPerSample: m,
        mcSamples: plan.mcSamples,
      },
      signs: plan.signs,
      eigRtol: plan.eigRtol,
      // The route taken, unless a failed device solve sent a group to the host.
      eigensolver: outputsPerGroup.every((g) => g.eigensolver === route) ? route : 'host',
      timings,
      memory: { estimate, budgetBytes: plan.budget, sweepHeldBytes: done.peakHeldBytes },
    };
  } finally {
    if (sweep) {
      ops.dispose(sweep.gradient);
      for (const g of sweep.groups) {
        const list = [g.gram, g.projections, g.gradientGram, ...g.layerGrams.values()];
        ops.dispose([...new Set(list.filter((t): t is T => t !== null))]);
      }
      ops.dispose([...sweep.stacks.values()]);
    }
    ops.dispose([...new Set(owned)].filter((t) => !protectedTensors.has(t)));
  }
}

/** Below this Gram size 'auto' keeps the eigenproblem on the host even on a GPU: reading n²
 *  floats back and solving in float64 costs a few ms there, the device path's n dispatches are
 *  not cheaper. */
const DEVICE_EIGEN_MIN_SIZE = 256;

/** Where the groups' Gram eigenproblems (size n) are solved (docs/linalg.md, "On the GPU"):
 *  on the host in float64, by the full device eigensolver (WebGPU), or by subspace iteration
 *  for the topK leading pairs on any backend. */
function eigenRoute<T>(
  choice: 'auto' | 'host' | 'device',
  ops: Ops<T>,
  topK: number | undefined,
  n: number,
): EigenRoute {
  if (choice === 'host') return 'host';
  const solver = ops.deviceEigensolver?.() ?? null;
  const unsupported = solver === null ? 'the backend is not WebGPU' : solver.unsupported(n);
  if (choice === 'device') {
    if (unsupported === null) return 'device';
    if (topK !== undefined) return 'device-leading';
    throw new CurvatureInputError(
      'options.eigensolver',
      `'device' solves the whole spectrum only on the WebGPU backend (here ${unsupported}); ` +
        'give options.topK to find the leading directions on this backend',
    );
  }
  if (ops.onGpu?.() !== true) return 'host';
  if (unsupported === null && n >= DEVICE_EIGEN_MIN_SIZE) return 'device';
  // The leading pairs by products on the device pay off where the CPU solve's O(n³) dwarfs
  // them: top-k a small share of the Gram size.
  if (topK !== undefined && 4 * leadingBlockSize(topK, n) <= n) return 'device-leading';
  return 'host';
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

interface HostTarget {
  values: Float64Array;
  shape: number[];
}

function selectRows(values: Float64Array, shape: number[], rows: number[] | null): HostTarget {
  if (rows === null) return { values, shape };
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Float64Array(rows.length * per);
  rows.forEach((r, i) => out.set(values.subarray(r * per, (r + 1) * per), i * per));
  return { values: out, shape: [rows.length, ...shape.slice(1)] };
}

/** Checks the shapes of the batch against the network and loss; returns N. */
function checkBatchShapes<T>(
  model: CurvatureModel<T>,
  loss: LossModule,
  batch: CurvatureBatch<T>,
): number {
  const { ops, network } = model;
  const xShape = ops.shape(batch.x);
  const n = xShape[0];
  const expected = [n, ...network.inputShape];
  if (xShape.length !== expected.length || xShape.some((d, i) => d !== expected[i]) || !(n > 0)) {
    throw new CurvatureInputError(
      'batch.x',
      `has shape [${xShape.join(', ')}], expected [N, ${network.inputShape.join(', ')}] with N > 0 (PyTorch layout)`,
    );
  }
  const yShape = ops.shape(batch.y);
  const outputs = network.outputShape[0];
  if (loss.name === 'cross_entropy') {
    if (yShape.length !== 1 || yShape[0] !== n) {
      throw new CurvatureInputError(
        'batch.y',
        `has shape [${yShape.join(', ')}], expected [${n}] class indices`,
      );
    }
  } else if (yShape.length !== 2 || yShape[0] !== n || yShape[1] !== outputs) {
    throw new CurvatureInputError(
      'batch.y',
      `has shape [${yShape.join(', ')}], expected [${n}, ${outputs}]`,
    );
  }
  return n;
}

/** Checks the targets' values (class indices for cross-entropy); returns them as a host copy. */
function checkTargets<T>(
  model: CurvatureModel<T>,
  loss: LossModule,
  values: Float64Array,
  shape: number[],
): HostTarget {
  const outputs = model.network.outputShape[0];
  if (loss.name === 'cross_entropy') {
    values.forEach((c, i) => {
      if (!Number.isInteger(c) || c < 0 || c >= outputs) {
        throw new CurvatureInputError(
          `batch.y[${i}]`,
          `${c} is not a class index in [0, ${outputs - 1}] (the model has ${outputs} outputs)`,
        );
      }
    });
  }
  return { values, shape };
}
