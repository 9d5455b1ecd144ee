// The case importer: a case's network, PyTorch-layout weights and batch, loaded into the
// engine, must compute what the brute-force oracle (tests/oracle, own forward in PyTorch
// layouts, no code shared with src/) computes: loss and mean gradient, in float64 and float32.
// And malformed cases must be refused with messages that name the field.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { caseTensors, importCase, type ImportedCase } from '../../../src/vivit/interop/case';
import { formatCaseIssue } from '../../../src/vivit/interop/issues';
import { lossModule } from '../../../src/vivit/loss/registry';
import { batchToEngine } from '../../../src/vivit/nn/layout';
import { float64Ops } from '../../../src/vivit/tensor/float64-ops';
import type { Ops } from '../../../src/vivit/tensor/ops';
import { tfjsOps } from '../../../src/vivit/tensor/tfjs-ops';
import { bruteForceCurvature, randomCase, tinyNetworks, type CurvatureCase } from '../../oracle';
import { EXAMPLES, readExample, scalarErr, vecErr } from './helpers';

function imported(value: unknown): ImportedCase {
  const r = importCase(value);
  if (!r.ok) throw new Error(r.issues.map(formatCaseIssue).join('\n'));
  return r.value;
}

/** Loss and mean gradient (flat, case order, PyTorch layout) through the engine's Network. */
async function lossAndGradient<T>(
  c: ImportedCase,
  ops: Ops<T>,
): Promise<{ loss: number; gradient: number[] }> {
  const { params, x, y } = caseTensors(c, ops);
  const { out, caches } = c.network.forward(ops, params, batchToEngine(ops, x), {
    training: false,
  });
  const { value, gradient } = lossModule(c.loss).valueAndGradient(ops, out, y);
  const grads = c.network.backward(ops, params, caches, gradient);
  return {
    loss: ops.item(value),
    gradient: (await c.network.paramsToTorch(ops, grads)).flatMap((g) => Array.from(g)),
  };
}

/** A problem message of a malformed case (which must be refused). */
function problems(value: unknown): string[] {
  const r = importCase(value);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.issues.map(formatCaseIssue);
}

describe('importCase on the shared examples', () => {
  it.each(EXAMPLES)('%s: loss and gradient match the expected file', async (name) => {
    const c = imported(readExample(`${name}.case.json`));
    const expected = readExample<{ loss: number; gradient: number[] }>(`${name}.expected.json`);
    const got = await lossAndGradient(c, float64Ops);
    expect(scalarErr(got.loss, expected.loss)).toBeLessThan(1e-12);
    expect(vecErr(got.gradient, expected.gradient)).toBeLessThan(1e-12);
  });

  it('fills the format defaults for omitted fields', () => {
    const c = imported(readExample('a_mlp_sigmoid_mse.case.json'));
    expect(c.options).toEqual({
      subsampling: null,
      subsamplingGrad: null,
      mcSamples: 0,
      seed: 1,
      paramGroups: [[0, 1, 2, 3, 4, 5]],
      damping: 1,
      eigRtol: 1e-10,
      nEigvecs: 3,
    });
    expect(c.dtype).toBe('float64');
    expect(c.inputShape).toEqual([6]);
    expect(c.network.parameterCount).toBe(74);
  });
});

