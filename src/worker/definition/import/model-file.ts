// What a model import produces, and how it fails. An imported model is the engine's layer list
// plus initial weights in PyTorch order and layout (what Network.paramsFromTorch converts to the
// engine's layouts), and where each layer came from in the file, so later checks can point at
// the node or layer the user knows. Free of tfjs (the host validates definitions with it).
import type { LayerSpec } from '../../../protocol/definition';
import { createLayer, formatShape, inputSource, LayerShapeError } from '../../../vivit/spec';

export type ModelFormat = 'onnx' | 'keras';

export interface ImportedModel {
  format: ModelFormat;
  /** The file as messages name it (its base name). */
  file: string;
  layers: LayerSpec[];
  /** Initial values, one per parameter tensor, PyTorch's `model.parameters()` order and layout. */
  params: Float64Array[];
  /** Per-sample input shape (PyTorch layout, [F] or [C, H, W]) when the file declares it. */
  inputShape?: number[];
  /** For each layer: the node or layer of the file it came from, e.g. `node 3 '/fc1/Gemm' (Gemm)`. */
  origins: string[];
}

/** A problem with a model file; the message names the file and, where there is one, the node or
 *  layer, and says what is supported instead. Never carries a stack trace to users. */
export class ModelImportError extends Error {
  constructor(
    readonly file: string,
    readonly where: string | undefined,
    detail: string,
  ) {
    super(`${file}: ${where ? `${where}: ` : ''}${detail}`);
    this.name = 'ModelImportError';
  }
}

/**
 * Checks that the layers fit an input shape and that every weight has the shape its layer
 * needs (PyTorch layout); a problem is reported at the origin of the offending layer.
 * Returns the per-layer output shapes.
 */
export function checkImportedModel(
  model: ImportedModel,
  inputShape: readonly number[],
  inputWhat: string,
): number[][] {
  const shapes: number[][] = [];
  let shape: readonly number[] = inputShape;
  let p = 0;
  model.layers.forEach((spec, index) => {
    let layer;
    try {
      layer = createLayer(spec, shape, { index, source: inputSource(model.layers, index) });
    } catch (e) {
      if (!(e instanceof LayerShapeError)) throw e;
      throw new ModelImportError(
        model.file,
        model.origins[index],
        `${e.message.replace(/model\[(\d+)\] \((\w+)\)/g, (_, i: string) => model.origins[Number(i)])}` +
          (index === 0 ? ` (${inputWhat} has shape ${formatShape(inputShape)})` : ''),
      );
    }
    for (const param of layer.params) {
      const values = model.params[p];
      const want = param.torchShape.reduce((a, b) => a * b, 1);
      if (!values) {
        throw new ModelImportError(
          model.file,
          model.origins[index],
          `missing weights: no values for its ${param.name} ${formatShape(param.torchShape)}`,
        );
      }
      if (values.length !== want) {
        throw new ModelImportError(
          model.file,
          model.origins[index],
          `its ${param.name} has ${values.length} values but ${spec.type} with input ${formatShape(shape)} needs ${formatShape(param.torchShape)} = ${want}`,
        );
      }
      p++;
    }
    shape = layer.outShape;
    shapes.push([...shape]);
  });
  if (p !== model.params.length) {
    throw new ModelImportError(
      model.file,
      undefined,
      `${model.params.length} weight tensors were read but the layers have ${p}`,
    );
  }
  return shapes;
}
