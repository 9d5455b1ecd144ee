// Keras / tfjs-layers model.json import (what tfjs `model.save` and tensorflowjs_converter
// write): Sequential and functional models whose layers form one chain, with the weights from
// the .bin shards. Keras is channels-last; the engine's model lists use PyTorch's layout, so
// images become [C, H, W], kernels are permuted to PyTorch's ([out, in] and
// [out, in, kh, kw]), and a Dense layer after a Flatten of an image gets its input rows
// reordered from Keras's (h, w, c) flattening to PyTorch's (c, h, w).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { LayerSpec, Padding, Pair } from '../../../protocol/definition';
import { formatShape, LayerShapeError, outputShapes, permute } from '../../../vivit/spec';
import { readKerasWeights, type KerasWeight } from './keras-weights';
import { ModelImportError, type ImportedModel } from './model-file';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const KERAS_LAYERS = [
  'InputLayer',
  'Dense',
  'Conv2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'Flatten',
  'Dropout',
  'ZeroPadding2D',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'ELU',
];
const SUPPORTED = `supported layers: ${KERAS_LAYERS.join(', ')}`;
const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'elu'];

interface KerasLayer {
  className: string;
  name: string;
  config: Obj;
  /** Position in the file's layer list. */
  index: number;
}

const describeLayer = (l: KerasLayer): string => `layer ${l.index} '${l.name}' (${l.className})`;

export function importKerasFile(path: string): ImportedModel {
  const file = basename(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelImportError(
      path,
      undefined,
      code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : String(e),
    );
  }
  return importKeras(text, path, file);
}

/** Converts model.json text; `path` locates the weight shards, `file` names it in messages. */
export function importKeras(text: string, path: string, file: string): ImportedModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelImportError(
      file,
      undefined,
      `not JSON (${e instanceof Error ? e.message : String(e)}); expected the model.json that tfjs model.save or tensorflowjs_converter writes`,
    );
  }
  if (!isObj(json)) throw new ModelImportError(file, undefined, 'expected a JSON object');
  // tfjs: {modelTopology, weightsManifest}; converted Keras files wrap the topology once more.
  let topology: unknown = json.modelTopology ?? json;
  if (isObj(topology) && isObj(topology.model_config)) topology = topology.model_config;
  if (!isObj(topology) || typeof topology.class_name !== 'string') {
    throw new ModelImportError(
      file,
      'modelTopology',
      'no model topology ({class_name, config}); expected a Keras / tfjs-layers model.json',
    );
  }
  const layers = chainOf(topology, file);
  const weights = readKerasWeights(json.weightsManifest, path, file);
  return new KerasConverter(file, weights).convert(layers);
}

/** The model's layers in the order data flows through them. */
function chainOf(topology: Obj, file: string): KerasLayer[] {
  const kind = topology.class_name as string;
  const config = topology.config;
  const list: unknown =
    kind === 'Sequential' && Array.isArray(config)
      ? config
      : isObj(config)
        ? config.layers
        : undefined;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ModelImportError(file, 'modelTopology.config', 'no layers');
  }
  const layers: KerasLayer[] = list.map((entry: unknown, index) => {
    if (!isObj(entry) || typeof entry.class_name !== 'string' || !isObj(entry.config)) {
      throw new ModelImportError(file, `layer ${index}`, 'expected {class_name, config}');
    }
    const name =
      typeof entry.config.name === 'string'
        ? entry.config.name
        : typeof entry.name === 'string'
          ? entry.name
          : `#${index}`;
    return { className: entry.class_name, name, config: entry.config, index };
  });
  if (kind === 'Sequential') return layers;
  if (kind !== 'Model' && kind !== 'Functional') {
    throw new ModelImportError(
      file,
      'modelTopology',
      `model class '${kind}' is not supported; supported: Sequential, Model / Functional`,
    );
  }
  return functionalChain(list as Obj[], layers, config as Obj, file);
}

/** Names of the layers a tensor reference list points at: tfjs's [[name, node, tensor, kw]]
 *  or Keras 3's {args: [{config: {keras_history: [name, node, tensor]}}]}. */
