// The layer math is written once against `Ops` and must give the same numbers on both
// implementations: every layer type's forward and backward on float64 ops agrees with the
// tfjs (float32, cpu) run that the other tests check against autodiff.
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src/protocol/definition';
import type { Layer } from '../../../src/vivit/nn/layer';
import { batchToEngine, batchToTorch, permute } from '../../../src/vivit/nn/layout';
import { Rng } from '../../../src/vivit/random';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import type { Ops } from '../../../src/vivit/tensor/ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { relError, useCpuBackend } from '../helpers';
import { buildLayer } from './harness';

beforeAll(useCpuBackend);

interface Run {
  out: Float64Array;
  dx: Float64Array;
  dparams: Float64Array[];
}

/** Forward + backward of one layer on `ops`; everything read back in PyTorch layout. */
function run<T>(
  ops: Ops<T>,
  layer: Layer,
  x: number[],
  dy: number[],
  n: number,
  seed: number,
): Run {
  const params = layer.initTorch(new Rng(seed, 'init')).map((v, i) => {
    const p = layer.params[i];
    return ops.fromArray(permute(v, p.torchShape, p.toEngine), p.shape);
  });
  const xT = batchToEngine(ops, ops.fromArray(x, [n, ...layer.inShape]));
  const { out, cache } = layer.forward(ops, params, xT, {
    training: true,
    rng: new Rng(seed, 'dropout'),
  });
  const dyT = batchToEngine(ops, ops.fromArray(dy, [n, ...layer.outShape]));
  const { dx, dparams } = layer.backward(ops, params, cache, dyT, true);
  const read = (t: T) => Float64Array.from(ops.toArray(t));
  return {
    out: read(batchToTorch(ops, out)),
    dx: read(batchToTorch(ops, dx!)),
    dparams: dparams.map((g, i) => {
      const p = layer.params[i];
      const inverse = p.toEngine.map((_, k) => p.toEngine.indexOf(k));
      return permute(read(g), p.shape, inverse);
    }),
  };
}

const cases: { spec: LayerSpec; inShape: number[] }[] = [
  { spec: { type: 'linear', in: 6, out: 4, bias: true }, inShape: [6] },
  {
    spec: {
      type: 'conv2d',
      in_channels: 3,
      out_channels: 4,
      kernel_size: 3,
      stride: 2,
      padding: 1,
      bias: true,
    },
    inShape: [3, 7, 6],
  },
  {
    spec: {
      type: 'conv2d',
      in_channels: 2,
      out_channels: 3,
      kernel_size: [2, 3],
      stride: 1,
      padding: 'same',
      bias: false,
    },
    inShape: [2, 5, 5],
  },
  { spec: { type: 'maxpool2d', kernel_size: 3, stride: 2, padding: 1 }, inShape: [2, 7, 6] },
  { spec: { type: 'maxpool2d', kernel_size: 2, stride: 2, padding: 'same' }, inShape: [2, 5, 5] },
  { spec: { type: 'avgpool2d', kernel_size: 3, stride: 2, padding: 1 }, inShape: [2, 7, 6] },
  { spec: { type: 'avgpool2d', kernel_size: 2, stride: 2, padding: 'same' }, inShape: [2, 5, 5] },
  { spec: { type: 'zeropad2d', padding: [1, 0, 2, 1] }, inShape: [2, 3, 4] },
  { spec: { type: 'flatten' }, inShape: [3, 2, 4] },
  { spec: { type: 'relu' }, inShape: [3, 2, 4] },
  { spec: { type: 'sigmoid' }, inShape: [5] },
  { spec: { type: 'tanh' }, inShape: [5] },
  { spec: { type: 'leaky_relu', negative_slope: 0.2 }, inShape: [5] },
  { spec: { type: 'elu', alpha: 0.7 }, inShape: [5] },
  { spec: { type: 'identity' }, inShape: [5] },
  { spec: { type: 'dropout', p: 0.3 }, inShape: [2, 3, 3] },
];

describe('layers on float64 ops agree with tfjs ops', () => {
  for (const c of cases) {
    it(`${c.spec.type} ${JSON.stringify(c.spec).slice(0, 80)}`, () => {
      const layer = buildLayer(c.spec, c.inShape);
      const n = 3;
      const rng = new Rng(4, 'float64-layers');
      const size = (s: readonly number[]) => n * s.reduce((a, b) => a * b, 1);
      // float32-representable values, so both sides start from identical numbers.
      const x = Array.from(Float32Array.from({ length: size(layer.inShape) }, () => rng.normal()));
      const dy = Array.from(
        Float32Array.from({ length: size(layer.outShape) }, () => rng.normal()),
      );
      const single = tfjsOps.tidy(() => run(tfjsOps, layer, x, dy, n, 2));
      const double = run(float64Ops, layer, x, dy, n, 2);
      expect(relError(double.out, single.out)).toBeLessThan(1e-5);
      expect(relError(double.dx, single.dx)).toBeLessThan(1e-5);
      expect(double.dparams.length).toBe(single.dparams.length);
      double.dparams.forEach((g, i) => expect(relError(g, single.dparams[i])).toBeLessThan(1e-5));
    });
  }
});