describe('importCase against the oracle on tiny networks', () => {
  const cases = tinyNetworks().flatMap((net, i) =>
    (['cross_entropy', 'mse'] as const).map((loss) => ({
      name: `${net.name} ${loss}`,
      c: randomCase({ model: net.model, inputShape: net.inputShape, N: 3, loss, seed: 40 + i }),
    })),
  );

  it.each(cases)('$name: loss and gradient in float64', async ({ c }) => {
    const oracle = bruteForceCurvature(c);
    const got = await lossAndGradient(imported(c), float64Ops);
    expect(scalarErr(got.loss, oracle.loss)).toBeLessThan(1e-12);
    expect(vecErr(got.gradient, oracle.gradient)).toBeLessThan(1e-10);
  });

  it('loads linear weights after a flatten of a multi-channel image unchanged (C-major)', async () => {
    // 3 channels of 1x2 after the conv: NHWC and NCHW orders differ, so a wrong flatten
    // order would pair the linear weights with the wrong features.
    const c = randomCase({
      model: [
        { type: 'conv2d', in_channels: 2, out_channels: 3, kernel_size: 2, stride: 1, padding: 0 },
        { type: 'flatten' },
        { type: 'linear', in: 6, out: 2 },
      ],
      inputShape: [2, 2, 3],
      N: 2,
      loss: 'mse',
      seed: 7,
    });
    const ours = imported(c);
    // The linear weight is passed on exactly as written in the case: [out, in] with `in`
    // indexing PyTorch's (c, h, w) feature order.
    const w = c.params[2];
    expect(w.shape).toEqual([2, 6]);
    expect(Array.from(ours.params[2])).toEqual(w.data);
    const oracle = bruteForceCurvature(c);
    const got = await lossAndGradient(ours, float64Ops);
    expect(scalarErr(got.loss, oracle.loss)).toBeLessThan(1e-12);
    expect(vecErr(got.gradient, oracle.gradient)).toBeLessThan(1e-10);
    // And the check can fail: the same weights with columns in (h, w, c) order (feature
    // c·2 + w read from column w·3 + c) give another loss.
    const permuted = structuredClone(c);
    permuted.params[2].data = w.data.map((_, k) => {
      const [row, f] = [Math.floor(k / 6), k % 6];
      const [ch, col] = [Math.floor(f / 2), f % 2];
      return w.data[row * 6 + col * 3 + ch];
    });
    const wrong = await lossAndGradient(imported(permuted), float64Ops);
    expect(scalarErr(wrong.loss, oracle.loss)).toBeGreaterThan(1e-6);
  });

  describe('float32 (tfjs cpu)', () => {
    beforeAll(async () => {
      await tf.setBackend('cpu');
      await tf.ready();
    });
    it.each(cases.filter((_, i) => i % 3 === 0))('$name', async ({ c }) => {
      const oracle = bruteForceCurvature(c);
      const got = await lossAndGradient(imported({ ...c, dtype: 'float32' }), tfjsOps);
      expect(scalarErr(got.loss, oracle.loss)).toBeLessThan(1e-5);
      expect(vecErr(got.gradient, oracle.gradient)).toBeLessThan(1e-4);
    });
  });
});

