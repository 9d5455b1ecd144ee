// 2-d convolution (cross-correlation, like PyTorch's Conv2d) on NHWC images.
// Weight stored [kh, kw, in, out] (tfjs layout; PyTorch: [out, in, kh, kw]).
//
// Curvature. With U_n = unfold(x_n) [P, R] (P = Ho·Wo output positions, R = kh·kw·Cin) and a
// stack a [M, N, Ho, Wo, Cout] seen as δ[m, n] [P, Cout]:
//   J_Wᵀ a[m,n] = U_nᵀ δ[m,n]  ([R, Cout] = the weight layout),   J_bᵀ a[m,n] = Σ_p δ[m,n,p,:].
// The weight's Gram block ⟨U_nᵀ δ_i, U_n'ᵀ δ'_j⟩ has two routes (see conv2dGramCost):
//   'expand':  form the V columns [N·M, R·Cout] of both stacks and multiply (cheap when the
//              output has many positions and few channels: early layers);
//   'patches': Σ_{p,p'} (U_n[p]·U_n'[p']) (δ_i[p]·δ'_j[p']) through the [P·N × P·N] patch Gram,
//              never forming V (cheap when P is small next to R·Cout: late layers).

import type { LayerSpec } from '../../protocol/definition';
import { LayerShapeError } from '../errors';
import type { Ops, Window2d } from '../tensor/ops';
import { requireImage, requirePositiveInt, resolveWindow } from './geometry';
import { pytorchDefaultInit } from './init';
import type { Cache, LayerModule, LayerPlace, ParamCurvature, ParamSpec } from './layer';
import {
  cachedRows,
  combinePerSample,
  foldStack,
  sampleMajor,
  stackDims,
  unfoldStack,
  type StackDims,
} from './stack';

type Conv2dSpec = Extract<LayerSpec, { type: 'conv2d' }>;

/** A conv layer's resolved geometry (per-sample input [H, W, Cin] in engine layout). */
export interface ConvGeometry {
  win: Window2d;
  h: number;
  w: number;
  cin: number;
  cout: number;
  outH: number;
  outW: number;
  bias: boolean;
}

/** Validates a conv2d spec against its per-sample input shape [C, H, W] (PyTorch layout). */
export function conv2dGeometry(
  spec: Conv2dSpec,
  inShape: readonly number[],
  place: LayerPlace,
): ConvGeometry {
  const cin = requirePositiveInt(spec.in_channels, place, 'in_channels');
  const cout = requirePositiveInt(spec.out_channels, place, 'out_channels');
  const [c, h, w] = requireImage(inShape, place, 'conv2d');
  if (cin !== c) {
    throw new LayerShapeError(
      place.index,
      `${cin} does not match the ${c} channels ${place.source}`,
      'in_channels',
    );
  }
  const { win, outH, outW } = resolveWindow(spec, h, w, place, { maxPadHalfKernel: false });
  return { win, h, w, cin, cout, outH, outW, bias: spec.bias !== false };
}

/** Σ_n unfold(x_n)ᵀ dy_n for output gradients dy [N, Ho, Wo, C'] with any channel count C'
 *  -> [kh, kw, Cin, C'], by the backend's fast path when it has one. */
function weightGrad<T>(ops: Ops<T>, g: ConvGeometry, x: T, dy: T): T {
  if (ops.conv2dWeightGrad) return ops.conv2dWeightGrad(x, dy, g.win);
  const [kh, kw] = g.win.kernel;
  const [n, ho, wo, c] = ops.shape(dy);
  const patches = ops.reshape(ops.unfold(x, g.win), [n * ho * wo, kh * kw * g.cin]);
  return ops.reshape(ops.matMul(patches, ops.reshape(dy, [n * ho * wo, c]), true, false), [
    kh,
    kw,
    g.cin,
    c,
  ]);
}

export type ConvGramStrategy = 'auto' | 'expand' | 'patches';

export interface ConvCurvatureOptions {
  /** Forces a Gram route (tests, benchmarks); 'auto' (default) picks the cheaper by
   *  conv2dGramCost. */
  gram?: ConvGramStrategy;
  /** Bound on the largest intermediate of one chunk of the 'patches' route, in elements. */
  patchChunkElements?: number;
}