function inboundNames(node: unknown): string[] {
  if (Array.isArray(node)) return node.map((ref) => (Array.isArray(ref) ? String(ref[0]) : '?'));
  const names: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (isObj(v)) {
      const history = isObj(v.config) ? v.config.keras_history : undefined;
      if (Array.isArray(history)) names.push(String(history[0]));
      else Object.values(v).forEach(visit);
    }
  };
  if (isObj(node)) visit(node.args);
  return names;
}

/** input_layers / output_layers: [[name, 0, 0], ...] or Keras 3's single [name, 0, 0]. */
function endpointNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  if (typeof value[0] === 'string') return [value[0]];
  return value.map((v) => (Array.isArray(v) ? String(v[0]) : '?'));
}

function functionalChain(
  raw: Obj[],
  layers: KerasLayer[],
  config: Obj,
  file: string,
): KerasLayer[] {
  const inputs = endpointNames(config.input_layers);
  const outputs = endpointNames(config.output_layers);
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new ModelImportError(
      file,
      'modelTopology.config',
      `the model has ${inputs.length} inputs and ${outputs.length} outputs; supported: one input and one output`,
    );
  }
  const byName = new Map(layers.map((l) => [l.name, l]));
  const feeds = new Map<string, string[]>();
  layers.forEach((l, i) => {
    const nodes = Array.isArray(raw[i].inbound_nodes) ? (raw[i].inbound_nodes as unknown[]) : [];
    if (nodes.length > 1) {
      throw new ModelImportError(
        file,
        describeLayer(l),
        `is called ${nodes.length} times (a shared layer); supported: each layer used once`,
      );
    }
    const from = nodes.length ? inboundNames(nodes[0]) : [];
    if (from.length > 1) {
      throw new ModelImportError(
        file,
        describeLayer(l),
        `combines ${from.length} inputs (${from.join(', ')}); supported: sequential models only (no residual connections or merges)`,
      );
    }
    feeds.set(l.name, from);
  });
  const first = byName.get(inputs[0]);
  if (!first)
    throw new ModelImportError(
      file,
      'modelTopology.config.input_layers',
      `no layer '${inputs[0]}'`,
    );
  let current: KerasLayer = first;
  const chain = [current];
  while (current.name !== outputs[0]) {
    const from: string = current.name;
    const next: KerasLayer[] = layers.filter((l) => feeds.get(l.name)?.[0] === from);
    if (next.length === 0) {
      throw new ModelImportError(
        file,
        describeLayer(current),
        `is not connected to the output layer '${outputs[0]}'`,
      );
    }
    if (next.length > 1) {
      throw new ModelImportError(
        file,
        describeLayer(next[1]),
        `branching model: the output of '${from}' feeds ${next.map(describeLayer).join(' and ')}; supported: sequential models only`,
      );
    }
    current = next[0];
    chain.push(current);
  }
  const stray = layers.find((l) => !chain.includes(l));
  if (stray) {
    throw new ModelImportError(
      file,
      describeLayer(stray),
      'is not on the path from the input to the output; supported: sequential models only',
    );
  }
  return chain;
}

/** An int or [h, w] Keras argument as a Pair. */
function pairOf(
  value: unknown,
  fallback: Pair | undefined,
  where: string,
  key: string,
  file: string,
): Pair {
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw new ModelImportError(file, where, `missing '${key}'`);
  }
  const list = Array.isArray(value) ? value : [value, value];
  if (
    list.length !== 2 ||
    !list.every((v) => typeof v === 'number' && Number.isInteger(v) && v > 0)
  ) {
    throw new ModelImportError(
      file,
      where,
      `${key} ${JSON.stringify(value)}: supported: a positive integer or two`,
    );
  }
  const [h, w] = list as number[];
  return h === w ? h : [h, w];
}

class KerasConverter {
  private readonly layers: LayerSpec[] = [];
  private readonly params: Float64Array[] = [];
  private readonly origins: string[] = [];
  private inputShape: number[] | undefined;
  private channelsFirst: boolean | undefined;
  /** Set by a Flatten of a channels-last image: its [C, H, W] until a Dense reads it. */
  private flattened: number[] | undefined;

