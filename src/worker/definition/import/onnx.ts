// ONNX import: the sequential graphs torch.onnx.export writes for the engine's layer types,
// decoded with protobufjs (./onnx-schema.ts), with the initializers as initial weights.
// ONNX keeps PyTorch's layouts (Gemm weight [out, in] with transB=1, Conv weight
// [out, in, kh, kw], Flatten in C, H, W order), so weights pass through unchanged except where
// an op stores them the other way round (MatMul, Gemm with transB=0).
//
// A graph is accepted when its computing nodes form one chain from the single input to the
// single output. Nodes that only compute the target shape of a Reshape (Shape, Gather,
// Unsqueeze, Concat, ... as `x.view(x.size(0), -1)` exports) are evaluated, not run.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import protobuf from 'protobufjs';
import type { LayerSpec, Pair, Padding } from '../../../protocol/definition';
import { formatShape, outputShapes, permute } from '../../../vivit/spec';
import { ModelImportError, type ImportedModel } from './model-file';
import {
  ONNX_DTYPES,
  ONNX_SCHEMA,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-schema';

export const ONNX_OPS = [
  'Gemm',
  'MatMul (+ Add)',
  'Conv',
  'Relu',
  'Sigmoid',
  'Tanh',
  'LeakyRelu',
  'Elu',
  'MaxPool',
  'AveragePool',
  'Flatten',
  'Reshape to [N, -1]',
  'Dropout',
  'Pad',
  'Identity',
];
const SUPPORTED = `supported ops: ${ONNX_OPS.join(', ')}`;

/** Ops that may appear in the computation of a Reshape's target shape. */
const SHAPE_OPS = new Set([
  'Shape',
  'Constant',
  'Gather',
  'Unsqueeze',
  'Concat',
  'Cast',
  'Squeeze',
]);

/** The batch dimension in evaluated shapes: unknown until run time. */
const BATCH = Number.NaN;

let modelType: protobuf.Type | undefined;
function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto');
  return modelType;
}

/** Decodes ONNX bytes into plain objects (int64 as numbers). Throws ModelImportError. */
export function decodeOnnx(bytes: Uint8Array, file: string): OnnxModel {
  if (bytes.length === 0) throw new ModelImportError(file, undefined, 'the file is empty');
  const type = onnxModelType();
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ModelImportError(
      file,
      undefined,
      `not a readable ONNX model (truncated or not protobuf: ${why}); export it again with torch.onnx.export`,
    );
  }
  return type.toObject(message, { longs: Number, arrays: true }) as OnnxModel;
}

/** A constant: an initializer or a Constant node's value, decoded. */
interface Constant {
  name: string;
  dims: number[];
  dtype: string;
  values: Float64Array;
}

const describeNode = (node: OnnxNode, index: number): string =>
  `node ${index} '${node.name || node.output?.[0] || '?'}' (${node.op_type ?? '?'})`;

/** Reads a tensor's values as float64; float and integer types only. */
function tensorValues(t: OnnxTensor, file: string, where: string): Constant {
  const name = t.name ?? '';
  const dims = (t.dims ?? []).map(Number);
  const code = t.data_type ?? 0;
  const dtype = ONNX_DTYPES[code] ?? `type code ${code}`;
  const what = `${name ? `tensor '${name}'` : 'a tensor'}`;
  if (t.data_location === 1 || (t.external_data?.length ?? 0) > 0) {
    throw new ModelImportError(
      file,
      where,
      `${what} is stored in an external data file, which is not supported; export the model as one file (models under 2 GB are by default)`,
    );
  }
  const count = dims.reduce((a, b) => a * b, 1);
  const width: Record<string, number> = { float32: 4, float64: 8, int64: 8, int32: 4 };
  const bytes = width[dtype];
  if (bytes === undefined) {
    throw new ModelImportError(
      file,
      where,
      `${what} is ${dtype}; supported: float32 or float64 weights (int64/int32 for shapes). Convert the model with model.float() before exporting`,
    );
  }
  const out = new Float64Array(count);
  const raw = t.raw_data;
  if (raw && raw.length > 0) {
    if (raw.length !== count * bytes) {
      throw new ModelImportError(
        file,
        where,
        `${what} has shape ${formatShape(dims)} (${count} ${dtype} values, ${count * bytes} bytes) but ${raw.length} bytes of data: truncated or corrupt`,
      );
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++) {
      out[i] =
        dtype === 'float32'
          ? view.getFloat32(i * 4, true)
          : dtype === 'float64'
            ? view.getFloat64(i * 8, true)
            : dtype === 'int32'
              ? view.getInt32(i * 4, true)
              : Number(view.getBigInt64(i * 8, true));
    }
  } else {
    const list =
      dtype === 'float32'
        ? t.float_data
        : dtype === 'float64'
          ? t.double_data
          : dtype === 'int32'
            ? t.int32_data
            : t.int64_data;
    const values = list ?? [];
    if (values.length !== count) {
      throw new ModelImportError(
        file,
        where,
        `${what} has shape ${formatShape(dims)} (${count} values) but ${values.length} values: truncated or corrupt`,
      );
    }
    for (let i = 0; i < count; i++) out[i] = Number(values[i]);
  }
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(out[i])) {
      throw new ModelImportError(file, where, `${what} holds ${out[i]} at index ${i}`);
    }
  }
  return { name, dims, dtype, values: out };
}

