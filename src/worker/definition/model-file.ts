// The `model` field when it names a file instead of listing layers: `model: {onnx: path}` or
// `model: {keras: path}`. The file is read here, so its problems are reported like any other
// definition issue, at `model.onnx` / `model.keras`, with the file, node or layer in the text.
import type { LayerSpec, ModelFile } from '../../protocol/definition';
import type { DataFacts } from '../data/dataset';
import { formatShape } from '../../vivit/spec';
import {
  checkImportedModel,
  importModelFile,
  MODEL_FORMATS,
  ModelImportError,
  type ImportedModel,
} from './import/index';
import { checkKnownFields, describeValue, type IssueCollector, type Obj } from './fields';
import type { FieldPath } from './source';

export interface ModelFromFile {
  file: ModelFile;
  model: ImportedModel;
  layers: LayerSpec[];
  /** Where issues about the model go. */
  path: FieldPath;
}

/** Reads `model: {onnx|keras: path}`; reports at the field and returns undefined on a problem. */
export function readModelFile(
  c: IssueCollector,
  o: Obj,
  baseDir: string,
): ModelFromFile | undefined {
  const before = c.count;
  checkKnownFields(c, o, ['model'], MODEL_FORMATS);
  const formats = MODEL_FORMATS.filter((f) => o[f] !== undefined);
  if (formats.length !== 1) {
    c.add(
      ['model'],
      formats.length === 0
        ? 'expected a list of layers, or a model file: {onnx: path} (torch.onnx.export) or {keras: path} (a Keras / tfjs-layers model.json)'
        : 'name one model file: either onnx or keras',
    );
    return undefined;
  }
  const format = formats[0];
  const path: FieldPath = ['model', format];
  const value = o[format];
  if (typeof value !== 'string' || value === '') {
    c.add(path, `expected the path of the model file, got ${describeValue(value)}`);
    return undefined;
  }
  if (c.count !== before) return undefined;
  const file: ModelFile = { format, path: value };
  try {
    const model = importModelFile(file, baseDir);
    // The file's own consistency, where it declares its input shape.
    if (model.inputShape) checkImportedModel(model, model.inputShape, "the model's declared input");
    return { file, model, layers: model.layers, path };
  } catch (e) {
    if (!(e instanceof ModelImportError)) throw e;
    c.add(path, e.message);
    return undefined;
  }
}

/** The imported model against the data: input shape, then the layer chain and weights. */
export function checkModelFileAgainstData(
  c: IssueCollector,
  m: ModelFromFile,
  facts: DataFacts,
): boolean {
  const declared = m.model.inputShape;
  if (declared && declared.join() !== facts.inputShape.join()) {
    c.add(
      m.path,
      `${m.model.file}: the model's input has per-sample shape ${formatShape(declared)} (PyTorch layout) but ${facts.label} has ${formatShape(facts.inputShape)}`,
    );
    return false;
  }
  try {
    checkImportedModel(m.model, facts.inputShape, facts.label);
    return true;
  } catch (e) {
    if (!(e instanceof ModelImportError)) throw e;
    c.add(m.path, e.message);
    return false;
  }
}
