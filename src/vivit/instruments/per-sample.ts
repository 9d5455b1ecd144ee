// The per-sample gradient statistics that Cockpit's gradient-noise instruments need, from one
// forward and one backward pass, without materializing the N × D per-sample gradients at once:
// layer by layer, the output gradient of the batch-mean loss (rows ∇ℓ_n / N) is treated as a
// stack of one vector per sample, and the layer's own Jacobian products give
//   - the per-sample gradient Gram matrix G_ij = g_iᵀ g_j (its `gram` contraction: for a linear
//     layer (δδᵀ) ⊙ (xxᵀ), never forming g_n), summed over layers;
//   - the per-element second moment Σ_n g_nj² (its per-sample gradients, squared and summed).
// g_n is sample n's own gradient (not divided by N); everything is read back in one round trip.
// The batch is taken in training mode with its dropout masks fixed for the pass.

import type { CurvatureBatch, CurvatureModel } from '../curvature';
import { lossModule } from '../loss/registry';
import { batchToEngine } from '../nn/layout';
import { Rng } from '../random';
import { readAll } from '../tensor/read';

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
}

export async function perSampleGradientStatistics<T>(
  model: CurvatureModel<T>,
  batch: CurvatureBatch<T>,
  dropoutRng: Rng = new Rng(0, 'instruments-dropout'),
): Promise<PerSampleGradientStatistics> {
  const { ops, network, params } = model;
  const loss = typeof model.loss === 'string' ? lossModule(model.loss) : model.loss;
  const n = ops.shape(batch.x)[0];
  const tensors = ops.tidy(() => {
    const { out, caches } = network.forward(ops, params, batchToEngine(ops, batch.x), {
      training: true,
      rng: dropoutRng,
    });
    // + 0 turns integer labels into floats (tfjs upcasts), as the losses take them.
    const target = ops.addScalar(batch.y, 0);
    const { value, gradient } = loss.valueAndGradient(ops, out, target);
    const gram: T[] = [];
    const mean: T[] = new Array<T>(network.params.length);
    const squares: T[] = new Array<T>(network.params.length);
    const first = network.layers.findIndex((layer) => layer.params.length > 0);
    let dy = gradient;
    for (let i = network.layers.length - 1; i >= Math.max(first, 0); i--) {
      const layer = network.layers[i];
      const layerParams = network.layerParams(params, i);
      const offset = network.params.findIndex((p) => p.layer === i);
      if (layer.curvature && layerParams.length > 0) {
        // One vector per sample: the stack [1, N, ...out]; its products carry a 1/N each.
        const stack = ops.reshape(dy, [1, ...ops.shape(dy)]);
        for (const g of layer.curvature.gram(
          ops,
          layerParams,
          caches[i],
          stack,
          null,
          stack,
          null,
        )) {
          gram.push(ops.scale(g, n * n));
        }
        layer.curvature
          .paramJacTMatProd(ops, layerParams, caches[i], stack, null)
          .forEach((g, k) => {
            const perSample = ops.scale(g, n); // [1, N, ...param]: g_n
            squares[offset + k] = ops.sum(ops.square(perSample), [0, 1]);
          });
      }
      const { dx, dparams } = layer.backward(ops, layerParams, caches[i], dy, i > first);
      dparams.forEach((g, k) => (mean[offset + k] = g));
      if (i > first) dy = dx as T;
    }
    const total = gram.reduce((a, b) => ops.add(a, b));
    return { value, total, mean, squares };
  });
  try {
    const data = await readAll(ops, [
      tensors.value,
      tensors.total,
      ...tensors.mean,
      ...tensors.squares,
    ]);
    const count = network.params.length;
    return {
      batch: n,
      loss: data[0][0],
      gram: Float64Array.from(data[1]),
      gradient: data.slice(2, 2 + count).map((d) => Float64Array.from(d)),
      sumOfSquares: data.slice(2 + count).map((d) => Float64Array.from(d)),
    };
  } finally {
    ops.dispose([tensors.value, tensors.total, ...tensors.mean, ...tensors.squares]);
  }
}