/** Attribute access for one node, reporting unsupported values at the node. */
class Attributes {
  private readonly byName = new Map<string, OnnxAttribute>();
  constructor(
    node: OnnxNode,
    private readonly file: string,
    private readonly where: string,
  ) {
    for (const a of node.attribute ?? []) if (a.name) this.byName.set(a.name, a);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  int(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a?.i !== undefined ? Number(a.i) : fallback;
  }

  float(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a?.f !== undefined ? shortestFloat32(a.f) : fallback;
  }

  ints(name: string): number[] | undefined {
    const a = this.byName.get(name);
    return a ? (a.ints ?? []).map(Number) : undefined;
  }

  text(name: string, fallback: string): string {
    const a = this.byName.get(name);
    return a?.s !== undefined ? new TextDecoder().decode(a.s) : fallback;
  }

  tensor(name: string): OnnxTensor | undefined {
    return this.byName.get(name)?.t;
  }

  /** Refuses an attribute whose value is not the one the engine computes. */
  require(name: string, actual: number | string | number[], allowed: string, what: string): void {
    throw new ModelImportError(
      this.file,
      this.where,
      `${name}=${JSON.stringify(actual)} is not supported; only ${allowed} (${what})`,
    );
  }

  /** Only these attributes (with these meanings) are understood; anything else is refused. */
  only(names: readonly string[]): void {
    for (const name of this.byName.keys()) {
      if (!names.includes(name)) {
        throw new ModelImportError(
          this.file,
          this.where,
          `attribute '${name}' is not supported (understood here: ${names.join(', ') || 'none'})`,
        );
      }
    }
  }
}

/** The shortest decimal that is the same float32: attributes are float32 on the wire, and a
 *  definition shows 0.2 rather than 0.20000000298023224 (both compute the same in float32). */
function shortestFloat32(v: number): number {
  for (let digits = 1; digits < 17; digits++) {
    const d = Number(v.toPrecision(digits));
    if (Math.fround(d) === v) return d;
  }
  return v;
}

/** A Pair from two equal-or-not numbers. */
const pair = (h: number, w: number): Pair => (h === w ? h : [h, w]);

/** The per-sample input shape declared by the graph input, when all its sizes are known. */
function declaredInputShape(input: OnnxValueInfo, file: string): number[] | undefined {
  const tensor = input.type?.tensor_type;
  const elem = tensor?.elem_type ?? 1;
  if (elem !== 1 && elem !== 11) {
    throw new ModelImportError(
      file,
      `graph input '${input.name}'`,
      `is ${ONNX_DTYPES[elem] ?? `type code ${elem}`}; supported: float32 or float64 inputs`,
    );
  }
  const dims = tensor?.shape?.dim;
  if (!dims) return undefined;
  const sample = dims.slice(1).map((d) => (d.dim_param ? undefined : Number(d.dim_value ?? 0)));
  if (sample.some((d) => d === undefined || !(d > 0))) return undefined;
  const shape = sample as number[];
  if (shape.length !== 1 && shape.length !== 3) {
    throw new ModelImportError(
      file,
      `graph input '${input.name}'`,
      `has shape [${dims.map((d) => d.dim_param || Number(d.dim_value ?? 0)).join(', ')}]; supported: [N, features] or [N, channels, height, width]`,
    );
  }
  return shape;
}

/** Reads an ONNX file (relative paths already resolved) into an ImportedModel. */
export function importOnnxFile(path: string): ImportedModel {
  const file = basename(path);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelImportError(
      path,
      undefined,
      code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : String(e),
    );
  }
  return importOnnx(bytes, file);
}

