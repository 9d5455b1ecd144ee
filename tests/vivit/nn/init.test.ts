// PyTorch's default initialization: bounds 1/sqrt(fan_in), uniform spread, seed determinism.
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src/protocol/definition';
import { Network } from '../../../src/vivit/nn/network';
import { Rng } from '../../../src/vivit/random';
import { buildLayer } from './harness';

function stats(values: Float64Array) {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sq = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
    sq += v * v;
  }
  const mean = sum / values.length;
  return { min, max, mean, variance: sq / values.length - mean * mean };
}

describe('PyTorch default initialization', () => {
  const cases: { name: string; spec: LayerSpec; inShape: number[]; fanIn: number }[] = [
    {
      name: 'linear',
      spec: { type: 'linear', in: 300, out: 50, bias: true },
      inShape: [300],
      fanIn: 300,
    },
    {
      name: 'conv2d',
      spec: {
        type: 'conv2d',
        in_channels: 6,
        out_channels: 40,
        kernel_size: [3, 5],
        stride: 1,
        padding: 0,
        bias: true,
      },
      inShape: [6, 8, 8],
      fanIn: 6 * 3 * 5,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))`, () => {
      const layer = buildLayer(c.spec, c.inShape);
      const [weight, bias] = layer.initTorch(new Rng(11, 'init'));
      const bound = 1 / Math.sqrt(c.fanIn);
      expect(weight.length).toBe(layer.params[0].torchShape.reduce((a, b) => a * b, 1));
      const w = stats(weight);
      expect(w.min).toBeGreaterThanOrEqual(-bound);
      expect(w.max).toBeLessThanOrEqual(bound);
      // Spread over the whole interval: extremes near the bounds, variance bound²/3.
      expect(w.max).toBeGreaterThan(0.98 * bound);
      expect(w.min).toBeLessThan(-0.98 * bound);
      expect(Math.abs(w.mean)).toBeLessThan(0.05 * bound);
      expect(w.variance / ((bound * bound) / 3)).toBeGreaterThan(0.93);
      expect(w.variance / ((bound * bound) / 3)).toBeLessThan(1.07);
      const b = stats(bias);
      expect(bias.length).toBe(layer.params[1].torchShape[0]);
      expect(b.min).toBeGreaterThanOrEqual(-bound);
      expect(b.max).toBeLessThanOrEqual(bound);
      expect(b.max - b.min).toBeGreaterThan(bound); // not a constant
    });
  }

  it('is the same for the same seed and differs between seeds', () => {
    const model: LayerSpec[] = [
      { type: 'flatten' },
      { type: 'linear', in: 12, out: 5, bias: true },
      { type: 'relu' },
      { type: 'linear', in: 5, out: 3, bias: true },
    ];
    const net = new Network(model, [3, 2, 2]);
    const a = net.initTorch(new Rng(5, 'init'));
    const b = net.initTorch(new Rng(5, 'init'));
    const c = net.initTorch(new Rng(6, 'init'));
    expect(a.length).toBe(4);
    expect(a.map((t) => Array.from(t))).toEqual(b.map((t) => Array.from(t)));
    expect(Array.from(a[0])).not.toEqual(Array.from(c[0]));
    // Each parameter gets its own draws (no repeated stream).
    expect(Array.from(a[2]).slice(0, 5)).not.toEqual(Array.from(a[0]).slice(0, 5));
  });
});
