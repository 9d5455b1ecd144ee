// The per-sample gradient statistics that Cockpit's instruments need, from one forward and one
// backward pass, without materializing the N × D per-sample gradients at once (unless the
// histograms ask for them): layer by layer, the output gradient of the batch-mean loss (rows
// ∇ℓ_n / N) is treated as a stack of one vector per sample, and the layer's own Jacobian
// products give
//   - the per-sample gradient Gram matrix G_ij = g_iᵀ g_j (its `gram` contraction: for a linear
//     layer (δδᵀ) ⊙ (xxᵀ), never forming g_n), summed over layers;
//   - the per-element second moment Σ_n g_nj² (its per-sample gradients, squared and summed);
// and, when asked (options):
//   - the per-sample losses ℓ_n;
//   - the projections g_nᵀu on a direction u (from the same per-sample gradients);
//   - a one-sample Monte-Carlo estimate of the GGN trace tr((1/N) Σ_n J_nᵀ H_n J_n): one sampled
//     loss-Hessian factor column s_n per sample (E[s_n s_nᵀ] = H_n, per-sample-loss.ts) is carried
//     down through the layers' `jacTMatProd` alongside the gradient, and the diagonal of each
//     layer's `gram` contraction of that stack gives ‖J_nᵀ s_n‖², whose batch mean is unbiased
//     for the trace;
//   - Cockpit's gradient histograms (grad-hist.ts), binned on the host from the per-sample
//     gradients and parameter values read back with everything else.
// g_n is sample n's own gradient (not divided by N); everything is read back in one round trip.
// The batch is taken in training mode with its dropout masks fixed for the pass.

import type { CurvatureBatch, CurvatureModel } from '../curvature';
import { lossModule } from '../loss/registry';
import { batchToEngine } from '../nn/layout';
import { Rng } from '../random';
import type { Ops } from '../tensor/ops';
import { readAll } from '../tensor/read';
import {
  gradientHistograms,
  type GradientHistograms,
  type HistogramBins,
  type OuterProductGradients,
} from './grad-hist';
import { perSampleLosses, sampledLossFactor } from './per-sample-loss';

export interface PerSampleOptions<T> {
  /** → result.losses: Float64Array (B): per-sample losses ℓ_n (whose mean is result.loss). */
  losses?: boolean;
  /** A direction per parameter (network.params order, engine layout, as result.gradient) →
   *  result.projections: Float64Array (B) with g_nᵀ u (g_n is sample n's own gradient). */
  direction?: readonly T[];
  /** → result.ggnTrace: an unbiased one-sample Monte-Carlo estimate of
   *  tr((1/B) Σ_n J_nᵀ H_n J_n) (the GGN of the batch-mean loss, ViViT's normalization), from
   *  one sampled loss-Hessian factor column per sample drawn from Rng(seed, 'curvature-mc'). */
  ggnTraceSeed?: number;
  /** → result.histograms (Cockpit's GradHist1d / GradHist2d over every g_nj; grad-hist.ts). */
  histograms?: HistogramBins;
  /** false: skip the Gram matrix and the second moments (result.gram and sumOfSquares come back
   *  empty) — for α, which needs only losses and projections. Default true. */
  moments?: boolean;
}

export interface PerSampleGradientStatistics {
  /** Batch size B. */
  batch: number;
  /** Batch-mean loss. */
  loss: number;
  /** G_ij = g_iᵀ g_j, B×B row-major (whole network). */
  gram: Float64Array;
  /** Mean gradient ḡ per parameter (network.params order, engine layout). */
  gradient: Float64Array[];
  /** Σ_n g_nj² per parameter element (same order and layout). */
  sumOfSquares: Float64Array[];
  /** ℓ_n per sample (options.losses). */
  losses?: Float64Array;
  /** g_nᵀu per sample (options.direction). */
  projections?: Float64Array;
  /** One-sample MC estimate of the GGN trace of the batch-mean loss (options.ggnTraceSeed). */
  ggnTrace?: number;
  /** Gradient histograms (options.histograms). */
  histograms?: GradientHistograms;
}

/** The stream the GGN-trace factor is drawn from (the curvature engine's MC stream). */
export const GGN_TRACE_STREAM = 'curvature-mc';