/** Converts ONNX bytes; `file` names the file in messages. */
export function importOnnx(bytes: Uint8Array, file: string): ImportedModel {
  const model = decodeOnnx(bytes, file);
  const graph = model.graph;
  if (!graph || (graph.node ?? []).length === 0) {
    throw new ModelImportError(
      file,
      undefined,
      graph
        ? 'the graph has no nodes'
        : 'no graph in the file: not an ONNX model (expected what torch.onnx.export writes)',
    );
  }
  for (const op of model.opset_import ?? []) {
    if ((op.domain ?? '') === '' && (op.version ?? 0) < 7) {
      throw new ModelImportError(
        file,
        undefined,
        `opset ${op.version} is too old; supported: opset 7 or newer (torch.onnx.export(..., opset_version=17))`,
      );
    }
  }
  return new GraphReader(graph.node ?? [], file).read(graph);
}

class GraphReader {
  private readonly constants = new Map<string, Constant>();
  /** Computing nodes: not Constant, not part of a shape computation. */
  private readonly compute = new Set<number>();
  private readonly producer = new Map<string, number>();
  private readonly layers: LayerSpec[] = [];
  private readonly params: Float64Array[] = [];
  private readonly origins: string[] = [];
  private inputShape: number[] | undefined;

  constructor(
    private readonly nodes: OnnxNode[],
    private readonly file: string,
  ) {}

  private fail(where: string | undefined, detail: string): never {
    throw new ModelImportError(this.file, where, detail);
  }

  private at(i: number): string {
    return describeNode(this.nodes[i], i);
  }

  read(graph: NonNullable<OnnxModel['graph']>): ImportedModel {
    for (const t of graph.initializer ?? []) {
      if (t.name) this.constants.set(t.name, tensorValues(t, this.file, `initializer '${t.name}'`));
    }
    this.nodes.forEach((node, i) => {
      for (const out of node.output ?? []) if (out) this.producer.set(out, i);
      if (node.op_type === 'Constant') this.readConstantNode(node, i);
    });
    this.markShapeComputations();

    const inputs = (graph.input ?? []).filter((v) => v.name && !this.constants.has(v.name));
    if (inputs.length !== 1) {
      this.fail(
        undefined,
        `the graph has ${inputs.length} inputs${inputs.length ? ` (${inputs.map((v) => v.name).join(', ')})` : ''}; supported: exactly one input tensor`,
      );
    }
    const outputs = graph.output ?? [];
    if (outputs.length !== 1) {
      this.fail(
        undefined,
        `the graph has ${outputs.length} outputs${outputs.length ? ` (${outputs.map((v) => v.name).join(', ')})` : ''}; supported: exactly one output (the logits)`,
      );
    }
    this.inputShape = declaredInputShape(inputs[0], this.file);
    this.walk(inputs[0].name!, outputs[0].name ?? '');
    const result: ImportedModel = {
      format: 'onnx',
      file: this.file,
      layers: this.layers,
      params: this.params,
      origins: this.origins,
    };
    if (this.inputShape) result.inputShape = this.inputShape;
    return result;
  }

