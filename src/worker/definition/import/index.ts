// Model files named by a run definition (`model: {onnx: path}` or `model: {keras: path}`):
// read into the engine's layer list plus initial weights. Validation reads the file for the
// layers; the worker reads it again for the weights (definitions and logs carry no weights).
import type { ModelFile, RunDefinition } from '../../../protocol/definition';
import { resolveDataPath } from '../../data/dataset';
import { importKerasFile } from './keras';
import { ModelImportError, type ImportedModel } from './model-file';
import { importOnnxFile } from './onnx';

export { checkImportedModel, ModelImportError } from './model-file';
export type { ImportedModel, ModelFormat } from './model-file';

export const MODEL_FORMATS = ['onnx', 'keras'] as const;

/** Reads a model file; relative paths are relative to `baseDir` (the definition's folder).
 *  Throws ModelImportError. */
export function importModelFile(ref: ModelFile, baseDir: string): ImportedModel {
  const path = resolveDataPath(ref.path, baseDir);
  return ref.format === 'onnx' ? importOnnxFile(path) : importKerasFile(path);
}

/** The initial weights (PyTorch order and layout) of a definition's model file, checked
 *  against the layers validation read from it (the file may have changed since). */
export function modelFileWeights(definition: RunDefinition, baseDir: string): Float64Array[] {
  const ref = definition.model_file;
  if (!ref) throw new Error('the definition names no model file');
  const model = importModelFile(ref, baseDir);
  if (JSON.stringify(model.layers) !== JSON.stringify(definition.model)) {
    throw new ModelImportError(
      model.file,
      undefined,
      'the model in the file changed since the definition was loaded; load the definition again',
    );
  }
  return model.params;
}