/**
 * Multiply-add counts of the two routes to a weight Gram block between stacks of Na×Ma and
 * Nb×Mb vectors (P positions, R = kh·kw·Cin, C = Cout); `sameStack` when a = b (V formed once):
 *   expand  = Na·Ma·P·R·C (+ Nb·Mb·P·R·C)  forming V   + Na·Ma·Nb·Mb·R·C  for V_a V_bᵀ;
 *   patches = Na·P·Nb·P·R  patch Gram  + Na·P·Nb·P·Mb·C  patch Gram × δ_b
 *             + Na·Ma·Nb·Mb·P·C  contraction with δ_a.
 * 'auto' takes the smaller. Memory: expand holds V ([N·M, R·C]); patches holds, per chunk of
 * b-samples, the patch Gram and its product with δ_b (bounded by patchChunkElements).
 */
export function conv2dGramCost(
  g: ConvGeometry,
  na: number,
  ma: number,
  nb: number,
  mb: number,
  sameStack: boolean,
): { expand: number; patches: number } {
  const p = g.outH * g.outW;
  const r = g.win.kernel[0] * g.win.kernel[1] * g.cin;
  const c = g.cout;
  const form = na * ma * p * r * c + (sameStack ? 0 : nb * mb * p * r * c);
  return {
    expand: form + na * ma * nb * mb * r * c,
    patches: na * p * nb * p * r + na * p * nb * p * mb * c + na * ma * nb * mb * p * c,
  };
}

/** Default bound on one 'patches' chunk's largest intermediate: 64 MB of float32. */
const PATCH_CHUNK_ELEMENTS = 2 ** 24;

const sameSamples = (a: readonly number[] | null, b: readonly number[] | null): boolean =>
  a === b || (a !== null && b !== null && a.length === b.length && a.every((s, i) => s === b[i]));