  private readConstantNode(node: OnnxNode, i: number): void {
    const attrs = new Attributes(node, this.file, this.at(i));
    const out = node.output?.[0];
    if (!out) return;
    const t = attrs.tensor('value');
    if (t) {
      this.constants.set(out, { ...tensorValues(t, this.file, this.at(i)), name: out });
      return;
    }
    const ints = attrs.ints('value_ints');
    if (ints) {
      this.constants.set(out, {
        name: out,
        dims: [ints.length],
        dtype: 'int64',
        values: Float64Array.from(ints),
      });
      return;
    }
    if (attrs.has('value_int') || attrs.has('value_float')) {
      const v = attrs.has('value_int') ? attrs.int('value_int', 0) : attrs.float('value_float', 0);
      this.constants.set(out, {
        name: out,
        dims: [],
        dtype: 'float64',
        values: Float64Array.of(v),
      });
      return;
    }
    this.fail(
      this.at(i),
      'a Constant without a numeric value (value, value_ints, value_int, value_float)',
    );
  }

  /** Nodes that feed only the target shape of a Reshape are shape computations, not layers. */
  private markShapeComputations(): void {
    const shapeNodes = new Set<number>();
    const visit = (tensor: string): void => {
      const p = this.producer.get(tensor);
      if (p === undefined || shapeNodes.has(p)) return;
      const node = this.nodes[p];
      if (!SHAPE_OPS.has(node.op_type ?? '')) return;
      shapeNodes.add(p);
      // Shape's input is the data tensor itself: the walk stops there.
      if (node.op_type !== 'Shape') for (const input of node.input ?? []) visit(input);
    };
    this.nodes.forEach((node) => {
      if (node.op_type === 'Reshape' && node.input?.[1]) visit(node.input[1]);
    });
    this.nodes.forEach((node, i) => {
      if (node.op_type !== 'Constant' && !shapeNodes.has(i)) this.compute.add(i);
    });
  }

  /** Computing nodes that take `tensor` as an input. */
  private consumers(tensor: string): number[] {
    const found: number[] = [];
    for (const i of this.compute) if ((this.nodes[i].input ?? []).includes(tensor)) found.push(i);
    return found.sort((a, b) => a - b);
  }

  private walk(input: string, output: string): void {
    let current = input;
    const visited = new Set<number>();
    for (;;) {
      const next = this.consumers(current);
      if (next.length === 0) {
        if (current !== output) {
          this.fail(
            undefined,
            `tensor '${current}' is not used by any node and is not the graph output '${output}'; supported: one chain of nodes from the input to the output`,
          );
        }
        break;
      }
      if (current === output) {
        this.fail(
          this.at(next[0]),
          `reads the graph output '${output}': only a chain ending at the output is supported`,
        );
      }
      if (next.length > 1) {
        this.fail(
          this.at(next[1]),
          `branching graph: tensor '${current}' feeds ${next.map((i) => this.at(i)).join(' and ')}; supported: sequential models only (no residual connections or parallel branches)`,
        );
      }
      const i = next[0];
      const node = this.nodes[i];
      const unknown = (node.input ?? []).find(
        (n) => n && n !== current && !this.constants.has(n) && !this.producer.has(n),
      );
      if (unknown) {
        this.fail(
          this.at(i),
          `missing weights: input '${unknown}' is neither an initializer nor the output of a node; supported: weights stored in the file as initializers`,
        );
      }
      const dataInputs = (node.input ?? []).filter((n, k) => n && !this.isConstantInput(node, k));
      if (dataInputs.length !== 1) {
        this.fail(
          this.at(i),
          `combines ${dataInputs.length} computed tensors (${dataInputs.map((n) => `'${n}'`).join(', ')}); supported: sequential models, where each node reads the previous one's output and constants only`,
        );
      }
      if ((node.input ?? [])[0] !== current) {
        this.fail(
          this.at(i),
          `reads '${current}' as a weight or parameter input; supported: the data tensor as the first input`,
        );
      }
      visited.add(i);
      const used = this.convert(i, visited);
      current = used.output;
    }
    const stray = [...this.compute].filter((i) => !visited.has(i));
    if (stray.length > 0) {
      this.fail(
        this.at(stray[0]),
        'is not on the chain from the graph input to the output; supported: sequential models only',
      );
    }
  }

  /** Whether input k of a node is a constant (initializer, Constant node, shape computation). */
  private isConstantInput(node: OnnxNode, k: number): boolean {
    const name = node.input?.[k] ?? '';
    if (this.constants.has(name)) return true;
    const p = this.producer.get(name);
    return p !== undefined && !this.compute.has(p);
  }

