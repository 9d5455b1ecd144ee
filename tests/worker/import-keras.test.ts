// Keras / tfjs-layers model.json import against tfjs-layers itself: models built and run with
// tf.layers (channels-last, its own conv and dense kernels), saved the way `model.save` saves
// them (model.json + weights.bin), imported, and run by the engine in PyTorch layout. The
// functional MLP carries curvature case b's weights, so its curvature is checked against the
// independent implementation's results.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImportedModel } from '../../src/worker/definition/import';
import { importKerasFile } from '../../src/worker/definition/import/keras';
import { importCase } from '../../src/vivit/interop/case';
import { formatCaseIssue } from '../../src/vivit/interop/issues';
import type { CurvatureResultJson } from '../../src/vivit/interop/result';
import { computeCaseResult } from '../../src/vivit/interop/run';
import { batchToEngine } from '../../src/vivit/nn/layout';
import { Network } from '../../src/vivit/nn/network';
import { float64Ops } from '../../src/vivit/tensor/float64-ops';
import { lcgValues } from '../fixtures/onnx/builder';
import { readExample, resultErrors, vecErr, worstOf } from '../vivit/interop/helpers';

const dir = mkdtempSync(join(tmpdir(), 'vivit-keras-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Saves a tfjs-layers model as model.json + weights.bin (what model.save('file://') writes). */
export async function saveLayersModel(model: tf.LayersModel, folder: string): Promise<string> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(folder, 'model.json'), JSON.stringify(json));
      writeFileSync(
        join(folder, 'weights.bin'),
        new Uint8Array(artifacts.weightData as ArrayBuffer),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return join(folder, 'model.json');
}

/** Gives every weight of the model deterministic values. */
function setWeights(model: tf.LayersModel, seed: number): void {
  model.setWeights(
    model.getWeights().map((w, i) => tf.tensor(lcgValues(w.size, seed + i), w.shape)),
  );
}

/** The imported network's outputs on an NCHW (or [N, F]) batch, float64, evaluation mode. */
function forward(model: ImportedModel, x: number[], shape: number[]): Float64Array {
  const network = new Network(model.layers, model.inputShape!);
  const ops = float64Ops;
  const params = network.paramsFromTorch(ops, model.params);
  const { out } = network.forward(ops, params, batchToEngine(ops, ops.fromArray(x, shape)), {
    training: false,
  });
  return Float64Array.from(ops.toArray(out));
}

/** [N, H, W, C] -> [N, C, H, W] values. */
function toNchw(x: tf.Tensor): number[] {
  return Array.from(tf.transpose(x, [0, 3, 1, 2]).dataSync());
}

async function compareWithTfjs(
  name: string,
  build: () => tf.LayersModel,
  inputShape: [number, number, number],
): Promise<ImportedModel> {
  const model = build();
  setWeights(model, 40);
  const folder = mkdtempSync(join(dir, `${name}-`));
  const path = await saveLayersModel(model, folder);
  const n = 3;
  const x = tf.tensor(lcgValues(n * inputShape[0] * inputShape[1] * inputShape[2], 7, 1), [
    n,
    ...inputShape,
  ]);
  const expected = Array.from((model.predict(x) as tf.Tensor).dataSync());
  const imported = importKerasFile(path);
  const [h, w, c] = inputShape;
  expect(imported.inputShape).toEqual([c, h, w]);
  const got = forward(imported, toNchw(x), [n, c, h, w]);
  const err = vecErr(got, expected);
  console.log(`${name}: engine vs tfjs-layers predict, max relative error ${err.toExponential(1)}`);
  expect(err).toBeLessThan(5e-6);
  return imported;
}

describe('Keras model.json against tfjs-layers', () => {
  it('conv (same) + maxpool + flatten + dropout + dense: channels-last weights and flatten order', async () => {
    const imported = await compareWithTfjs(
      'cnn',
      () => {
        const m = tf.sequential();
        m.add(
          tf.layers.conv2d({
            inputShape: [6, 6, 2],
            filters: 3,
            kernelSize: 3,
            padding: 'same',
            activation: 'relu',
          }),
        );
        m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
        m.add(tf.layers.flatten());
        m.add(tf.layers.dropout({ rate: 0.2 }));
        m.add(tf.layers.dense({ units: 4 }));
        return m;
      },
      [6, 6, 2],
    );
    expect(imported.layers.map((l) => l.type)).toEqual([
      'conv2d',
      'relu',
      'maxpool2d',
      'flatten',
      'dropout',
      'linear',
    ]);
    expect(imported.origins[1]).toBe("layer 0 'conv2d_Conv2D1' (Conv2D)");
  });

  it('non-square image, padding, strides, no bias, leaky relu, avgpool (same), elu, tanh', async () => {
    const imported = await compareWithTfjs(
      'zoo',
      () => {
        const m = tf.sequential();
        m.add(
          tf.layers.zeroPadding2d({
            inputShape: [5, 7, 3],
            padding: [
              [1, 0],
              [0, 2],
            ],
          }),
        );
        m.add(
          tf.layers.conv2d({ filters: 4, kernelSize: [2, 3], strides: [1, 2], useBias: false }),
        );
        m.add(tf.layers.leakyReLU({ alpha: 0.1 }));
        m.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }));
        m.add(tf.layers.elu());
        m.add(tf.layers.flatten());
        m.add(tf.layers.dense({ units: 5, activation: 'tanh' }));
        m.add(tf.layers.dense({ units: 3, activation: 'sigmoid' }));
        return m;
      },
      [5, 7, 3],
    );
    expect(imported.layers[0]).toEqual({ type: 'zeropad2d', padding: [0, 2, 1, 0] });
    expect(imported.layers[1]).toMatchObject({ type: 'conv2d', stride: [1, 2], bias: false });
  });
});

