// Malformed model files, each through a run definition (as a user meets them): every one is
// refused with one issue at model.onnx / model.keras that names the file, the node or layer,
// what is wrong and what is supported. None throws.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { formatIssue, parseDefinition } from '../../src/worker/definition';
import {
  encodeModel,
  encodeModelObject,
  lcgValues,
  modelObject,
  node,
  type GraphSpec,
  type NodeSpec,
  type TensorSpec,
} from '../fixtures/onnx/builder';

const dir = mkdtempSync(join(tmpdir(), 'vivit-import-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixtures = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));

/** Issues of a definition whose model is `model` (a file in `dir`), as users read them. */
function issuesFor(model: string, features = 20, outputs = 10): string[] {
  const text = `data: { source: synthetic, features: ${features}, outputs: ${outputs} }
model: ${model}
loss: cross_entropy
optimizer: { type: sgd, lr: 0.1 }
batch_size: 8
steps: 5
`;
  const result = parseDefinition(text, join(dir, 'run.yaml'));
  expect(result.definition).toBeUndefined();
  return result.issues.map((i) => formatIssue(i, 'run.yaml'));
}

// ------------------------------------------------------------------ ONNX

const gemm = { alpha: { f: 1 }, beta: { f: 1 }, transB: { i: 1 } };

/** The MLP 20 -> 16 -> relu -> 10 as torch.onnx.export writes it, to be broken by each case. */
function mlp(change: (g: GraphSpec) => void = () => {}): GraphSpec {
  const init = (name: string, dims: number[], seed: number): TensorSpec => ({
    name,
    dims,
    values: lcgValues(
      dims.reduce((a, b) => a * b, 1),
      seed,
    ),
  });
  const g: GraphSpec = {
    nodes: [
      node('Gemm', '/fc1/Gemm', ['input', 'fc1.weight', 'fc1.bias'], ['h1'], gemm),
      node('Relu', '/act/Relu', ['h1'], ['h2']),
      node('Gemm', '/fc2/Gemm', ['h2', 'fc2.weight', 'fc2.bias'], ['logits'], gemm),
    ],
    initializers: [
      init('fc1.weight', [16, 20], 1),
      init('fc1.bias', [16], 2),
      init('fc2.weight', [10, 16], 3),
      init('fc2.bias', [10], 4),
    ],
    inputs: [{ name: 'input', dims: ['batch', 20] }],
    outputs: [{ name: 'logits', dims: ['batch', 10] }],
  };
  change(g);
  return g;
}

function onnxFile(name: string, bytes: Uint8Array | string): string {
  writeFileSync(join(dir, name), bytes);
  return `{ onnx: ${name} }`;
}

const setNode = (g: GraphSpec, i: number, n: Partial<NodeSpec>) => {
  g.nodes[i] = { ...g.nodes[i], ...n };
};

const SUPPORTED_OPS =
  'supported ops: Gemm, MatMul (+ Add), Conv, Relu, Sigmoid, Tanh, LeakyRelu, Elu, MaxPool, AveragePool, Flatten, Reshape to [N, -1], Dropout, Pad, Identity';

describe('malformed ONNX files', () => {
  it('the well-formed base file is accepted (so each case below fails for its own reason)', () => {
    writeFileSync(join(dir, 'good.onnx'), encodeModel(mlp()));
    const text = `data: { source: synthetic, features: 20, outputs: 10 }
model: { onnx: good.onnx }
loss: cross_entropy
optimizer: { type: sgd, lr: 0.1 }
batch_size: 8
steps: 5
`;
    expect(parseDefinition(text, join(dir, 'run.yaml')).issues).toEqual([]);
  });

  const cases: [string, () => string, string | RegExp][] = [
    [
      'a missing file',
      () => '{ onnx: nowhere.onnx }',
      `run.yaml:2: model.onnx: ${join(dir, 'nowhere.onnx')}: file not found`,
    ],
    [
      'an empty file',
      () => onnxFile('empty.onnx', new Uint8Array(0)),
      'run.yaml:2: model.onnx: empty.onnx: the file is empty',
    ],
    [
      'a truncated file',
      () => onnxFile('truncated.onnx', encodeModel(mlp()).subarray(0, 700)),
      /^run\.yaml:2: model\.onnx: truncated\.onnx: not a readable ONNX model \(truncated or not protobuf: .+\); export it again with torch\.onnx\.export$/,
    ],
    [
      'a text file',
      () => onnxFile('text.onnx', 'name: not a model\n'),
      /^run\.yaml:2: model\.onnx: text\.onnx: (not a readable ONNX model|no graph in the file)/,
    ],
    [
      'an unsupported op',
      () =>
        onnxFile(
          'batchnorm.onnx',
          encodeModel(mlp((g) => setNode(g, 1, { op: 'BatchNormalization', name: '/bn/BN' }))),
        ),
      `run.yaml:2: model.onnx: batchnorm.onnx: node 1 '/bn/BN' (BatchNormalization): unsupported op BatchNormalization; ${SUPPORTED_OPS}`,
    ],
    [
      'a final Softmax',
      () =>
        onnxFile(
          'softmax.onnx',
          encodeModel(
            mlp((g) => {
              setNode(g, 2, { outputs: ['z'] });
              g.nodes.push(node('Softmax', '/Softmax', ['z'], ['logits'], { axis: { i: 1 } }));
            }),
          ),
        ),
      "run.yaml:2: model.onnx: softmax.onnx: node 3 '/Softmax' (Softmax): unsupported op Softmax: the loss (cross_entropy) applies softmax itself; export the model without the final Softmax (return the logits)",
    ],
    [
      'a branching graph (residual connection)',
      () =>
        onnxFile(
          'branch.onnx',
          encodeModel(
            mlp((g) => {
              // fc1's output feeds both the relu and an Add after it.
              setNode(g, 2, { inputs: ['h3', 'fc2.weight', 'fc2.bias'] });
              g.nodes.splice(2, 0, node('Add', '/Add', ['h2', 'h1'], ['h3']));
            }),
          ),
        ),
      "run.yaml:2: model.onnx: branch.onnx: node 2 '/Add' (Add): branching graph: tensor 'h1' feeds node 1 '/act/Relu' (Relu) and node 2 '/Add' (Add); supported: sequential models only (no residual connections or parallel branches)",
    ],
    [
      'two graph inputs',
      () =>
        onnxFile(
          'two-inputs.onnx',
          encodeModel(mlp((g) => g.inputs.push({ name: 'mask', dims: ['batch', 20] }))),
        ),
      'run.yaml:2: model.onnx: two-inputs.onnx: the graph has 2 inputs (input, mask); supported: exactly one input tensor',
    ],
    [
      'missing weights',
      () => onnxFile('no-weight.onnx', encodeModel(mlp((g) => g.initializers.splice(2, 1)))),
      "run.yaml:2: model.onnx: no-weight.onnx: node 2 '/fc2/Gemm' (Gemm): missing weights: input 'fc2.weight' is neither an initializer nor the output of a node; supported: weights stored in the file as initializers",
    ],
    [
      'float16 weights',
      () =>
        onnxFile(
          'half.onnx',
          encodeModel(mlp((g) => (g.initializers[0] = { ...g.initializers[0], dtype: 'float16' }))),
        ),
      "run.yaml:2: model.onnx: half.onnx: initializer 'fc1.weight': tensor 'fc1.weight' is float16; supported: float32 or float64 weights (int64/int32 for shapes). Convert the model with model.float() before exporting",
    ],
    [
      'weight data shorter than its shape',
      () => {
        const obj = modelObject(mlp()) as { graph: { initializer: { raw_data: Uint8Array }[] } };
        const w = obj.graph.initializer[0];
        w.raw_data = w.raw_data.subarray(0, 100);
        return onnxFile('short-weight.onnx', encodeModelObject(obj));
      },
      "run.yaml:2: model.onnx: short-weight.onnx: initializer 'fc1.weight': tensor 'fc1.weight' has shape [16, 20] (320 float32 values, 1280 bytes) but 100 bytes of data: truncated or corrupt",
    ],
    [
      'a bias of the wrong size',
      () =>
        onnxFile(
          'bias.onnx',
          encodeModel(
            mlp(
              (g) =>
                (g.initializers[1] = {
                  ...g.initializers[1],
                  dims: [15],
                  values: lcgValues(15, 2),
                }),
            ),
          ),
        ),
      "run.yaml:2: model.onnx: bias.onnx: node 0 '/fc1/Gemm' (Gemm): shape mismatch: bias 'fc1.bias' has shape [15] but the layer has 16 outputs; supported: a bias of shape [16]",
    ],
    [
      'layers that do not fit each other',
      () =>
        onnxFile(
          'chain.onnx',
          encodeModel(
            mlp(
              (g) =>
                (g.initializers[2] = {
                  ...g.initializers[2],
                  dims: [10, 15],
                  values: lcgValues(150, 3),
                }),
            ),
          ),
        ),
      "run.yaml:2: model.onnx: chain.onnx: node 2 '/fc2/Gemm' (Gemm): 15 does not match the 16 features coming out of node 1 '/act/Relu' (Relu)",
    ],
    [
      'an input shape the data does not have',
      () => onnxFile('input-shape.onnx', encodeModel(mlp())),
      // checked with 7 features of data below
      'run.yaml:2: model.onnx: input-shape.onnx: the model\u2019s input has per-sample shape [20] (PyTorch layout) but synthetic classification data has [7]'.replace(
        '\u2019',
        "'",
      ),
    ],
    [
      'an unsupported attribute value',
      () =>
        onnxFile(
          'alpha.onnx',
          encodeModel(mlp((g) => setNode(g, 0, { attrs: { ...gemm, alpha: { f: 2 } } }))),
        ),
      "run.yaml:2: model.onnx: alpha.onnx: node 0 '/fc1/Gemm' (Gemm): alpha=2 is not supported; only 1 (nn.Linear)",
    ],
    [
      'a grouped convolution',
      () =>
        onnxFile(
          'group.onnx',
          encodeModel({
            nodes: [
              node('Conv', '/conv/Conv', ['input', 'w'], ['y'], { group: { i: 2 } }),
              node('Flatten', '/Flatten', ['y'], ['logits']),
            ],
            initializers: [{ name: 'w', dims: [4, 1, 3, 3], values: lcgValues(36, 1) }],
            inputs: [{ name: 'input', dims: ['batch', 2, 6, 6] }],
            outputs: [{ name: 'logits', dims: ['batch', 64] }],
          }),
        ),
      "run.yaml:2: model.onnx: group.onnx: node 0 '/conv/Conv' (Conv): group=2 is not supported; only 1 (grouped and depthwise convolutions are not supported)",
    ],
    [
      'a Reshape that is not a flatten',
      () =>
        onnxFile(
          'reshape.onnx',
          encodeModel(
            mlp((g) => {
              setNode(g, 2, { inputs: ['h3', 'fc2.weight', 'fc2.bias'] });
              g.nodes.splice(2, 0, node('Reshape', '/Reshape', ['h2', 'shape'], ['h3']));
              g.initializers.push({ name: 'shape', dims: [3], values: [0, 4, -1], dtype: 'int64' });
            }),
          ),
        ),
      "run.yaml:2: model.onnx: reshape.onnx: node 2 '/Reshape' (Reshape): reshapes to [0, 4, -1]; supported: Reshape to [N, -1] (flatten, as x.view(x.size(0), -1) or torch.flatten(x, 1) export)",
    ],
    [
      'weights in an external data file',
      () => {
        const obj = modelObject(mlp()) as {
          graph: { initializer: Record<string, unknown>[] };
        };
        obj.graph.initializer[0] = {
          name: 'fc1.weight',
          dims: [16, 20],
          data_type: 1,
          data_location: 1,
          external_data: [{ key: 'location', value: 'weights.data' }],
        };
        return onnxFile('external.onnx', encodeModelObject(obj));
      },
      "run.yaml:2: model.onnx: external.onnx: initializer 'fc1.weight': tensor 'fc1.weight' is stored in an external data file, which is not supported; export the model as one file (models under 2 GB are by default)",
    ],
    [
      'a node off the chain',
      () =>
        onnxFile(
          'dangling.onnx',
          encodeModel(
            mlp((g) => g.nodes.push(node('Relu', '/unused/Relu', ['other'], ['other2']))),
          ),
        ),
      "run.yaml:2: model.onnx: dangling.onnx: node 3 '/unused/Relu' (Relu): is not on the chain from the graph input to the output; supported: sequential models only",
    ],
  ];

  it.each(cases)('%s', (name, setup, expected) => {
    const issues = issuesFor(setup(), name === 'an input shape the data does not have' ? 7 : 20);
    expect(issues).toHaveLength(1);
    if (typeof expected === 'string') expect(issues[0]).toBe(expected);
    else expect(issues[0]).toMatch(expected);
  });

  it('every committed fixture byte prefix is refused or read, never thrown', () => {
    // Truncation at every 97th byte of a real fixture: decoding must fail cleanly.
    const bytes = readFileSync(join(fixtures, 'cnn.onnx'));
    for (let end = 0; end < bytes.length; end += 97) {
      const issues = issuesFor(onnxFile('prefix.onnx', bytes.subarray(0, end)), 36, 3);
      expect(issues.length).toBeGreaterThan(0);
      expect(issues[0]).toMatch(/^run\.yaml:2: model\.onnx: prefix\.onnx: /);
    }
  });
});

// ------------------------------------------------------------------ Keras

interface KerasSetup {
  topology?: unknown;
  manifest?: unknown;
  bin?: Uint8Array | null;
  text?: string;
}

function dense(name: string, units: number, extra: Record<string, unknown> = {}) {
  return {
    class_name: 'Dense',
    config: { name, units, activation: 'linear', use_bias: true, ...extra },
  };
}

/** Sequential 4 -> Dense(3, relu) -> Dense(2) as tfjs model.save writes it, then changed. */
function kerasFile(name: string, change: (s: Required<KerasSetup>) => void = () => {}): string {
  const s: Required<KerasSetup> = {
    topology: {
      class_name: 'Sequential',
      config: {
        name: 'sequential_1',
        layers: [
          dense('dense_Dense1', 3, { activation: 'relu', batch_input_shape: [null, 4] }),
          dense('dense_Dense2', 2),
        ],
      },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    manifest: [
      {
        paths: [`${name}.bin`],
        weights: [
          { name: 'dense_Dense1/kernel', shape: [4, 3], dtype: 'float32' },
          { name: 'dense_Dense1/bias', shape: [3], dtype: 'float32' },
          { name: 'dense_Dense2/kernel', shape: [3, 2], dtype: 'float32' },
          { name: 'dense_Dense2/bias', shape: [2], dtype: 'float32' },
        ],
      },
    ],
    bin: new Uint8Array(Float32Array.from(lcgValues(12 + 3 + 6 + 2, 5)).buffer),
    text: '',
  };
  change(s);
  const json =
    s.text ||
    JSON.stringify({
      modelTopology: s.topology,
      weightsManifest: s.manifest,
      format: 'layers-model',
    });
  writeFileSync(join(dir, `${name}.json`), json);
  if (s.bin) writeFileSync(join(dir, `${name}.bin`), s.bin);
  return `{ keras: ${name}.json }`;
}

type Layers = { config: { layers: Record<string, unknown>[] } };
const layersOf = (s: Required<KerasSetup>) => (s.topology as Layers).config.layers;
type Manifest = { weights: Record<string, unknown>[] }[];

describe('malformed Keras model.json files', () => {
  it('the well-formed base file is accepted', () => {
    const text = `data: { source: synthetic, features: 4, outputs: 2 }
model: ${kerasFile('good')}
loss: cross_entropy
optimizer: { type: sgd, lr: 0.1 }
batch_size: 8
steps: 5
`;
    expect(parseDefinition(text, join(dir, 'run.yaml')).issues).toEqual([]);
  });

  const cases: [string, () => string, string | RegExp][] = [
    [
      'not JSON',
      () => kerasFile('broken', (s) => (s.text = '{"modelTopology": ')),
      /^run\.yaml:2: model\.keras: broken\.json: not JSON \(.+\); expected the model\.json that tfjs model\.save or tensorflowjs_converter writes$/,
    ],
    [
      'an unsupported layer',
      () =>
        kerasFile('bn', (s) =>
          layersOf(s).splice(1, 0, { class_name: 'BatchNormalization', config: { name: 'bn1' } }),
        ),
      "run.yaml:2: model.keras: bn.json: layer 1 'bn1' (BatchNormalization): layer class BatchNormalization is not supported; supported layers: InputLayer, Dense, Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Dropout, ZeroPadding2D, Activation, ReLU, LeakyReLU, ELU",
    ],
    [
      'a softmax activation',
      () =>
        kerasFile(
          'softmax',
          (s) =>
            (layersOf(s)[1].config = {
              ...(layersOf(s)[1].config as object),
              activation: 'softmax',
            }),
        ),
      "run.yaml:2: model.keras: softmax.json: layer 1 'dense_Dense2' (Dense): activation 'softmax' is not supported: the loss (cross_entropy) applies softmax itself; save the model with activation 'linear' on the last layer (logits)",
    ],
    [
      'missing weights',
      () =>
        kerasFile('no-bias', (s) => ((s.manifest as Manifest)[0].weights[3].name = 'other/bias')),
      "run.yaml:2: model.keras: no-bias.json: layer 1 'dense_Dense2' (Dense): missing weights: no 'dense_Dense2/bias' in the weightsManifest (it lists dense_Dense1/kernel, dense_Dense1/bias, dense_Dense2/kernel, other/bias)",
    ],
    [
      'a truncated weight shard',
      () => kerasFile('short', (s) => (s.bin = s.bin!.subarray(0, 60))),
      "run.yaml:2: model.keras: short.json: weight 'dense_Dense2/kernel': truncated weights: [3, 2] float32 needs bytes 60..84 of the shards (short.bin), which hold 60",
    ],
    [
      'a missing weight shard',
      () => kerasFile('no-shard', (s) => (s.bin = null)),
      "run.yaml:2: model.keras: no-shard.json: weightsManifest[0].paths: missing weights: cannot read shard 'no-shard.bin' (file not found); keep the .bin files next to model.json",
    ],
    [
      'int32 weights',
      () => kerasFile('int', (s) => ((s.manifest as Manifest)[0].weights[0].dtype = 'int32')),
      "run.yaml:2: model.keras: int.json: weight 'dense_Dense1/kernel': dtype int32 is not supported; supported: float32 weights",
    ],
    [
      'quantized weights',
      () =>
        kerasFile('quantized', (s) => {
          (s.manifest as Manifest)[0].weights[0].quantization = {
            dtype: 'uint8',
            scale: 0.1,
            min: 0,
          };
        }),
      "run.yaml:2: model.keras: quantized.json: weight 'dense_Dense1/kernel': quantized weights are not supported; convert the model without quantization (float32)",
    ],
    [
      'a kernel of the wrong shape',
      () =>
        kerasFile('kernel', (s) => {
          const w = (s.manifest as Manifest)[0].weights;
          w[2].shape = [2, 3];
        }),
      "run.yaml:2: model.keras: kernel.json: layer 1 'dense_Dense2' (Dense): shape mismatch: weight 'dense_Dense2/kernel' is [2, 3] but the layer needs [3, 2]",
    ],
    [
      'a branching functional model',
      () =>
        kerasFile('branch', (s) => {
          s.topology = {
            class_name: 'Model',
            config: {
              name: 'model1',
              layers: [
                {
                  name: 'in',
                  class_name: 'InputLayer',
                  config: { name: 'in', batch_input_shape: [null, 4] },
                  inbound_nodes: [],
                },
                {
                  ...dense('dense_Dense1', 3),
                  name: 'dense_Dense1',
                  inbound_nodes: [[['in', 0, 0, {}]]],
                },
                {
                  ...dense('dense_Dense2', 2),
                  name: 'dense_Dense2',
                  inbound_nodes: [[['in', 0, 0, {}]]],
                },
              ],
              input_layers: [['in', 0, 0]],
              output_layers: [['dense_Dense2', 0, 0]],
            },
          };
        }),
      "run.yaml:2: model.keras: branch.json: layer 2 'dense_Dense2' (Dense): branching model: the output of 'in' feeds layer 1 'dense_Dense1' (Dense) and layer 2 'dense_Dense2' (Dense); supported: sequential models only",
    ],
    [
      'a merge layer',
      () =>
        kerasFile('merge', (s) => {
          s.topology = {
            class_name: 'Model',
            config: {
              layers: [
                {
                  name: 'in',
                  class_name: 'InputLayer',
                  config: { name: 'in', batch_input_shape: [null, 4] },
                  inbound_nodes: [],
                },
                {
                  name: 'add',
                  class_name: 'Add',
                  config: { name: 'add' },
                  inbound_nodes: [
                    [
                      ['in', 0, 0, {}],
                      ['in', 0, 0, {}],
                    ],
                  ],
                },
              ],
              input_layers: [['in', 0, 0]],
              output_layers: [['add', 0, 0]],
            },
          };
        }),
      "run.yaml:2: model.keras: merge.json: layer 1 'add' (Add): combines 2 inputs (in, in); supported: sequential models only (no residual connections or merges)",
    ],
    [
      'no input shape',
      () =>
        kerasFile(
          'no-input',
          (s) => delete (layersOf(s)[0].config as Record<string, unknown>).batch_input_shape,
        ),
      "run.yaml:2: model.keras: no-input.json: layer 0 'dense_Dense1' (Dense): no input shape; build the model with an input shape (input_shape / batch_input_shape on the first layer)",
    ],
  ];

  it.each(cases)('%s', (_name, setup, expected) => {
    const issues = issuesFor(setup(), 4, 2);
    expect(issues).toHaveLength(1);
    if (typeof expected === 'string') expect(issues[0]).toBe(expected);
    else expect(issues[0]).toMatch(expected);
  });

  it('a model file section with both or neither format is refused at the field', () => {
    expect(issuesFor('{ onnx: a.onnx, keras: b.json }')).toEqual([
      'run.yaml:2: model: name one model file: either onnx or keras',
    ]);
    expect(issuesFor('{ pytorch: a.pt }')).toEqual([
      "run.yaml:2: model.pytorch: unknown field 'pytorch'; allowed here: onnx, keras",
      'run.yaml:2: model: expected a list of layers, or a model file: {onnx: path} (torch.onnx.export) or {keras: path} (a Keras / tfjs-layers model.json)',
    ]);
  });
});