  private constant(node: OnnxNode, i: number, k: number, what: string): Constant {
    const name = node.input?.[k] ?? '';
    const c = this.constants.get(name);
    if (!c) {
      this.fail(
        this.at(i),
        name
          ? `its ${what} '${name}' is not an initializer or constant (missing weights?); supported: weights stored in the file`
          : `missing weights: no ${what} input`,
      );
    }
    return c;
  }

  /** The single output a layer node passes on; extra outputs (masks, indices) must be unused. */
  private outputOf(i: number): string {
    const [first, ...rest] = this.nodes[i].output ?? [];
    for (const extra of rest) {
      if (extra && this.consumers(extra).length > 0) {
        this.fail(
          this.at(i),
          `its second output '${extra}' is used; supported: the first output only`,
        );
      }
    }
    if (!first) this.fail(this.at(i), 'has no output');
    return first;
  }

  private push(layer: LayerSpec, origin: string, ...weights: Float64Array[]): void {
    this.layers.push(layer);
    this.origins.push(origin);
    this.params.push(...weights);
  }

  /** Current per-sample shape, when the input shape is known and the layers so far fit. */
  private currentShape(): number[] | undefined {
    if (!this.inputShape) return undefined;
    try {
      const shapes = outputShapes(this.layers, this.inputShape);
      return shapes.length ? shapes[shapes.length - 1] : this.inputShape;
    } catch {
      return undefined; // the shape check after the import reports it, at the right node
    }
  }

  /** Converts node i (and an Add it absorbs); returns the tensor passed on. */
  private convert(i: number, visited: Set<number>): { output: string } {
    const node = this.nodes[i];
    const where = this.at(i);
    const attrs = new Attributes(node, this.file, where);
    const op = node.op_type ?? '';
    if ((node.domain ?? '') !== '' && node.domain !== 'ai.onnx') {
      this.fail(where, `op from domain '${node.domain}' is not supported; ${SUPPORTED}`);
    }
    switch (op) {
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh':
      case 'Identity':
        attrs.only([]);
        this.push({ type: op.toLowerCase() as 'relu' | 'sigmoid' | 'tanh' | 'identity' }, where);
        return { output: this.outputOf(i) };
      case 'LeakyRelu':
        attrs.only(['alpha']);
        this.push({ type: 'leaky_relu', negative_slope: attrs.float('alpha', 0.01) }, where);
        return { output: this.outputOf(i) };
      case 'Elu': {
        attrs.only(['alpha']);
        const alpha = attrs.float('alpha', 1);
        if (!(alpha > 0)) attrs.require('alpha', alpha, 'alpha > 0', 'ELU');
        this.push({ type: 'elu', alpha }, where);
        return { output: this.outputOf(i) };
      }
      case 'Dropout': {
        attrs.only(['ratio', 'seed', 'is_test']);
        // ratio is an input from opset 12 on, an attribute before.
        const ratio = node.input?.[1]
          ? this.constant(node, i, 1, 'ratio').values[0]
          : attrs.float('ratio', 0.5);
        if (!(ratio >= 0 && ratio < 1))
          attrs.require('ratio', ratio, 'a ratio in [0, 1)', 'dropout');
        this.push({ type: 'dropout', p: ratio }, where);
        return { output: this.outputOf(i) };
      }
      case 'Flatten': {
        attrs.only(['axis']);
        const axis = attrs.int('axis', 1);
        if (axis !== 1) attrs.require('axis', axis, '1', 'flatten everything but the batch');
        this.push({ type: 'flatten' }, where);
        return { output: this.outputOf(i) };
      }
      case 'Reshape':
        return this.reshape(i, attrs);
      case 'Gemm':
        return this.gemm(i, attrs);
      case 'MatMul':
        return this.matmul(i, attrs, visited);
      case 'Conv':
        return this.conv(i, attrs);
      case 'MaxPool':
      case 'AveragePool':
        return this.pool(i, attrs, op);
      case 'Pad':
        return this.pad(i, attrs);
      case 'Softmax':
      case 'LogSoftmax':
        return this.fail(
          where,
          `unsupported op ${op}: the loss (cross_entropy) applies softmax itself; export the model without the final ${op} (return the logits)`,
        );
      default:
        return this.fail(where, `unsupported op ${op || '(none)'}; ${SUPPORTED}`);
    }
  }

