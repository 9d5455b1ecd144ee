// One layer of a PyTorch-style model list -> a LayerSpec: which fields each layer type has,
// PyTorch's defaults (bias true, conv stride 1, pool stride = kernel_size, padding 0,
// leaky_relu slope 0.01, elu alpha 1, dropout p 0.5), and the assembly. Shared by the two
// formats that write layers this way, run definitions (src/worker/definition/sections.ts) and
// curvature cases (./layers.ts). Each format passes its own field readers, so the words of its
// messages and the spellings it accepts (padding 'same', a bare int, ...) stay its own.

import type { LayerSpec, LayerType, Padding, Pair } from '../../protocol/definition';
import type { FieldPath, Obj } from './issues';

export const LAYER_FIELDS: Record<LayerType, readonly string[]> = {
  linear: ['in', 'out', 'bias'],
  conv2d: ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'bias'],
  maxpool2d: ['kernel_size', 'stride', 'padding'],
  avgpool2d: ['kernel_size', 'stride', 'padding'],
  zeropad2d: ['padding'],
  relu: [],
  sigmoid: [],
  tanh: [],
  flatten: [],
  identity: [],
  leaky_relu: ['negative_slope'],
  elu: ['alpha'],
  dropout: ['p'],
};
export const LAYER_TYPES = Object.keys(LAYER_FIELDS) as LayerType[];

/** The real-valued layer parameters; each format sets its own bounds for them. */
export type ScalarField = 'negative_slope' | 'alpha' | 'p';

/**
 * A format's readers of `o[key]` at `[...path, key]`. Each reports its own problems and returns
 * undefined for a missing required or a bad value, the fallback for an absent optional one.
 */
export interface LayerFieldReaders {
  /** A required integer >= 1 (features, channels). */
  size(o: Obj, key: string, path: FieldPath): number | undefined;
  /** kernel_size or stride: an integer or an [h, w] pair. */
  pair(o: Obj, key: string, path: FieldPath, fallback: Pair | 'required'): Pair | undefined;
  /** Conv and pool padding; absent means 0. */
  padding(o: Obj, path: FieldPath): Padding | undefined;
  /** ZeroPad2d's required [left, right, top, bottom]. */
  zeroPadding(o: Obj, path: FieldPath): [number, number, number, number] | undefined;
  flag(o: Obj, key: string, path: FieldPath, fallback: boolean): boolean | undefined;
  scalar(o: Obj, key: ScalarField, path: FieldPath, fallback: number): number | undefined;
}

/**
 * Reads the fields of a layer whose type is already checked. Unknown fields are the caller's
 * to report. Returns the spec only when every field read; the caller still checks that no
 * issue was reported for the layer.
 */
export function readLayerFields(
  r: LayerFieldReaders,
  type: LayerType,
  o: Obj,
  path: FieldPath,
): LayerSpec | undefined {
  switch (type) {
    case 'linear': {
      const inF = r.size(o, 'in', path);
      const out = r.size(o, 'out', path);
      const bias = r.flag(o, 'bias', path, true);
      if (inF !== undefined && out !== undefined && bias !== undefined)
        return { type, in: inF, out, bias };
      return undefined;
    }
    case 'conv2d': {
      const inC = r.size(o, 'in_channels', path);
      const outC = r.size(o, 'out_channels', path);
      const kernel = r.pair(o, 'kernel_size', path, 'required');
      const stride = r.pair(o, 'stride', path, 1);
      const padding = r.padding(o, path);
      const bias = r.flag(o, 'bias', path, true);
      if (inC && outC && kernel && stride && padding !== undefined && bias !== undefined) {
        return {
          type,
          in_channels: inC,
          out_channels: outC,
          kernel_size: kernel,
          stride,
          padding,
          bias,
        };
      }
      return undefined;
    }
    case 'maxpool2d':
    case 'avgpool2d': {
      const kernel = r.pair(o, 'kernel_size', path, 'required');
      // PyTorch: stride defaults to kernel_size.
      const stride = kernel !== undefined ? r.pair(o, 'stride', path, kernel) : undefined;
      const padding = r.padding(o, path);
      if (kernel && stride && padding !== undefined)
        return { type, kernel_size: kernel, stride, padding };
      return undefined;
    }
    case 'zeropad2d': {
      const padding = r.zeroPadding(o, path);
      return padding && { type, padding };
    }
    case 'leaky_relu': {
      const slope = r.scalar(o, 'negative_slope', path, 0.01);
      return slope === undefined ? undefined : { type, negative_slope: slope };
    }
    case 'elu': {
      const alpha = r.scalar(o, 'alpha', path, 1);
      return alpha === undefined ? undefined : { type, alpha };
    }
    case 'dropout': {
      const p = r.scalar(o, 'p', path, 0.5);
      return p === undefined ? undefined : { type, p };
    }
    default:
      return { type };
  }
}
