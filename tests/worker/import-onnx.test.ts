// ONNX import against numbers from outside the engine: the fixtures' outputs as onnxruntime
// computed them (tests/fixtures/onnx/*.ort.json, scripts/check-onnx-fixture.py), and the
// curvature of the imported MLP against the independent implementation's results for the same
// network (curvature case b). The CNN also goes through the curvature-case path written by hand
// with the same weights, and through a run definition.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDefinition } from '../../src/worker/definition';
import type { ImportedModel } from '../../src/worker/definition/import';
import { importOnnxFile } from '../../src/worker/definition/import/onnx';
import { importCase } from '../../src/vivit/interop/case';
import { formatCaseIssue } from '../../src/vivit/interop/issues';
import type { CurvatureResultJson } from '../../src/vivit/interop/result';
import { computeCaseResult } from '../../src/vivit/interop/run';
import { batchToEngine } from '../../src/vivit/nn/layout';
import { Network } from '../../src/vivit/nn/network';
import { float64Ops } from '../../src/vivit/tensor/float64-ops';
import { lcgValues } from '../fixtures/onnx/builder';
import { readExample, resultErrors, vecErr, worstOf } from '../vivit/interop/helpers';

const dir = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));
const readJson = <T>(name: string): T => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;

interface Batch {
  shape: number[];
  data: number[];
}

/** The imported network's outputs on a batch, in float64, evaluation mode. */
function forward(model: ImportedModel, batch: Batch): Float64Array {
  const network = new Network(model.layers, batch.shape.slice(1));
  const ops = float64Ops;
  const params = network.paramsFromTorch(ops, model.params);
  const x = batchToEngine(ops, ops.fromArray(batch.data, batch.shape));
  const { out } = network.forward(ops, params, x, { training: false });
  return Float64Array.from(ops.toArray(out));
}

/** A curvature case (the interop format) with an imported model's layers and weights. */
function caseOf(model: ImportedModel, base: Record<string, unknown>): unknown {
  const network = new Network(model.layers, model.inputShape!);
  return {
    ...base,
    model: model.layers,
    params: model.params.map((data, i) => ({
      shape: network.params[i].torchShape,
      data: Array.from(data),
    })),
  };
}

async function curvatureOf(value: unknown): Promise<CurvatureResultJson> {
  const r = importCase(value);
  if (!r.ok) throw new Error(r.issues.map(formatCaseIssue).join('\n'));
  return (await computeCaseResult(r.value)).result;
}

describe('ONNX fixtures against onnxruntime', () => {
  it.each([
    // mlp is float64 end to end (the exported model was .double()); the others float32 in
    // onnxruntime against float64 here.
    ['mlp', 1e-12],
    ['cnn', 2e-6],
    ['zoo', 2e-6],
  ])('%s.onnx: the imported model computes what onnxruntime computed', (name, tol) => {
    const model = importOnnxFile(join(dir, `${name}.onnx`));
    const ort = readJson<Batch & { producer: string }>(`${name}.ort.json`);
    expect(ort.producer).toMatch(/^onnxruntime /);
    const got = forward(model, readJson<Batch>(`${name}.input.json`));
    expect(got.length).toBe(ort.data.length);
    const err = vecErr(got, ort.data);
    console.log(`${name}.onnx vs onnxruntime: max relative error ${err.toExponential(1)}`);
    expect(err).toBeLessThan(tol);
  });

  it('reads the layers, weights and origins torch.onnx.export writes', () => {
    const cnn = importOnnxFile(join(dir, 'cnn.onnx'));
    expect(cnn.layers).toEqual([
      {
        type: 'conv2d',
        in_channels: 1,
        out_channels: 4,
        kernel_size: 3,
        stride: 1,
        padding: 1,
        bias: true,
      },
      { type: 'relu' },
      { type: 'maxpool2d', kernel_size: 2, stride: 2, padding: 0 },
      { type: 'flatten' },
      { type: 'linear', in: 36, out: 3, bias: true },
    ]);
    expect(cnn.inputShape).toEqual([1, 6, 6]);
    // The view(x.size(0), -1) shape computation (Shape, Gather, ...) is not a layer.
    expect(cnn.origins[3]).toBe("node 10 '/Reshape' (Reshape)");
    expect(Array.from(cnn.params[0])).toEqual(lcgValues(36, 1));

    const zoo = importOnnxFile(join(dir, 'zoo.onnx'));
    expect(zoo.layers.map((l) => l.type)).toEqual([
      'zeropad2d',
      'zeropad2d', // the conv's uneven pads, as a padding layer in front of it
      'conv2d',
      'leaky_relu',
      'avgpool2d',
      'elu',
      'flatten',
      'dropout',
      'linear',
      'tanh',
      'identity',
      'linear',
      'sigmoid',
    ]);
    expect(zoo.layers[0]).toEqual({ type: 'zeropad2d', padding: [0, 2, 1, 0] });
    expect(zoo.layers[1]).toEqual({ type: 'zeropad2d', padding: [0, 1, 1, 0] });
    expect(zoo.layers[3]).toEqual({ type: 'leaky_relu', negative_slope: 0.2 });
    expect(zoo.layers[7]).toEqual({ type: 'dropout', p: 0.25 });
    expect(zoo.layers[11]).toEqual({ type: 'linear', in: 5, out: 2, bias: false });
    // MatMul's [in, out] matrix becomes PyTorch's [out, in].
    const matmul = lcgValues(10, 15);
    expect(zoo.params[4][1]).toBe(matmul[2]); // weight[0][1] = B[1][0]
  });
});