  private reshape(i: number, attrs: Attributes): { output: string } {
    const node = this.nodes[i];
    const where = this.at(i);
    attrs.only(['allowzero']);
    const target = this.evaluate(node.input?.[1] ?? '', i);
    const shape = this.currentShape();
    const features = shape?.reduce((a, b) => a * b, 1);
    const batchLike = (d: number) => Number.isNaN(d) || d === 0 || d === -1 || d > 0;
    const flat =
      target.length === 2 &&
      batchLike(target[0]) &&
      (target[1] === -1 || (features !== undefined && target[1] === features)) &&
      !(target[0] === -1 && target[1] === -1);
    if (!flat) {
      this.fail(
        where,
        `reshapes to ${formatShape(target.map((d) => (Number.isNaN(d) ? 'N' : d) as number))}; supported: Reshape to [N, -1] (flatten, as x.view(x.size(0), -1) or torch.flatten(x, 1) export)`,
      );
    }
    this.push({ type: 'flatten' }, where);
    return { output: this.outputOf(i) };
  }

  /** Evaluates a shape computation (constants, Shape of the data tensor, Gather, ...). */
  private evaluate(tensor: string, consumer: number): number[] {
    const c = this.constants.get(tensor);
    if (c) return Array.from(c.values);
    const p = this.producer.get(tensor);
    const where = this.at(consumer);
    if (p === undefined || this.compute.has(p)) {
      this.fail(
        where,
        `its target shape '${tensor}' is computed from data; supported: Reshape to [N, -1]`,
      );
    }
    const node = this.nodes[p];
    const args = (k: number) => this.evaluate(node.input?.[k] ?? '', consumer);
    const attrs = new Attributes(node, this.file, this.at(p));
    switch (node.op_type) {
      case 'Shape': {
        const shape = this.currentShape();
        if (!shape) this.fail(where, 'its target shape depends on an input of unknown size');
        const full = [BATCH, ...shape];
        const start = attrs.int('start', 0);
        const end = attrs.int('end', full.length);
        return full.slice(start, end);
      }
      case 'Gather': {
        const data = args(0);
        return args(1).map((k) => data[k < 0 ? data.length + k : k]);
      }
      case 'Unsqueeze':
      case 'Squeeze':
      case 'Cast':
        return args(0);
      case 'Concat':
        return (node.input ?? []).flatMap((_, k) => args(k));
      default:
        return this.fail(this.at(p), `cannot evaluate ${node.op_type} in a shape computation`);
    }
  }

  private gemm(i: number, attrs: Attributes): { output: string } {
    const node = this.nodes[i];
    const where = this.at(i);
    attrs.only(['alpha', 'beta', 'transA', 'transB']);
    const alpha = attrs.float('alpha', 1);
    const beta = attrs.float('beta', 1);
    if (alpha !== 1) attrs.require('alpha', alpha, '1', 'nn.Linear');
    if (attrs.int('transA', 0) !== 0) attrs.require('transA', 1, '0', 'nn.Linear');
    const w = this.constant(node, i, 1, 'weight');
    if (w.dims.length !== 2) {
      this.fail(
        where,
        `weight '${w.name}' has shape ${formatShape(w.dims)}; supported: a 2-d matrix`,
      );
    }
    const transB = attrs.int('transB', 0) !== 0;
    // PyTorch layout is [out, in], which Gemm reads with transB=1.
    const [out, inF] = transB ? w.dims : [w.dims[1], w.dims[0]];
    const weight = transB ? w.values : permute(w.values, w.dims, [1, 0]);
    const hasBias = Boolean(node.input?.[2]);
    if (hasBias && beta !== 1) attrs.require('beta', beta, '1', 'nn.Linear');
    const weights = [weight];
    if (hasBias) weights.push(this.bias(this.constant(node, i, 2, 'bias'), out, where));
    this.push({ type: 'linear', in: inF, out, bias: hasBias }, where, ...weights);
    return { output: this.outputOf(i) };
  }