/** The parameter-Jacobian products of a conv layer. */
export function conv2dCurvature(
  g: ConvGeometry,
  options: ConvCurvatureOptions = {},
): ParamCurvature {
  const strategy = options.gram ?? 'auto';
  const chunkElements = options.patchChunkElements ?? PATCH_CHUNK_ELEMENTS;
  const { win, cout, outH, outW, bias } = g;
  const [kh, kw] = win.kernel;
  const p = outH * outW;
  const r = kh * kw * g.cin;

  const inputs = <T>(
    ops: Ops<T>,
    cache: Cache<T>,
    a: T,
    samples: readonly number[] | null,
    where: string,
  ): { d: StackDims; x: T } => {
    const cachedN = ops.shape(cache.x)[0];
    const d = stackDims(ops, a, [outH, outW, cout], samples, cachedN, `conv2d.${where}`);
    return { d, x: cachedRows(ops, cache.x, samples) };
  };

  /** The stack per sample: [N, P, M·Cout] (column m·Cout + c). */
  const perSampleDeltas = <T>(ops: Ops<T>, a: T, d: StackDims): T =>
    d.m === 1
      ? ops.reshape(a, [d.n, p, cout])
      : ops.reshape(ops.transpose(ops.reshape(a, [d.m, d.n, p, cout]), [1, 2, 0, 3]), [
          d.n,
          p,
          d.m * cout,
        ]);

  /** V's weight blocks U_nᵀ δ[m, n] for every sample at once: [N, R, M·Cout]. */
  const weightBlocks = <T>(ops: Ops<T>, x: T, a: T, d: StackDims): T =>
    ops.matMul(ops.unfold(x, win), perSampleDeltas(ops, a, d), true, false);

  /** V's weight columns, sample-major: [N·M, R·Cout]. */
  const weightColumns = <T>(ops: Ops<T>, x: T, a: T, d: StackDims): T => {
    const blocks = weightBlocks(ops, x, a, d);
    if (d.m === 1) return ops.reshape(blocks, [d.n, r * cout]);
    const nmrc = ops.transpose(ops.reshape(blocks, [d.n, r, d.m, cout]), [0, 2, 1, 3]);
    return ops.reshape(nmrc, [d.n * d.m, r * cout]);
  };

  /** J_bᵀ a = Σ_p δ: [M, N, Cout]. */
  const biasBlocks = <T>(ops: Ops<T>, a: T, d: StackDims): T =>
    ops.sum(ops.reshape(a, [d.m, d.n, p, cout]), [2]);

  type Side<T> = { d: StackDims; x: T; a: T };

  const gramExpand = <T>(ops: Ops<T>, A: Side<T>, B: Side<T>, same: boolean): T => {
    const va = weightColumns(ops, A.x, A.a, A.d);
    const vb = same ? va : weightColumns(ops, B.x, B.a, B.d);
    return ops.matMul(va, vb, false, true);
  };

  const gramPatches = <T>(ops: Ops<T>, A: Side<T>, B: Side<T>): T => {
    const [na, ma, nb, mb] = [A.d.n, A.d.m, B.d.n, B.d.m];
    const ua = ops.reshape(ops.unfold(A.x, win), [na * p, r]);
    // δ_a per sample with (p, c) contiguous: [Na, Ma, P·Cout].
    const flatA = ops.reshape(A.a, [ma, na, p * cout]);
    const deltaA =
      ma === 1 ? ops.reshape(flatA, [na, 1, p * cout]) : ops.transpose(flatA, [1, 0, 2]);
    const ub = ops.unfold(B.x, win); // [Nb, P, R]
    // δ_b per sample with the vector index innermost, [Nb, P, Cout·Mb], so that Z below comes
    // out as [s, Na, P·Cout, Mb] and needs only a 4-d transpose (wasm's 5-d transpose runs
    // at ~100 ns per element: 1.6 s of 2.1 s per chunk for 3c3d's third conv at M = 9).
    const deltaB =
      mb === 1
        ? ops.reshape(B.a, [nb, p, cout])
        : ops.reshape(ops.transpose(ops.reshape(B.a, [mb, nb, p, cout]), [1, 2, 3, 0]), [
            nb,
            p,
            cout * mb,
          ]);
    const perB = na * p * Math.max(p, mb * cout);
    const chunk = Math.max(1, Math.min(nb, Math.floor(chunkElements / perB)));
    const blocks: T[] = [];
    for (let j0 = 0; j0 < nb; j0 += chunk) {
      const s = Math.min(chunk, nb - j0);
      blocks.push(
        ops.tidy(() => {
          const ubs = ops.reshape(s === nb ? ub : ops.slice(ub, [j0, 0, 0], [s, p, r]), [s * p, r]);
          const dbs = s === nb ? deltaB : ops.slice(deltaB, [j0, 0, 0], [s, p, cout * mb]);
          // Patch Gram, batched over the b-sample: [s, Na·P, P'].
          const uu = ops.transpose(
            ops.reshape(ops.matMul(ua, ubs, false, true), [na * p, s, p]),
            [1, 0, 2],
          );
          // Σ_p' UU[(n,p), p'] δ_b[n', p', (c, m')]: [s, Na·P, Cout·Mb] = [s, Na, P·Cout, Mb].
          const z = ops.matMul(uu, dbs);
          // -> [Na, P·Cout, s·Mb], then Σ_{p,c} δ_a[n, m, (p,c)] Z[n, (p,c), (n',m')].
          const zt = ops.reshape(
            mb === 1
              ? ops.transpose(ops.reshape(z, [s, na, p * cout]), [1, 2, 0])
              : ops.transpose(ops.reshape(z, [s, na, p * cout, mb]), [1, 2, 0, 3]),
            [na, p * cout, s * mb],
          );
          return ops.reshape(ops.matMul(deltaA, zt), [na * ma, s * mb]);
        }),
      );
    }
    return blocks.length === 1 ? blocks[0] : ops.concat(blocks, 1);
  };

  return {
    gramWork(na, ma, nb, mb, same) {
      const rows = na * ma;
      const cols = nb * mb;
      const c = cout;
      const biasWork = 2 * (rows + cols) * c + rows * cols;
      // The route 'auto' picks (the estimate does not follow a forced strategy).
      const cost = conv2dGramCost(g, na, ma, nb, mb, same);
      if (cost.patches < cost.expand) {
        const perB = na * p * Math.max(p, mb * c);
        const chunk = Math.max(1, Math.min(nb, Math.floor(chunkElements / perB)));
        const chunkWork = 2 * chunk * na * p * p + 2 * chunk * na * p * mb * c + rows * chunk * mb;
        return (na + nb) * p * r + (rows + cols) * p * c + chunkWork + 2 * rows * cols + biasWork;
      }
      // Unfolded input, the stack per sample, V's weight block and its transposed copy, per side.
      const side = (ns: number, ms: number) => ns * p * r + ns * ms * p * c + 2 * ns * ms * r * c;
      return side(na, ma) + (same ? 0 : side(nb, mb)) + rows * cols + biasWork;
    },

    paramJacTMatProd(ops, _params, cache, a, samples) {
      const { d, x } = inputs(ops, cache, a, samples, 'paramJacTMatProd');
      const blocks = ops.reshape(weightBlocks(ops, x, a, d), [d.n, r, d.m, cout]);
      const weight = ops.reshape(ops.transpose(blocks, [2, 0, 1, 3]), [
        d.m,
        d.n,
        kh,
        kw,
        g.cin,
        cout,
      ]);
      return bias ? [weight, biasBlocks(ops, a, d)] : [weight];
    },

    gram(ops, _params, cache, a, samplesA, b, samplesB) {
      const A = { ...inputs(ops, cache, a, samplesA, 'gram'), a };
      const B = { ...inputs(ops, cache, b, samplesB, 'gram'), a: b };
      const same = a === b && sameSamples(samplesA, samplesB);
      let route = strategy;
      if (route === 'auto') {
        const cost = conv2dGramCost(g, A.d.n, A.d.m, B.d.n, B.d.m, same);
        route = cost.patches < cost.expand ? 'patches' : 'expand';
      }
      const weight = route === 'patches' ? gramPatches(ops, A, B) : gramExpand(ops, A, B, same);
      if (!bias) return [weight];
      const ba = sampleMajor(ops, biasBlocks(ops, a, A.d), { ...A.d, rest: [cout] });
      const bb = same ? ba : sampleMajor(ops, biasBlocks(ops, b, B.d), { ...B.d, rest: [cout] });
      return [weight, ops.matMul(ba, bb, false, true)];
    },

    apply(ops, _params, cache, a, samples, coeff) {
      const { d, x } = inputs(ops, cache, a, samples, 'apply');
      // S[n, k] = Σ_m c[k, n·M+m] δ[m, n] as an output gradient with K·Cout channels; then
      // W_k = Σ_n U_nᵀ S[n, k] is the weight gradient of that batch: one contraction for all k.
      const summed = combinePerSample(ops, a, d, coeff, 'conv2d.apply'); // [N, K, P·Cout]
      const k = ops.shape(summed)[1];
      const perK = ops.reshape(summed, [d.n, k, p, cout]);
      const dy = ops.reshape(ops.transpose(perK, [0, 2, 1, 3]), [d.n, outH, outW, k * cout]);
      const dw = ops.reshape(weightGrad(ops, g, x, dy), [kh, kw, g.cin, k, cout]);
      const weight = ops.transpose(dw, [3, 0, 1, 2, 4]);
      return bias ? [weight, ops.sum(perK, [0, 2])] : [weight];
    },
  };
}