describe('Keras functional model through the curvature-case path', () => {
  it('case b as a functional tfjs model: case b’s results (float32 weights)', async () => {
    const caseB = readExample<{
      params: { shape: number[]; data: number[] }[];
    }>('b_mlp_relu_ce.case.json');
    const input = tf.input({ shape: [20] });
    const hidden = tf.layers.dense({ units: 16, activation: 'relu' }).apply(input);
    const output = tf.layers.dense({ units: 10 }).apply(hidden) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    // Keras kernels are [in, out]: PyTorch's [out, in] transposed.
    model.setWeights(
      caseB.params.map((p) =>
        p.shape.length === 2 ? tf.tensor(p.data, p.shape).transpose() : tf.tensor(p.data, p.shape),
      ),
    );
    const path = await saveLayersModel(model, mkdtempSync(join(dir, 'mlp-')));
    const imported = importKerasFile(path);
    expect(imported.layers).toEqual([
      { type: 'linear', in: 20, out: 16, bias: true },
      { type: 'relu' },
      { type: 'linear', in: 16, out: 10, bias: true },
    ]);
    const network = new Network(imported.layers, [20]);
    const base = readExample<Record<string, unknown>>('b_mlp_relu_ce.case.json');
    const run = async (params: ArrayLike<number>[]) => {
      const r = importCase({
        ...base,
        model: imported.layers,
        params: params.map((data, i) => ({
          shape: network.params[i].torchShape,
          data: Array.from(data),
        })),
      });
      if (!r.ok) throw new Error(r.issues.map(formatCaseIssue).join('\n'));
      return (await computeCaseResult(r.value)).result;
    };
    const got = await run(imported.params);
    // The .bin holds float32: exactly case b's weights rounded to float32 ...
    const rounded = await run(caseB.params.map((p) => p.data.map(Math.fround)));
    expect(worstOf(resultErrors(got, rounded, 0))).toBe(0);
    // ... which moves the results by about float32's resolution from the float64 reference.
    const expected = readExample<CurvatureResultJson>('b_mlp_relu_ce.expected.json');
    const e = resultErrors(got, expected, 0);
    expect(e.compared).toBe(e.directions);
    expect(worstOf(e)).toBeLessThan(1e-5);
  });
});