  /** A bias of `out` values ([out] or [1, out]). */
  private bias(b: Constant, out: number, where: string): Float64Array {
    const size = b.dims.reduce((a, c) => a * c, 1);
    const fits = size === out && b.dims.filter((d) => d !== 1).length <= 1;
    if (!fits) {
      this.fail(
        where,
        `shape mismatch: bias '${b.name}' has shape ${formatShape(b.dims)} but the layer has ${out} outputs; supported: a bias of shape [${out}]`,
      );
    }
    return b.values;
  }

  /** MatMul with a constant [in, out] matrix, and the Add of a constant bias right after it. */
  private matmul(i: number, attrs: Attributes, visited: Set<number>): { output: string } {
    const node = this.nodes[i];
    const where = this.at(i);
    attrs.only([]);
    const w = this.constant(node, i, 1, 'weight');
    if (w.dims.length !== 2) {
      this.fail(
        where,
        `weight '${w.name}' has shape ${formatShape(w.dims)}; supported: a 2-d matrix`,
      );
    }
    const [inF, out] = w.dims;
    const weight = permute(w.values, w.dims, [1, 0]);
    const output = this.outputOf(i);
    const next = this.consumers(output);
    const add = next.length === 1 ? this.nodes[next[0]] : undefined;
    if (add?.op_type === 'Add') {
      const k = add.input?.[0] === output ? 1 : 0;
      const biasName = add.input?.[k] ?? '';
      const b = this.constants.get(biasName);
      if (b) {
        visited.add(next[0]);
        this.push(
          { type: 'linear', in: inF, out, bias: true },
          where,
          weight,
          this.bias(b, out, this.at(next[0])),
        );
        return { output: this.outputOf(next[0]) };
      }
    }
    this.push({ type: 'linear', in: inF, out, bias: false }, where, weight);
    return { output };
  }

  /** ONNX pads [top, left, bottom, right] of a 2-d window. */
  private pads(attrs: Attributes, where: string): [number, number, number, number] {
    const autoPad = attrs.text('auto_pad', 'NOTSET');
    if (autoPad !== 'NOTSET')
      attrs.require('auto_pad', autoPad, "'NOTSET' with explicit pads", where);
    const pads = attrs.ints('pads') ?? [0, 0, 0, 0];
    if (pads.length !== 4)
      this.fail(where, `pads ${formatShape(pads)}: supported: 2-d windows (4 pads)`);
    return [pads[0], pads[1], pads[2], pads[3]];
  }

  private window(attrs: Attributes, where: string, kernel: number[]): Pair {
    const strides = attrs.ints('strides') ?? [1, 1];
    if (strides.length !== 2 || kernel.length !== 2) {
      this.fail(where, `kernel ${formatShape(kernel)}: supported: 2-d windows only`);
    }
    const dilations = attrs.ints('dilations') ?? [1, 1];
    if (dilations.some((d) => d !== 1)) attrs.require('dilations', dilations, '[1, 1]', where);
    return pair(strides[0], strides[1]);
  }

  private conv(i: number, attrs: Attributes): { output: string } {
    const node = this.nodes[i];
    const where = this.at(i);
    attrs.only(['kernel_shape', 'strides', 'pads', 'dilations', 'group', 'auto_pad']);
    const w = this.constant(node, i, 1, 'weight');
    if (w.dims.length !== 4) {
      this.fail(
        where,
        `weight '${w.name}' has shape ${formatShape(w.dims)}; supported: Conv2d ([out, in, kh, kw])`,
      );
    }
    const [outC, inC, kh, kw] = w.dims;
    const group = attrs.int('group', 1);
    if (group !== 1)
      attrs.require('group', group, '1', 'grouped and depthwise convolutions are not supported');
    const kernel = attrs.ints('kernel_shape') ?? [kh, kw];
    if (kernel[0] !== kh || kernel[1] !== kw) {
      this.fail(
        where,
        `shape mismatch: kernel_shape ${formatShape(kernel)} but weight '${w.name}' is ${formatShape(w.dims)}`,
      );
    }
    const stride = this.window(attrs, where, kernel);
    const [top, left, bottom, right] = this.pads(attrs, where);
    let padding: Padding = pair(top, left);
    if (top !== bottom || left !== right) {
      // Uneven padding is exact as a zero-padding layer in front of an unpadded convolution.
      this.push({ type: 'zeropad2d', padding: [left, right, top, bottom] }, where);
      padding = 0;
    }
    const weights = [w.values];
    const hasBias = Boolean(node.input?.[2]);
    if (hasBias) weights.push(this.bias(this.constant(node, i, 2, 'bias'), outC, where));
    this.push(
      {
        type: 'conv2d',
        in_channels: inC,
        out_channels: outC,
        kernel_size: pair(kh, kw),
        stride,
        padding,
        bias: hasBias,
      },
      where,
      ...weights,
    );
    return { output: this.outputOf(i) };
  }

