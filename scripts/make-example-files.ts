// Writes the model and data files of the import examples in resources/examples/files/:
// an ONNX CNN (the graph torch.onnx.export writes for scripts/make-onnx-fixture.py's
// ExampleCNN, PyTorch-default-sized random weights), a tfjs-layers MLP (model.json +
// weights.bin, saved by tfjs-layers itself), a CSV table and NumPy .npy arrays.
// Run: npx tsx scripts/make-example-files.ts
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeNpy } from '../src/worker/data/npy';
import { encodeModel, lcgValues, node } from '../tests/fixtures/onnx/builder';

const out = fileURLToPath(new URL('../resources/examples/files/', import.meta.url));

/** U(-1/sqrt(fan_in), 1/sqrt(fan_in)) sized values, like PyTorch's default init. */
const init = (count: number, fanIn: number, seed: number) =>
  lcgValues(count, seed, 1 / Math.sqrt(fanIn));

function onnxCnn(): void {
  const conv = (name: string, input: string, output: string) =>
    node('Conv', `/${name}/Conv`, [input, `${name}.weight`, `${name}.bias`], [output], {
      dilations: { ints: [1, 1] },
      group: { i: 1 },
      kernel_shape: { ints: [3, 3] },
      pads: { ints: [1, 1, 1, 1] },
      strides: { ints: [2, 2] },
    });
  const bytes = encodeModel({
    nodes: [
      conv('conv1', 'input', 'c1'),
      node('Relu', '/act1/Relu', ['c1'], ['r1']),
      conv('conv2', 'r1', 'c2'),
      node('Relu', '/act2/Relu', ['c2'], ['r2']),
      node('Flatten', '/flatten/Flatten', ['r2'], ['f'], { axis: { i: 1 } }),
      node('Gemm', '/fc/Gemm', ['f', 'fc.weight', 'fc.bias'], ['logits'], {
        alpha: { f: 1 },
        beta: { f: 1 },
        transB: { i: 1 },
      }),
    ],
    initializers: [
      { name: 'conv1.weight', dims: [8, 1, 3, 3], values: init(72, 9, 1) },
      { name: 'conv1.bias', dims: [8], values: init(8, 9, 2) },
      { name: 'conv2.weight', dims: [16, 8, 3, 3], values: init(1152, 72, 3) },
      { name: 'conv2.bias', dims: [16], values: init(16, 72, 4) },
      { name: 'fc.weight', dims: [10, 784], values: init(7840, 784, 5) },
      { name: 'fc.bias', dims: [10], values: init(10, 784, 6) },
    ],
    inputs: [{ name: 'input', dims: ['batch', 1, 28, 28] }],
    outputs: [{ name: 'logits', dims: ['batch', 10] }],
  });
  writeFileSync(join(out, 'mnist-cnn.onnx'), bytes);
}

async function kerasMlp(): Promise<void> {
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
  model.add(tf.layers.dense({ units: 32, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10 }));
  model.setWeights(
    model.getWeights().map((w, i) => tf.tensor(init(w.size, w.shape[0], 10 + i), w.shape)),
  );
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const json = {
        modelTopology: a.modelTopology,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: null,
        weightsManifest: [{ paths: ['mnist-mlp.weights.bin'], weights: a.weightSpecs }],
      };
      writeFileSync(join(out, 'mnist-mlp.model.json'), JSON.stringify(json) + '\n');
      writeFileSync(
        join(out, 'mnist-mlp.weights.bin'),
        new Uint8Array(a.weightData as ArrayBuffer),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** Three Gaussian blobs in the plane, with their class in the last column. */
function csvBlobs(): void {
  const centres = [
    [-2, 0],
    [2, 0],
    [0, 2.5],
  ];
  const table = (count: number, seed: number) => {
    const noise = lcgValues(count * 2, seed, 1.2);
    const rows = ['x,y,class'];
    for (let n = 0; n < count; n++) {
      const c = n % 3;
      const x = centres[c][0] + noise[2 * n];
      const y = centres[c][1] + noise[2 * n + 1];
      rows.push(`${x.toFixed(4)},${y.toFixed(4)},${c}`);
    }
    return rows.join('\n') + '\n';
  };
  writeFileSync(join(out, 'blobs-train.csv'), table(300, 31));
  writeFileSync(join(out, 'blobs-test.csv'), table(90, 32));
}

/** 8×8 byte images of a bright horizontal (class 0) or vertical (class 1) bar, with noise. */
function npyBars(): void {
  const split = (count: number, prefix: string, seed: number) => {
    const noise = lcgValues(count * 64, seed, 30);
    const images: number[] = [];
    const labels: number[] = [];
    for (let n = 0; n < count; n++) {
      const label = n % 2;
      const at = (n * 7) % 8;
      labels.push(label);
      for (let r = 0; r < 8; r++) {
        for (let c = 0; c < 8; c++) {
          const bright = label === 0 ? r === at : c === at;
          images.push(Math.round((bright ? 200 : 40) + noise[n * 64 + r * 8 + c]));
        }
      }
    }
    writeFileSync(join(out, `bars-${prefix}-x.npy`), encodeNpy('|u1', [count, 8, 8], images));
    writeFileSync(join(out, `bars-${prefix}-y.npy`), encodeNpy('<i8', [count], labels));
  };
  split(512, 'train', 41);
  split(128, 'test', 42);
}

onnxCnn();
await kerasMlp();
csvBlobs();
npyBars();
