// Memory guard: what a curvature request will allocate, estimated from the sizes alone before
// anything is computed, so that a request too large for the machine is refused with advice
// instead of crashing the worker. The sizes that matter (paper §2.3–2.4):
//   - curvature stacks M·N_S·(layer size) at each layer the sweep passes (two at a time), and
//     all of them at the group layers when V must be applied later (eigenvectors, steps);
//   - the Gram matrix (N_S·M)² per group (plus one per layer for layer shares), the
//     projections N_S·M × N_grad, and the float64 host copies for the eigensolver;
//   - each layer's own products, estimated in its layer file (Layer.memory, and
//     ParamCurvature.gramWork): linear layers contract without forming V; conv layers form
//     V's weight block ([N_S·M, kh·kw·Cin·Cout]) on the 'expand' route or work on unfolded
//     inputs on the 'patches' route, whichever conv2dGramCost picks;
//   - eigenvectors and Newton steps in parameter space (rows × D).
// Device bytes are tensors (tfjs or float64 ops); host bytes are the float64 arrays of the
// eigen/quantity stage. `sweepHeldBytes` follows exactly the definition of the sweep's own
// ledger (SweepOutput.peakHeldBytes), which the tests compare against the real arrays.

import type { Layer } from '../nn/layer';
import type { Network } from '../nn/network';
import { CurvatureMemoryError } from '../errors';
import type { ParamGroup } from './groups';

/** Used when the caller gives no budget (the engine does not read the machine's memory). */
export const DEFAULT_MEMORY_BUDGET_BYTES = 4 * 2 ** 30;
/** Bound on one chunk of the all-directions sign pass (bytes of its largest result). */
export const SIGN_CHUNK_BYTES = 64 * 2 ** 20;

export interface MemoryRequest {
  network: Network;
  /** 4 for tfjs (float32), 8 for the float64 ops. */
  elementBytes: number;
  batch: number;
  ggnSamples: number;
  gradSamples: number;
  /** Vectors per sample (an upper bound before the factor is built). */
  vectorsPerSample: number;
  groups: readonly ParamGroup[];
  projections: boolean;
  gradientGram: boolean;
  layerGrams: boolean;
  keepStacks: boolean;
  /** The Gram eigenvectors are computed (anything beyond eigenvalues). */
  gramVectors: boolean;
  /** Largest number of coefficient rows lifted through V at once (0: none). */
  liftRows: number;
  /** The Gram eigenproblem may be solved on the device (linalg/webgpu/): a copy of the Gram
   *  matrix while it runs, and its reflectors, tridiagonal eigenvectors and results (3n²
   *  floats, kept between steps). */
  deviceEigensolver?: boolean;
}

export interface MemoryEstimate {
  /** device + host. */
  totalBytes: number;
  /** Peak of the tensors (tfjs memory, or float64 ops arrays). */
  deviceBytes: number;
  /** Peak of the float64 arrays of the eigen and quantity stage (and lifted rows). */
  hostBytes: number;
  /** The parts, in bytes (they do not all coexist; see deviceBytes/hostBytes). */
  items: {
    activations: number;
    forwardWork: number;
    gradient: number;
    sweepHeld: number;
    layerWork: number;
    afterSweep: number;
    host: number;
    lift: number;
  };
  /** Same definition as the sweep's measured peakHeldBytes. */
  sweepHeldBytes: number;
  /** Gram size n = N_S·M. */
  gramSize: number;
}