export async function perSampleGradientStatistics<T>(
  model: CurvatureModel<T>,
  batch: CurvatureBatch<T>,
  dropoutRng: Rng = new Rng(0, 'instruments-dropout'),
  options: PerSampleOptions<T> = {},
): Promise<PerSampleGradientStatistics> {
  const { ops, network, params } = model;
  const loss = typeof model.loss === 'string' ? lossModule(model.loss) : model.loss;
  const n = ops.shape(batch.x)[0];
  const direction = options.direction;
  if (direction && direction.length !== network.params.length) {
    throw new RangeError(
      `the direction has ${direction.length} tensors, the network has ${network.params.length} parameters`,
    );
  }
  const withTrace = options.ggnTraceSeed !== undefined;
  const withHist = options.histograms !== undefined;
  const withMoments = options.moments !== false;
  const tensors = ops.tidy(() => {
    const { out, caches } = network.forward(ops, params, batchToEngine(ops, batch.x), {
      training: true,
      rng: dropoutRng,
    });
    // + 0 turns integer labels into floats (tfjs upcasts), as the losses take them.
    const target = ops.addScalar(batch.y, 0);
    const { value, gradient } = loss.valueAndGradient(ops, out, target);
    const losses = options.losses ? perSampleLosses(ops, loss, out, target) : null;
    let factor: T | null = withTrace
      ? sampledLossFactor(ops, loss, out, target, new Rng(options.ggnTraceSeed!, GGN_TRACE_STREAM))
      : null;
    const gram: T[] = [];
    const traceGram: T[] = [];
    const mean: T[] = new Array<T>(network.params.length);
    const squares: T[] = new Array<T>(network.params.length);
    const perSampleGradients: (T | Factored<T>)[] = new Array<T>(network.params.length);
    const projections: T[] = [];
    const first = network.layers.findIndex((layer) => layer.params.length > 0);
    let dy = gradient;
    for (let i = network.layers.length - 1; i >= Math.max(first, 0); i--) {
      const layer = network.layers[i];
      const layerParams = network.layerParams(params, i);
      const offset = network.params.findIndex((p) => p.layer === i);
      if (layer.curvature && layerParams.length > 0) {
        // One vector per sample: the stack [1, N, ...out]; its products carry a 1/N each.
        const stack = ops.reshape(dy, [1, ...ops.shape(dy)]);
        for (const g of withMoments
          ? layer.curvature.gram(ops, layerParams, caches[i], stack, null, stack, null)
          : []) {
          gram.push(ops.scale(g, n * n));
        }
        if (factor !== null) {
          // [N, N] blocks ⟨J_pᵀ s_i, J_pᵀ s_j⟩; only their diagonal is used.
          traceGram.push(
            ...layer.curvature.gram(ops, layerParams, caches[i], factor, null, factor, null),
          );
        }
        const curvature = layer.curvature;
        // Histograms of a linear layer come from its factors x_n and δ_n, never formed.
        const factored = withHist && curvature.perSampleFactors !== undefined;
        if (factored) {
          curvature.perSampleFactors!(ops, layerParams, caches[i], stack).forEach((f, k) => {
            // The input is copied: it may be the caller's batch, which the read must not free.
            perSampleGradients[offset + k] = isFactored(f)
              ? { input: ops.addScalar(f.input, 0), output: ops.scale(f.output, n) }
              : ops.scale(f, n);
          });
        }
        const shortcut = (!withHist || factored) && curvature.squaredSum !== undefined;
        if (withMoments && shortcut) {
          // g_n = N · (J_pᵀ stack_n): squares carry N².
          curvature.squaredSum!(ops, layerParams, caches[i], stack, null).forEach(
            (s, k) => (squares[offset + k] = ops.scale(s, n * n)),
          );
        }
        const directSlopes = direction && curvature.directionalProducts !== undefined;
        if (directSlopes) {
          const u = direction.slice(offset, offset + layerParams.length);
          const products = curvature.directionalProducts!(
            ops,
            layerParams,
            caches[i],
            stack,
            null,
            u,
          );
          projections.push(ops.reshape(ops.scale(products, n), [n, 1]));
        }
        const formSquares = withMoments && !shortcut;
        if (formSquares || (direction && !directSlopes) || (withHist && !factored)) {
          curvature.paramJacTMatProd(ops, layerParams, caches[i], stack, null).forEach((g, k) => {
            const perSample = ops.scale(g, n); // [1, N, ...param]: g_n
            if (formSquares) squares[offset + k] = ops.sum(ops.square(perSample), [0, 1]);
            if (withHist && !factored) perSampleGradients[offset + k] = perSample;
            if (direction && !directSlopes) {
              const size = ops
                .shape(perSample)
                .slice(2)
                .reduce((a, b) => a * b, 1);
              projections.push(
                ops.matMul(
                  ops.reshape(perSample, [n, size]),
                  ops.reshape(direction[offset + k], [size, 1]),
                ),
              );
            }
          });
        }
      }
      const { dx, dparams } = layer.backward(ops, layerParams, caches[i], dy, i > first);
      dparams.forEach((g, k) => (mean[offset + k] = g));
      if (factor !== null && i > first) {
        factor = layer.jacTMatProd(ops, layerParams, caches[i], factor, null);
      }
      if (i > first) dy = dx as T;
    }
    const total = withMoments ? gram.reduce((a, b) => ops.add(a, b)) : ops.scale(value, 0);
    const extra: T[] = [];
    if (losses !== null) extra.push(losses);
    if (direction) extra.push(ops.reshape(sumAll(ops, projections), [n]));
    if (withTrace) extra.push(ops.scale(ops.sum(diagonal(ops, sumAll(ops, traceGram), n)), 1 / n));
    const histogram = withHist
      ? perSampleGradients.flatMap((g) => (isFactored(g) ? [g.input, g.output] : [g]))
      : [];
    const histogramForms = perSampleGradients.map((g) =>
      isFactored(g) ? { rows: ops.shape(g.input)[1], cols: ops.shape(g.output)[1] } : null,
    );
    return { value, total, mean, squares, extra, histogram, histogramForms };
  });
  const owned = [
    tensors.value,
    tensors.total,
    ...tensors.mean,
    ...(withMoments ? tensors.squares : []),
    ...tensors.extra,
    ...tensors.histogram,
  ];
  try {
    // Parameter values travel with the rest (read only, never disposed here).
    const data = await readAll(ops, [...owned, ...(withHist ? params : [])]);
    const count = network.params.length;
    let at = 2;
    const take = (k: number) => {
      const part = data.slice(at, at + k);
      at += k;
      return part;
    };
    const result: PerSampleGradientStatistics = {
      batch: n,
      loss: data[0][0],
      gram: withMoments ? Float64Array.from(data[1]) : new Float64Array(0),
      gradient: take(count).map((d) => Float64Array.from(d)),
      sumOfSquares: withMoments ? take(count).map((d) => Float64Array.from(d)) : [],
    };
    if (options.losses) result.losses = Float64Array.from(take(1)[0]);
    if (direction) result.projections = Float64Array.from(take(1)[0]);
    if (withTrace) result.ggnTrace = take(1)[0][0];
    if (options.histograms) {
      const read = take(tensors.histogram.length);
      const values = take(count);
      const perSample = tensors.histogramForms.map(
        (form): ArrayLike<number> | OuterProductGradients => {
          if (!form) return read.shift()!;
          const [input, output] = read.splice(0, 2);
          return { input, output, ...form };
        },
      );
      const layers = [...new Set(network.params.map((p) => p.layer))].sort((a, b) => a - b);
      result.histograms = gradientHistograms(
        layers.map((layer) => {
          const indices = network.params.flatMap((p, k) => (p.layer === layer ? [k] : []));
          return {
            layer,
            params: indices.map((k) => values[k]),
            perSample: indices.map((k) => perSample[k]),
          };
        }),
        n,
        options.histograms,
      );
    }
    return result;
  } finally {
    ops.dispose(owned);
  }
}

type Factored<T> = { input: T; output: T };

function isFactored<T>(g: T | Factored<T>): g is Factored<T> {
  return typeof g === 'object' && g !== null && 'input' in g && 'output' in g;
}

function sumAll<T>(ops: Ops<T>, list: readonly T[]): T {
  return list.reduce((a, b) => ops.add(a, b));
}

/** The diagonal [n] of an [n, n] matrix (a gather of its flat entries i·(n + 1)). */
function diagonal<T>(ops: Ops<T>, m: T, n: number): T {
  return ops.gather(
    ops.reshape(m, [n * n]),
    Array.from({ length: n }, (_, i) => i * (n + 1)),
    0,
  );
}
