// Window geometry of convolutions and pools (kernel, stride, padding -> explicit pads and
// output size) and the checks shared by layer modules, with messages that name the field.

import type { Pair, Padding } from '../../protocol/definition';
import { LayerShapeError } from '../errors';
import { formatShape } from '../shape-error';
import type { Window2d } from '../tensor/ops';
import type { LayerMemory, LayerPlace } from './layer';

export function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

export function requirePositiveInt(value: unknown, place: LayerPlace, field: string): number {
  if (!isPositiveInt(value)) {
    throw new LayerShapeError(
      place.index,
      `must be a positive integer, got ${String(value)}`,
      field,
    );
  }
  return value;
}

/** A Pair field (n or [h, w]) with positive integer entries. */
export function positivePair(value: Pair, place: LayerPlace, field: string): [number, number] {
  const p: unknown[] = Array.isArray(value) ? value : [value, value];
  if (p.length !== 2 || !p.every(isPositiveInt)) {
    throw new LayerShapeError(
      place.index,
      `must be a positive integer or a pair of them, got ${JSON.stringify(value)}`,
      field,
    );
  }
  return p as [number, number];
}

/** The image a layer gets, or a message saying it gets something else. */
export function requireImage(
  inShape: readonly number[],
  place: LayerPlace,
  type: string,
): [number, number, number] {
  if (inShape.length !== 3) {
    throw new LayerShapeError(
      place.index,
      `${type} needs an image [channels, height, width] but gets ${formatShape(inShape)} ${place.source}`,
    );
  }
  return [inShape[0], inShape[1], inShape[2]];
}

/** Explicit (top, bottom, left, right) padding for TensorFlow-style 'same': the output
 *  has ceil(size / stride) positions and any odd padding goes to the bottom/right. */
function samePads(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

export interface ResolvedWindow {
  win: Window2d;
  outH: number;
  outW: number;
}

/**
 * Resolves kernel/stride/padding for an input [H, W] and checks the window fits.
 * `maxPadHalfKernel`: pools follow PyTorch's rule that explicit padding is at most half the
 * kernel, so no window lies entirely in the padding.
 */
export function resolveWindow(
  spec: { kernel_size: Pair; stride: Pair; padding: Padding },
  height: number,
  width: number,
  place: LayerPlace,
  options: { maxPadHalfKernel: boolean },
): ResolvedWindow {
  const kernel = positivePair(spec.kernel_size, place, 'kernel_size');
  const stride = positivePair(spec.stride, place, 'stride');
  let pad: [number, number, number, number];
  if (spec.padding === 'same') {
    pad = [...samePads(height, kernel[0], stride[0]), ...samePads(width, kernel[1], stride[1])];
  } else if (spec.padding === 'valid') {
    pad = [0, 0, 0, 0];
  } else {
    const p: unknown[] = Array.isArray(spec.padding) ? spec.padding : [spec.padding, spec.padding];
    if (p.length !== 2 || !p.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
      throw new LayerShapeError(
        place.index,
        `must be 'same', 'valid', a non-negative integer or a pair of them, got ${JSON.stringify(spec.padding)}`,
        'padding',
      );
    }
    const [ph, pw] = p as [number, number];
    if (options.maxPadHalfKernel && (2 * ph > kernel[0] || 2 * pw > kernel[1])) {
      throw new LayerShapeError(
        place.index,
        `padding ${ph}x${pw} is more than half the ${kernel[0]}x${kernel[1]} kernel`,
        'padding',
      );
    }
    pad = [ph, ph, pw, pw];
  }
  const paddedH = height + pad[0] + pad[1];
  const paddedW = width + pad[2] + pad[3];
  if (kernel[0] > paddedH || kernel[1] > paddedW) {
    const padded = pad.some((v) => v > 0) ? ` (${paddedH}x${paddedW} after padding)` : '';
    throw new LayerShapeError(
      place.index,
      `kernel ${kernel[0]}x${kernel[1]} is larger than the ${height}x${width} input${padded} ${place.source}`,
      'kernel_size',
    );
  }
  return {
    win: { kernel, stride, pad },
    outH: Math.floor((paddedH - kernel[0]) / stride[0]) + 1,
    outW: Math.floor((paddedW - kernel[1]) / stride[1]) + 1,
  };
}

/** A pool's own allocation in the forward pass: its window patches, twice, per sample. */
export function poolMemory(win: Window2d, outShape: readonly number[]): LayerMemory {
  const outputs = outShape.reduce((a, b) => a * b, 1);
  return { forwardWork: 2 * win.kernel[0] * win.kernel[1] * outputs };
}