const prod = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function estimateMemory(r: MemoryRequest): MemoryEstimate {
  const { network, elementBytes: b } = r;
  const layers = network.layers;
  const m = r.vectorsPerSample;
  const ns = r.ggnSamples;
  const ng = r.gradSamples;
  const n = ns * m;
  const paramSize = network.params.map((p) => prod(p.shape));
  const layerParamSize = layers.map((_, i) =>
    network.params.reduce((s, p, k) => s + (p.layer === i ? paramSize[k] : 0), 0),
  );
  const lowestParamLayer = Math.min(...network.params.map((p) => p.layer));
  const lowestGroupLayer = Math.min(...r.groups.flatMap((g) => g.layers));
  const groupLayers = new Set(r.groups.flatMap((g) => g.layers));
  const inSize = layers.map((l) => prod(l.inShape));
  const outSize = layers.map((l) => prod(l.outShape));
  const accPerGroup = n * n + (r.projections ? n * ng : 0) + (r.gradientGram ? ng * ng : 0);

  // Forward caches (each layer keeps at most about its input and output), and the forward's
  // own intermediates (one tidy scope: pooling windows, activations' derivatives).
  const activations = b * r.batch * layers.reduce((s, _, i) => s + inSize[i] + outSize[i], 0);
  const forwardWork =
    b * r.batch * layers.reduce((s, l, i) => s + 2 * outSize[i] + forwardWorkOf(l), 0);
  const gradientBytes = b * paramSize.reduce((a, c) => a + c, 0);

  // The sweep, layer by layer (ggn/sweep.ts): what is held between layers, plus the largest
  // single product inside a layer (each product runs in its own tidy scope).
  let heldBefore = b * (m * ns + r.batch) * outSize[layers.length - 1];
  let sweepHeld = 0;
  let layerWork = 0;
  let sweepPeak = 0;
  for (let i = layers.length - 1; i >= lowestParamLayer; i--) {
    const needInputGrad = i > lowestParamLayer;
    const propagate = i > lowestGroupLayer;
    let held = (propagate ? m * ns * inSize[i] : 0) + (needInputGrad ? r.batch * inSize[i] : 0);
    for (const g of r.groups) {
      const seen = g.layers.filter((l) => l >= i).length;
      if (seen > 0) held += accPerGroup;
      if (r.layerGrams) held += seen * n * n;
    }
    if (r.keepStacks) for (const l of groupLayers) if (l >= i) held += m * ns * outSize[l];
    network.params.forEach((p, k) => {
      if (p.layer >= i) held += paramSize[k];
    });
    held *= b;
    sweepHeld = Math.max(sweepHeld, held);

    const layer = layers[i];
    const works = [
      2 * r.batch * (inSize[i] + outSize[i]) + 2 * layerParamSize[i] + unfoldedOf(layer, r.batch),
      propagate ? 2 * m * ns * inSize[i] + 3 * m * ns * outSize[i] + ns * inSize[i] : 0,
    ];
    if (groupLayers.has(i)) {
      works.push(gramWork(layer, ns, m, ns, m, true) + 2 * n * n);
      if (r.projections)
        works.push(gramWork(layer, ns, m, ng, 1, false) + 2 * n * ng + ng * outSize[i]);
      if (r.gradientGram)
        works.push(gramWork(layer, ng, 1, ng, 1, false) + 2 * ng * ng + ng * outSize[i]);
    }
    const work = b * Math.max(...works);
    layerWork = Math.max(layerWork, work);
    sweepPeak = Math.max(sweepPeak, heldBefore + held + work);
    heldBefore = held;
  }

  // After the sweep: accumulators and kept stacks stay while the groups are processed one by
  // one; the Gram eigenvectors go back to the device for γ and layer shares.
  const keptStacks = r.keepStacks
    ? [...groupLayers].reduce((s, l) => s + m * ns * outSize[l], 0)
    : 0;
  const layerGrams = r.layerGrams ? r.groups.reduce((s, g) => s + g.layers.length, 0) * n * n : 0;
  const deviceQuantities = r.gramVectors ? 2 * n * n + n * Math.max(ng, n) : 0;
  const solverCopy = r.deviceEigensolver ? n * n : 0;
  const solverHeld = r.deviceEigensolver ? 3 * n * n : 0;
  // Lifting rows: the coefficients, each layer's apply (per-sample combination and result),
  // the result per group parameter and its host copy.
  let liftDevice = 0;
  let liftHost = 0;
  if (r.liftRows > 0) {
    for (const g of r.groups) {
      let params = 0;
      for (const p of g.params) params += paramSize[p];
      let apply = 0;
      for (const l of g.layers) {
        // Coefficients and stack per sample, the combined output gradient and its transposed
        // copy, the weight contraction (conv: unfolded or swapped-axes input), its reshapes.
        const work =
          r.liftRows * n +
          n * outSize[l] +
          3 * ns * r.liftRows * outSize[l] +
          ns * inSize[l] +
          3 * r.liftRows * layerParamSize[l] +
          unfoldedOf(layers[l], ns);
        apply = Math.max(apply, work);
      }
      liftDevice = Math.max(liftDevice, r.liftRows * n + 2 * r.liftRows * params + apply);
      liftHost = Math.max(liftHost, 8 * r.liftRows * (n + params));
    }
  }
  const afterSweep =
    b *
    (r.groups.length * accPerGroup +
      layerGrams +
      keptStacks +
      solverHeld +
      Math.max(deviceQuantities + liftDevice, solverCopy));

  // Host, one group at a time: the float32 read-back, the scaled float64 Gram copy, the
  // eigensolver's heap (2n²) and vectors (n²) and the K ≤ n kept rows, γ and λ.
  const host =
    b * n * n + 8 * (3 * n * n + (r.gramVectors ? 2 * n * n : 0) + (ng + ns) * n) + liftHost;

  const deviceBytes =
    activations + Math.max(forwardWork, gradientBytes + Math.max(sweepPeak, afterSweep));
  return {
    totalBytes: deviceBytes + host,
    deviceBytes,
    hostBytes: host,
    items: {
      activations,
      forwardWork,
      gradient: gradientBytes,
      sweepHeld,
      layerWork,
      afterSweep,
      host,
      lift: b * liftDevice + liftHost,
    },
    sweepHeldBytes: sweepHeld,
    gramSize: n,
  };
}