export const conv2d: LayerModule<Conv2dSpec> = {
  type: 'conv2d',
  create(spec, inShape, place) {
    const geometry = conv2dGeometry(spec, inShape, place);
    const { win, h, w, cin, cout, outH, outW, bias } = geometry;
    const [kh, kw] = win.kernel;
    const params: ParamSpec[] = [
      {
        name: 'weight',
        shape: [kh, kw, cin, cout],
        torchShape: [cout, cin, kh, kw],
        toEngine: [2, 3, 1, 0],
      },
    ];
    if (bias) params.push({ name: 'bias', shape: [cout], torchShape: [cout], toEngine: [0] });
    const fanIn = cin * kh * kw;
    /** Gradient w.r.t. the input for any batch of output gradients [B, Ho, Wo, Cout]. */
    const inputGrad = <T>(ops: Ops<T>, weight: T, dy: T): T =>
      ops.conv2dInputGrad(dy, weight, [ops.shape(dy)[0], h, w, cin], win);

    return {
      spec,
      inShape: [cin, h, w],
      outShape: [cout, outH, outW],
      params,
      initTorch: (rng) => pytorchDefaultInit(rng, fanIn, fanIn * cout, bias, cout),

      forward(ops, [weight, b], x) {
        const y = ops.conv2d(x, weight, win);
        return { out: bias ? ops.add(y, b) : y, cache: { x } };
      },

      backward(ops, [weight], cache, dy, needInputGrad) {
        // dW = Σ_n unfold(x_n)ᵀ dy_n, one product over all samples and positions, unless
        // the backend has a faster route to the same contraction.
        const dparams = [weightGrad(ops, geometry, cache.x, dy)];
        if (bias) dparams.push(ops.sum(dy, [0, 1, 2]));
        return { dparams, dx: needInputGrad ? inputGrad(ops, weight, dy) : undefined };
      },

      jacTMatProd(ops, [weight], cache, v, samples) {
        const cachedN = ops.shape(cache.x)[0];
        const d = stackDims(ops, v, [outH, outW, cout], samples, cachedN, 'conv2d.jacTMatProd');
        // The backward's input gradient, for all M·N vectors as one batch.
        return unfoldStack(ops, inputGrad(ops, weight, foldStack(ops, v, d)), d.m, d.n);
      },

      curvature: conv2dCurvature(geometry),
      memory: {
        unfolded: (samples) =>
          samples * outH * outW * geometry.win.kernel[0] * geometry.win.kernel[1] * cin,
      },
    };
  },
};