describe('importCase refuses malformed cases, naming the field', () => {
  const cnn = (): CurvatureCase =>
    randomCase({
      model: [
        { type: 'conv2d', in_channels: 1, out_channels: 4, kernel_size: 3, stride: 1, padding: 1 },
        { type: 'relu' },
        { type: 'maxpool2d', kernel_size: 2 },
        { type: 'flatten' },
        { type: 'linear', in: 16, out: 5 },
      ],
      inputShape: [1, 4, 4],
      N: 2,
      loss: 'cross_entropy',
      seed: 1,
    });

  it('accepts the base case', () => {
    expect(importCase(cnn()).ok).toBe(true);
  });

  it('a parameter of the wrong shape', () => {
    const c = cnn();
    c.params[0].shape = [4, 3, 3, 1];
    expect(problems(c)).toEqual([
      'params[0].shape: [4, 3, 3, 1] does not match conv2d model[0] weight [4, 1, 3, 3] (PyTorch layout)',
    ]);
  });

  it('an unknown layer type, and a wrong field of another layer, both at once', () => {
    const c = cnn() as unknown as { model: Record<string, unknown>[] };
    c.model[4] = { type: 'dense', in: 16, out: 5 };
    c.model[0].kernel_size = 0;
    expect(problems(c)).toEqual([
      'model[0].kernel_size: must be an integer >= 1, got 0',
      "model[4].type: unknown layer 'dense'; supported: linear, conv2d, maxpool2d, avgpool2d, zeropad2d, relu, sigmoid, tanh, flatten, identity, leaky_relu, elu",
    ]);
  });

  it('a layer that does not fit its input', () => {
    const c = cnn();
    c.model[4] = { type: 'linear', in: 15, out: 5 };
    expect(problems(c)).toEqual([
      'model[4].in: 15 does not match the 16 features coming out of model[3] (flatten)',
    ]);
  });

  it('unknown fields, and PyTorch options the engine does not compute', () => {
    const c = cnn() as unknown as Record<string, unknown> & { model: Record<string, unknown>[] };
    c.subsample = [0];
    c.model[0].dilation = 2;
    c.model[0].groups = 1; // the neutral value is fine
    c.model[2].ceil_mode = true;
    expect(problems(c)).toEqual([
      "subsample: unknown field 'subsample'; did you mean 'subsampling'?",
      'model[0].dilation: 2 is not supported; only 1',
      'model[2].ceil_mode: true is not supported; only false',
    ]);
  });

  it('data that does not fill its shape, non-numbers, wrong counts', () => {
    const c = cnn();
    c.input.data.pop();
    expect(problems(c)).toEqual([
      'input.data: has 31 numbers but shape [2, 1, 4, 4] needs 32 (data is flat, row-major)',
    ]);
    const d = cnn();
    (d.params[1].data as unknown[])[2] = 'x';
    expect(problems(d)).toEqual([
      "params[1].data[2]: expected a finite number, got a string ('x')",
    ]);
    const e = cnn();
    e.params.pop();
    expect(problems(e)).toEqual([
      'params: the model has 4 parameter tensors but the case gives 3; expected, in order: conv2d model[0] weight [4, 1, 3, 3], conv2d model[0] bias [4], linear model[4] weight [5, 16], linear model[4] bias [5]',
    ]);
  });

  it('targets, sample lists, groups and options', () => {
    const c = cnn() as unknown as Record<string, unknown> & CurvatureCase;
    c.target.data[1] = 5;
    c.subsampling = [0, 2];
    c.subsampling_grad = [];
    c.param_groups = [
      [0, 1],
      [1, 4],
    ];
    c.mc_samples = -1;
    c.dtype = 'float16' as 'float32';
    c.loss = 'nll' as 'mse';
    const issues = problems(c);
    expect(issues).toEqual([
      `loss: expected one of "cross_entropy", "mse", got a string ('nll')`,
      `dtype: expected one of "float64", "float32", got a string ('float16')`,
      'mc_samples: must be an integer >= 0, got -1',
      'subsampling[1]: 2 is not a sample index in [0, 1]',
      'subsampling_grad: expected null (all samples) or a non-empty list of sample indices, got a list',
      'param_groups[1][0]: params[1] is already in param_groups[0][1]; groups must not overlap',
      'param_groups[1][1]: 4 is not an index into params [0, 3]',
    ]);
    const d = cnn();
    d.target.data[1] = 5;
    expect(problems(d)).toEqual(['target.data[1]: 5 is not a class index in [0, 4]']);
    const e = cnn();
    e.target = { shape: [2, 5], data: new Array<number>(10).fill(0) };
    expect(problems(e)).toEqual([
      'target.shape: [2, 5] does not fit: cross_entropy needs class indices of shape [2] for 2 samples and 5 outputs',
    ]);
  });

  it('not an object at all, or missing the essentials', () => {
    expect(problems([1, 2])).toEqual([
      'expected a curvature case (a JSON object with model, params, input, target, loss), got a list',
    ]);
    expect(problems({})).toEqual([
      "model: missing required field 'model' (a list of layers)",
      'loss: missing required field \'loss\' (one of "cross_entropy", "mse")',
      "input: missing required field 'input' ({shape, data})",
    ]);
  });

  it('an image input for an MLP, a 2-d input shape', () => {
    const c = cnn();
    c.input = { shape: [2, 16], data: new Array<number>(32).fill(0.5) };
    expect(problems(c)).toEqual([
      'model[0]: conv2d needs an image [channels, height, width] but gets [16] of the input',
    ]);
    c.input = { shape: [2, 4, 4], data: new Array<number>(32).fill(0.5) };
    expect(problems(c)).toEqual([
      'input.shape: [2, 4, 4] is not a batch: expected [N, features] or [N, channels, height, width] with N >= 1 and positive sizes',
    ]);
  });
});
