// Fully connected layer: y = x W + b, with W stored [in, out] (PyTorch: weight [out, in]).
//
// Curvature (a stack a [M, N, out] at the output, x_n the cached input of sample n):
//   J_Wᵀ a[m,n] = x_n ⊗ a[m,n]  ([in, out]),   J_bᵀ a[m,n] = a[m,n];
//   ⟨J_Wᵀ a_i, J_Wᵀ b_j⟩ = ⟨x_n, x_n'⟩ ⟨a_i, b_j⟩: the weight's Gram block is (δ_a δ_bᵀ) ⊙ (x_a x_bᵀ)
//   with the sample Gram x_a x_bᵀ repeated over each sample's vectors — two matrix products and
//   an elementwise product, never the [in·out]-long columns of V.

import type { LayerSpec } from '../../protocol/definition';
import { LayerShapeError } from '../errors';
import { formatShape } from '../shape-error';
import type { Ops } from '../tensor/ops';
import { requirePositiveInt } from './geometry';
import { pytorchDefaultInit } from './init';
import type { Cache, LayerModule, ParamCurvature, ParamSpec } from './layer';
import {
  cachedRows,
  combinePerSample,
  foldStack,
  sampleMajor,
  stackDims,
  unfoldStack,
  type StackDims,
} from './stack';

type LinearSpec = Extract<LayerSpec, { type: 'linear' }>;

/** The parameter-Jacobian products of a linear layer (they need only the cached input). */
function linearCurvature(nIn: number, nOut: number, bias: boolean): ParamCurvature {
  /** The stack's dims and the cached inputs [N_s, in] of its samples. */
  const inputs = <T>(
    ops: Ops<T>,
    cache: Cache<T>,
    a: T,
    samples: readonly number[] | null,
    where: string,
  ): { d: StackDims; x: T } => {
    const d = stackDims(ops, a, [nOut], samples, ops.shape(cache.x)[0], `linear.${where}`);
    return { d, x: cachedRows(ops, cache.x, samples) };
  };

  return {
    // Gathered inputs, both stacks in sample-major order, the output-space Gram, the input
    // Gram, the weight block (product), the bias block.
    gramWork: (na, ma, nb, mb) =>
      (na + nb) * nIn + (na * ma + nb * mb) * nOut + na * nb + 3 * na * ma * nb * mb,

    paramJacTMatProd(ops, _params, cache, a, samples) {
      const { d, x } = inputs(ops, cache, a, samples, 'paramJacTMatProd');
      // [1, N, in, 1] ⊙ [M, N, 1, out] -> [M, N, in, out]
      const w = ops.mul(ops.reshape(x, [1, d.n, nIn, 1]), ops.reshape(a, [d.m, d.n, 1, nOut]));
      return bias ? [w, a] : [w];
    },

    gramSum(ops, _params, cache, a, samplesA, b, samplesB, prev, shared) {
      // (δ_a δ_bᵀ) ⊙ (x_a x_bᵀ + [bias]) + prev: the weight's and the bias's blocks and the
      // running sum in one op, the input Gram shared between the products of one step.
      const A = inputs(ops, cache, a, samplesA, 'gramSum');
      const B = inputs(ops, cache, b, samplesB, 'gramSum');
      const deltas = ops.matMul(sampleMajor(ops, a, A.d), sampleMajor(ops, b, B.d), false, true);
      let inputGram = shared.products.get(shared.key);
      if (inputGram === undefined) {
        inputGram = ops.keep(ops.matMul(A.x, B.x, false, true)); // [Na, Nb], kept for the step
        shared.products.set(shared.key, inputGram);
      }
      return ops.gramBlock(deltas, inputGram, A.d.m, B.d.m, bias, prev);
    },

    gram(ops, _params, cache, a, samplesA, b, samplesB) {
      const A = inputs(ops, cache, a, samplesA, 'gram');
      const B = inputs(ops, cache, b, samplesB, 'gram');
      const rows = A.d.n * A.d.m;
      const cols = B.d.n * B.d.m;
      // Output-space inner products, rows and columns sample-major: [Na·Ma, Nb·Mb].
      const deltas = ops.matMul(sampleMajor(ops, a, A.d), sampleMajor(ops, b, B.d), false, true);
      const inputGram = ops.matMul(A.x, B.x, false, true); // [Na, Nb]
      const weight = ops.reshape(
        ops.mul(
          ops.reshape(deltas, [A.d.n, A.d.m, B.d.n, B.d.m]),
          ops.reshape(inputGram, [A.d.n, 1, B.d.n, 1]),
        ),
        [rows, cols],
      );
      return bias ? [weight, deltas] : [weight];
    },

    squaredSum(ops, _params, cache, a, samples) {
      // Σ_{m,n} (x_n ⊗ a[m,n])² = (x²)ᵀ Σ_m a[m]²: one product, never the [N, in, out] products.
      const { d, x } = inputs(ops, cache, a, samples, 'squaredSum');
      const squares = ops.reshape(ops.sum(ops.square(a), [0]), [d.n, nOut]);
      const weight = ops.matMul(ops.square(x), squares, true, false);
      return bias ? [weight, ops.sum(squares, [0])] : [weight];
    },

    perSampleFactors(ops, _params, cache, a) {
      const { d, x } = inputs(ops, cache, a, null, 'perSampleFactors');
      if (d.m !== 1) throw new RangeError(`linear.perSampleFactors: ${d.m} vectors per sample`);
      const output = ops.reshape(a, [d.n, nOut]);
      return bias ? [{ input: x, output }, output] : [{ input: x, output }];
    },

    directionalProducts(ops, _params, cache, a, samples, [u, ub]) {
      // ⟨x_n ⊗ a[m,n], U⟩ = (x_n U) · a[m,n]; the bias adds ub · a[m,n].
      const { d, x } = inputs(ops, cache, a, samples, 'directionalProducts');
      let row = ops.reshape(ops.matMul(x, u), [1, d.n, nOut]); // [1, N, out]
      if (bias) row = ops.add(row, ops.reshape(ub, [1, 1, nOut]));
      return ops.sum(ops.mul(ops.reshape(a, [d.m, d.n, nOut]), row), [2]);
    },

    apply(ops, _params, cache, a, samples, coeff) {
      const { d, x } = inputs(ops, cache, a, samples, 'apply');
      // S[n, k] = Σ_m c[k, n·M+m] a[m, n]; then W_k = Σ_n x_n ⊗ S[n, k] = xᵀ S as one product.
      const summed = combinePerSample(ops, a, d, coeff, 'linear.apply'); // [N, K, out]
      const k = ops.shape(summed)[1];
      const w = ops.matMul(x, ops.reshape(summed, [d.n, k * nOut]), true, false); // [in, K·out]
      const weight = ops.transpose(ops.reshape(w, [nIn, k, nOut]), [1, 0, 2]);
      return bias ? [weight, ops.sum(summed, [0])] : [weight];
    },
  };
}