  constructor(
    private readonly file: string,
    private readonly weights: Map<string, KerasWeight>,
  ) {}

  private fail(where: string | undefined, detail: string): never {
    throw new ModelImportError(this.file, where, detail);
  }

  convert(chain: KerasLayer[]): ImportedModel {
    // The layout is the model's, known before the input shape is read: the first layer that
    // states a data_format decides, and every other one must agree (checked per layer).
    const stated = chain.find(
      (l) => l.config.data_format === 'channels_first' || l.config.data_format === 'channels_last',
    );
    if (stated) this.channelsFirst = stated.config.data_format === 'channels_first';
    for (const layer of chain) {
      if (!this.inputShape) this.readInputShape(layer);
      this.convertLayer(layer);
      this.shapeNow();
    }
    const result: ImportedModel = {
      format: 'keras',
      file: this.file,
      layers: this.layers,
      params: this.params,
      origins: this.origins,
    };
    if (this.inputShape) result.inputShape = this.inputShape;
    return result;
  }

  /** The declared input shape (Keras's per-sample shape) in PyTorch layout. */
  private readInputShape(layer: KerasLayer): void {
    const c = layer.config;
    const batchShape = c.batch_input_shape ?? c.batch_shape;
    const shape = Array.isArray(batchShape)
      ? batchShape.slice(1)
      : Array.isArray(c.input_shape)
        ? c.input_shape
        : undefined;
    if (!shape) {
      this.fail(
        describeLayer(layer),
        'no input shape; build the model with an input shape (input_shape / batch_input_shape on the first layer)',
      );
    }
    if (
      !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0) ||
      (shape.length !== 1 && shape.length !== 3)
    ) {
      this.fail(
        describeLayer(layer),
        `input shape ${JSON.stringify(shape)}: supported: [features] or [height, width, channels] with known sizes`,
      );
    }
    const dims = shape as number[];
    this.inputShape =
      dims.length === 3 && !this.isChannelsFirst(layer) ? [dims[2], dims[0], dims[1]] : dims;
  }

  private isChannelsFirst(layer: KerasLayer): boolean {
    const format = layer.config.data_format;
    const first = format === 'channels_first';
    if (format !== undefined && format !== null) {
      if (format !== 'channels_first' && format !== 'channels_last') {
        this.fail(
          describeLayer(layer),
          `data_format ${JSON.stringify(format)}: supported: channels_last, channels_first`,
        );
      }
      if (this.channelsFirst !== undefined && this.channelsFirst !== first) {
        this.fail(
          describeLayer(layer),
          'mixes channels_first and channels_last layers; supported: one data_format for the whole model',
        );
      }
      this.channelsFirst = first;
    }
    return this.channelsFirst ?? false;
  }

  /** Per-sample PyTorch shape after the layers so far; a misfit is reported at its layer. */
  private shapeNow(): number[] {
    if (!this.inputShape) return [];
    try {
      const shapes = outputShapes(this.layers, this.inputShape);
      return shapes.length ? shapes[shapes.length - 1] : this.inputShape;
    } catch (e) {
      if (!(e instanceof LayerShapeError)) throw e;
      return this.fail(this.origins[e.index], `shape mismatch: ${e.message}`);
    }
  }

  private push(layer: LayerSpec, origin: string, ...weights: Float64Array[]): void {
    this.layers.push(layer);
    this.origins.push(origin);
    this.params.push(...weights);
  }

  private weight(layer: KerasLayer, kind: 'kernel' | 'bias', shape: number[]): Float64Array {
    const key = `${layer.name}/${kind}`;
    let found = this.weights.get(key);
    if (!found) for (const [name, w] of this.weights) if (name.endsWith(`/${key}`)) found = w;
    const where = describeLayer(layer);
    if (!found) {
      const names = [...this.weights.keys()];
      this.fail(
        where,
        `missing weights: no '${key}' in the weightsManifest (${names.length ? `it lists ${names.slice(0, 6).join(', ')}${names.length > 6 ? ', ...' : ''}` : 'it lists no weights'})`,
      );
    }
    if (found.shape.length !== shape.length || found.shape.some((d, i) => d !== shape[i])) {
      this.fail(
        where,
        `shape mismatch: weight '${found.name}' is ${formatShape(found.shape)} but the layer needs ${formatShape(shape)}`,
      );
    }
    return found.values;
  }

  /** The layer's activation argument as engine layers. */
  private activation(layer: KerasLayer, name: unknown): void {
    const where = describeLayer(layer);
    if (name === undefined || name === null || name === 'linear') return;
    if (name === 'softmax') {
      this.fail(
        where,
        "activation 'softmax' is not supported: the loss (cross_entropy) applies softmax itself; save the model with activation 'linear' on the last layer (logits)",
      );
    }
    if (typeof name !== 'string' || !ACTIVATIONS.includes(name)) {
      this.fail(
        where,
        `activation ${JSON.stringify(name)} is not supported; supported activations: ${ACTIVATIONS.join(', ')}`,
      );
    }
    if (name === 'elu') this.push({ type: 'elu', alpha: 1 }, where);
    else this.push({ type: name as 'relu' | 'sigmoid' | 'tanh' }, where);
  }

  private padding(layer: KerasLayer): Padding {
    const p = layer.config.padding ?? 'valid';
    if (p !== 'valid' && p !== 'same') {
      this.fail(describeLayer(layer), `padding ${JSON.stringify(p)}: supported: 'valid', 'same'`);
    }
    return p;
  }

  private requireOne(layer: KerasLayer, key: string, neutral: unknown[]): void {
    const value = layer.config[key];
    if (value === undefined || value === null) return;
    if (!neutral.some((n) => JSON.stringify(n) === JSON.stringify(value))) {
      this.fail(
        describeLayer(layer),
        `${key} ${JSON.stringify(value)} is not supported; only ${JSON.stringify(neutral[0])}`,
      );
    }
  }

  private convertLayer(layer: KerasLayer): void {
    const c = layer.config;
    const where = describeLayer(layer);
    const shape = this.shapeNow();
    switch (layer.className) {
      case 'InputLayer':
        return;
      case 'Dense': {
        const units = c.units;
        if (typeof units !== 'number' || !Number.isInteger(units) || units < 1)
          this.fail(where, `units ${JSON.stringify(units)}: expected a positive integer`);
        if (shape.length !== 1) {
          this.fail(
            where,
            `Dense on an input of shape ${formatShape(shape)} is not supported; supported: Dense on flat features (add a Flatten before it)`,
          );
        }
        const inF = shape[0];
        const kernel = this.weight(layer, 'kernel', [inF, units]);
        // Rows of a Dense after a channels-last Flatten run over (h, w, c); PyTorch's over (c, h, w).
        const image = this.flattened;
        const torch = image
          ? permute(kernel, [image[1], image[2], image[0], units], [3, 2, 0, 1])
          : permute(kernel, [inF, units], [1, 0]);
        this.flattened = undefined;
        const bias = c.use_bias !== false;
        const weights = [torch];
        if (bias) weights.push(this.weight(layer, 'bias', [units]));
        this.push({ type: 'linear', in: inF, out: units, bias }, where, ...weights);
        this.activation(layer, c.activation);
        return;
      }
      case 'Conv2D': {
        this.isChannelsFirst(layer);
        this.requireOne(layer, 'dilation_rate', [[1, 1], 1]);
        this.requireOne(layer, 'groups', [1]);
        const filters = c.filters;
        if (typeof filters !== 'number' || !Number.isInteger(filters) || filters < 1)
          this.fail(where, `filters ${JSON.stringify(filters)}: expected a positive integer`);
        if (shape.length !== 3)
          this.fail(where, `Conv2D on an input of shape ${formatShape(shape)}; supported: images`);
        const kernel = pairOf(c.kernel_size, undefined, where, 'kernel_size', this.file);
        const [kh, kw] = Array.isArray(kernel) ? kernel : [kernel, kernel];
        const inC = shape[0];
        const values = this.weight(layer, 'kernel', [kh, kw, inC, filters]);
        const bias = c.use_bias !== false;
        const weights = [permute(values, [kh, kw, inC, filters], [3, 2, 0, 1])];
        if (bias) weights.push(this.weight(layer, 'bias', [filters]));
        this.push(
          {
            type: 'conv2d',
            in_channels: inC,
            out_channels: filters,
            kernel_size: kernel,
            stride: pairOf(c.strides, 1, where, 'strides', this.file),
            padding: this.padding(layer),
            bias,
          },
          where,
          ...weights,
        );
        this.activation(layer, c.activation);
        return;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        this.isChannelsFirst(layer);
        const kernel = pairOf(c.pool_size, 2, where, 'pool_size', this.file);
        this.push(
          {
            type: layer.className === 'MaxPooling2D' ? 'maxpool2d' : 'avgpool2d',
            kernel_size: kernel,
            stride: pairOf(c.strides, kernel, where, 'strides', this.file),
            padding: this.padding(layer),
          },
          where,
        );
        return;
      }
      case 'Flatten': {
        const first = this.isChannelsFirst(layer);
        if (shape.length === 3 && !first) this.flattened = shape;
        this.push({ type: 'flatten' }, where);
        return;
      }
      case 'Dropout': {
        const rate = c.rate;
        if (typeof rate !== 'number' || !(rate >= 0 && rate < 1))
          this.fail(where, `rate ${JSON.stringify(rate)}: supported: a rate in [0, 1)`);
        this.requireOne(layer, 'noise_shape', [null]);
        this.push({ type: 'dropout', p: rate }, where);
        return;
      }
      case 'ZeroPadding2D': {
        this.isChannelsFirst(layer);
        const p = c.padding ?? 1;
        const n = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
        let pads: [number, number, number, number] | undefined; // left, right, top, bottom
        if (n(p)) pads = [p as number, p as number, p as number, p as number];
        else if (Array.isArray(p) && p.length === 2 && p.every(n)) {
          const [h, w] = p as number[];
          pads = [w, w, h, h];
        } else if (
          Array.isArray(p) &&
          p.length === 2 &&
          p.every((q) => Array.isArray(q) && q.length === 2 && q.every(n))
        ) {
          const [[top, bottom], [left, right]] = p as number[][];
          pads = [left, right, top, bottom];
        }
        if (!pads)
          this.fail(
            where,
            `padding ${JSON.stringify(p)}: supported: n, [h, w] or [[top, bottom], [left, right]]`,
          );
        this.push({ type: 'zeropad2d', padding: pads }, where);
        return;
      }
      case 'Activation':
        this.activation(layer, c.activation);
        return;
      case 'ReLU':
        this.requireOne(layer, 'max_value', [null]);
        this.requireOne(layer, 'threshold', [0]);
        this.requireOne(layer, 'negative_slope', [0]);
        this.push({ type: 'relu' }, where);
        return;
      case 'LeakyReLU': {
        // tfjs-layers and Keras 2 call the slope alpha, Keras 3 negative_slope; both default 0.3.
        const slope = c.alpha ?? c.negative_slope ?? 0.3;
        if (typeof slope !== 'number' || !Number.isFinite(slope))
          this.fail(where, `alpha ${JSON.stringify(slope)}: expected a number`);
        this.push({ type: 'leaky_relu', negative_slope: slope }, where);
        return;
      }
      case 'ELU': {
        const alpha = c.alpha ?? 1;
        if (typeof alpha !== 'number' || !(alpha > 0))
          this.fail(where, `alpha ${JSON.stringify(alpha)}: expected a number > 0`);
        this.push({ type: 'elu', alpha }, where);
        return;
      }
      case 'Softmax':
        return this.fail(
          where,
          'Softmax is not supported: the loss (cross_entropy) applies softmax itself; save the model without it (logits)',
        );
      default:
        return this.fail(where, `layer class ${layer.className} is not supported; ${SUPPORTED}`);
    }
  }
}