/** Elements of a layer's own forward work per sample (pooling windows; 0 for most). */
const forwardWorkOf = (layer: Layer): number => layer.memory?.forwardWork ?? 0;

/** Elements of a layer's unfolded input for `samples` samples (conv; 0 for the others). */
const unfoldedOf = (layer: Layer, samples: number): number =>
  layer.memory?.unfolded?.(samples) ?? 0;

/** Elements allocated by one `gram` product of a parameterized layer (in its layer file). */
function gramWork(
  layer: Layer,
  na: number,
  ma: number,
  nb: number,
  mb: number,
  same: boolean,
): number {
  return layer.curvature?.gramWork(na, ma, nb, mb, same) ?? 0;
}

/** Throws CurvatureMemoryError, with ways out, when the estimate exceeds the budget. */
export function checkMemory(
  estimate: MemoryEstimate,
  budgetBytes: number,
  request: MemoryRequest,
): void {
  if (estimate.totalBytes <= budgetBytes) return;
  const mb = (x: number) => `${(x / 2 ** 20).toFixed(x < 2 ** 20 ? 2 : 0)} MB`;
  const n = estimate.gramSize;
  const advice: string[] = [];
  if (request.ggnSamples > 1) {
    advice.push(
      `curvature sub-sampling (options.subsampling: fewer samples for the GGN; the Gram matrix is ${n}×${n} and shrinks quadratically)`,
    );
  }
  if (request.vectorsPerSample > 1) {
    advice.push(
      `Monte-Carlo factors (options.mcSamples: 1 instead of ${request.vectorsPerSample} vectors per sample)`,
    );
  }
  if (request.groups.length === 1 && request.groups[0].layers.length > 1) {
    advice.push(
      'parameter groups (options.groups, e.g. layerwiseGroups(network): one smaller block per layer)',
    );
  }
  if (request.liftRows > 1) {
    advice.push("fewer eigenvectors, or signs: 'gradient' (no pass over every direction)");
  }
  const parts = Object.entries(estimate.items)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${mb(v)}`)
    .join(', ');
  throw new CurvatureMemoryError(
    `this curvature request needs about ${mb(estimate.totalBytes)} (${parts}), more than the budget of ${mb(budgetBytes)}` +
      (advice.length > 0 ? `; try ${advice.join('; or ')}` : ''),
    estimate.totalBytes,
    budgetBytes,
  );
}