export const linear: LayerModule<LinearSpec> = {
  type: 'linear',
  create(spec, inShape, place) {
    const nIn = requirePositiveInt(spec.in, place, 'in');
    const nOut = requirePositiveInt(spec.out, place, 'out');
    if (inShape.length !== 1) {
      const hint = inShape.length === 3 ? '; add a flatten before it' : '';
      throw new LayerShapeError(
        place.index,
        `linear needs [features] but gets ${formatShape(inShape)} ${place.source}${hint}`,
      );
    }
    if (nIn !== inShape[0]) {
      throw new LayerShapeError(
        place.index,
        `${nIn} does not match the ${inShape[0]} features ${place.source}`,
        'in',
      );
    }
    const bias = spec.bias !== false;
    const params: ParamSpec[] = [
      { name: 'weight', shape: [nIn, nOut], torchShape: [nOut, nIn], toEngine: [1, 0] },
    ];
    if (bias) params.push({ name: 'bias', shape: [nOut], torchShape: [nOut], toEngine: [0] });

    return {
      spec,
      inShape: [nIn],
      outShape: [nOut],
      params,
      initTorch: (rng) => pytorchDefaultInit(rng, nIn, nIn * nOut, bias, nOut),

      forward(ops, [w, b], x) {
        return { out: bias ? ops.matMulBias(x, w, b) : ops.matMul(x, w), cache: { x } };
      },

      backward(ops, [w], cache, dy, needInputGrad) {
        // dW = xᵀ dy, db = Σ_n dy, dx = dy Wᵀ
        const dparams = [ops.matMul(cache.x, dy, true, false)];
        if (bias) dparams.push(ops.sum(dy, [0]));
        return {
          dparams,
          dx: needInputGrad ? ops.matMul(dy, w, false, true) : undefined,
        };
      },

      jacTMatProd(ops, [w], cache, v, samples) {
        const cachedN = ops.shape(cache.x)[0];
        const d = stackDims(ops, v, [nOut], samples, cachedN, 'linear.jacTMatProd');
        // The input gradient dy Wᵀ of the backward, for all M·N vectors in one product.
        return unfoldStack(ops, ops.matMul(foldStack(ops, v, d), w, false, true), d.m, d.n);
      },

      curvature: linearCurvature(nIn, nOut, bias),
    };
  },
};