  private pool(i: number, attrs: Attributes, op: 'MaxPool' | 'AveragePool'): { output: string } {
    const where = this.at(i);
    attrs.only([
      'kernel_shape',
      'strides',
      'pads',
      'auto_pad',
      'ceil_mode',
      ...(op === 'MaxPool' ? ['dilations', 'storage_order'] : ['count_include_pad']),
    ]);
    const kernel = attrs.ints('kernel_shape');
    if (!kernel) this.fail(where, 'missing attribute kernel_shape');
    const stride = this.window(attrs, where, kernel);
    const ceil = attrs.int('ceil_mode', 0);
    if (ceil !== 0) attrs.require('ceil_mode', ceil, '0', 'ceil_mode=False');
    if (attrs.int('storage_order', 0) !== 0) attrs.require('storage_order', 1, '0', where);
    const [top, left, bottom, right] = this.pads(attrs, where);
    if (top !== bottom || left !== right) {
      this.fail(
        where,
        `uneven pads [${top}, ${left}, ${bottom}, ${right}]; supported: the same padding on both sides`,
      );
    }
    const padded = top > 0 || left > 0;
    if (op === 'AveragePool' && padded && attrs.int('count_include_pad', 0) !== 1) {
      attrs.require(
        'count_include_pad',
        0,
        '1 when padding (PyTorch\u2019s default count_include_pad=True)',
        'the engine averages over the padded window',
      );
    }
    this.push(
      {
        type: op === 'MaxPool' ? 'maxpool2d' : 'avgpool2d',
        kernel_size: pair(kernel[0], kernel[1]),
        stride,
        padding: pair(top, left),
      },
      where,
    );
    return { output: this.outputOf(i) };
  }

  private pad(i: number, attrs: Attributes): { output: string } {
    const node = this.nodes[i];
    const where = this.at(i);
    attrs.only(['mode', 'pads', 'value']);
    const mode = attrs.text('mode', 'constant');
    if (mode !== 'constant')
      attrs.require('mode', mode, "'constant' (zero padding)", 'nn.ZeroPad2d');
    // pads and the fill value are inputs from opset 11 on, attributes before.
    const pads = node.input?.[1]
      ? Array.from(this.constant(node, i, 1, 'pads').values)
      : (attrs.ints('pads') ?? []);
    const value = node.input?.[2]
      ? (this.constant(node, i, 2, 'constant value').values[0] ?? 0)
      : attrs.float('value', 0);
    if (node.input?.[3])
      this.fail(where, 'the axes input is not supported; supported: pads for all 4 axes');
    if (value !== 0) attrs.require('value', value, '0', 'nn.ZeroPad2d');
    if (
      pads.length !== 8 ||
      pads[0] !== 0 ||
      pads[1] !== 0 ||
      pads[4] !== 0 ||
      pads[5] !== 0 ||
      pads.some((p) => p < 0)
    ) {
      this.fail(
        where,
        `pads ${formatShape(pads)}; supported: zero padding of height and width only ([0, 0, top, left, 0, 0, bottom, right], non-negative)`,
      );
    }
    this.push({ type: 'zeropad2d', padding: [pads[3], pads[7], pads[2], pads[6]] }, where);
    return { output: this.outputOf(i) };
  }
}