describe('ONNX model through the curvature-case path', () => {
  it('mlp.onnx (curvature case b exported) gives case b’s expected results to 1e-8', async () => {
    const model = importOnnxFile(join(dir, 'mlp.onnx'));
    const caseB = readExample<Record<string, unknown>>('b_mlp_relu_ce.case.json');
    const got = await curvatureOf(caseOf(model, caseB));
    const expected = readExample<CurvatureResultJson>('b_mlp_relu_ce.expected.json');
    const e = resultErrors(got, expected, 0);
    expect(e.compared).toBe(e.directions);
    expect(worstOf(e)).toBeLessThan(1e-8);
  });

  it('cnn.onnx gives the same curvature as the case written by hand with its weights', async () => {
    const model = importOnnxFile(join(dir, 'cnn.onnx'));
    const input = readJson<Batch>('cnn.input.json');
    const base = {
      input,
      target: { shape: [3], data: [0, 2, 1] },
      loss: 'cross_entropy',
      dtype: 'float64',
      n_eigvecs: 2,
    };
    const byHand = {
      ...base,
      model: [
        { type: 'conv2d', in_channels: 1, out_channels: 4, kernel_size: 3, stride: 1, padding: 1 },
        { type: 'relu' },
        { type: 'maxpool2d', kernel_size: 2, stride: 2 },
        { type: 'flatten' },
        { type: 'linear', in: 36, out: 3 },
      ],
      params: [
        { shape: [4, 1, 3, 3], data: lcgValues(36, 1) },
        { shape: [4], data: lcgValues(4, 2, 0.1) },
        { shape: [3, 36], data: lcgValues(108, 3, 0.3) },
        { shape: [3], data: lcgValues(3, 4, 0.1) },
      ],
    };
    const expected = await curvatureOf(byHand);
    const got = await curvatureOf(caseOf(model, base));
    expect(expected.groups[0].eigvals.length).toBeGreaterThan(2);
    expect(worstOf(resultErrors(got, expected, 0))).toBeLessThan(1e-12);
  });
});

describe('ONNX model in a run definition', () => {
  it('model: {onnx: path} reads the layers (path relative to the definition)', () => {
    const yaml = (model: string) => `data: { source: synthetic, features: 20, outputs: 10 }
model: ${model}
loss: cross_entropy
optimizer: { type: sgd, lr: 0.1 }
batch_size: 8
steps: 5
`;
    const fromFile = parseDefinition(yaml('{ onnx: mlp.onnx }'), join(dir, 'run.yaml'));
    expect(fromFile.issues).toEqual([]);
    const byHand = parseDefinition(
      yaml('[{type: linear, in: 20, out: 16}, relu, {type: linear, in: 16, out: 10}]'),
      join(dir, 'run.yaml'),
    );
    expect(fromFile.definition?.model).toEqual(byHand.definition?.model);
    expect(fromFile.definition?.model_file).toEqual({ format: 'onnx', path: 'mlp.onnx' });
    expect(byHand.definition?.model_file).toBeUndefined();
  });
});
