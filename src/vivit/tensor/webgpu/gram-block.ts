// The structured Gram block of a linear layer in one kernel for tfjs-backend-webgpu (see
// Ops.gramBlock): out[(i,m),(j,m')] = deltas[(i,m),(j,m')] · (inputGram[i, j] + c) + prev.
// Through tfjs's ops the weight's block (a broadcast multiply), the bias's block added, and the
// running sum added take three kernels per layer and product.

import * as tf from '@tensorflow/tfjs';
import { flatDispatch, runProgram, type WebGpuProgram } from './program';

const WORKGROUP = 128;

class GramBlockProgram implements WebGpuProgram {
  readonly variableNames: string[];
  readonly size = true;
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly uniforms = 'cols : i32, inputCols : i32, vectorsA : i32, vectorsB : i32, bias : f32,';
  readonly outputShape: number[];
  readonly shaderKey: string;
  readonly dispatchLayout = { x: [0, 1] };
  readonly dispatch: [number, number, number];

  constructor(
    shape: [number, number],
    private readonly withPrev: boolean,
  ) {
    this.variableNames = withPrev ? ['deltas', 'inputGram', 'prev'] : ['deltas', 'inputGram'];
    this.outputShape = shape;
    this.shaderKey = `vivit_gram_block_${withPrev ? 'accumulate' : 'first'}`;
    this.dispatch = flatDispatch(shape[0] * shape[1], WORKGROUP);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let r = index / uniforms.cols;
          let c = index - r * uniforms.cols;
          let g = inputGram[(r / uniforms.vectorsA) * uniforms.inputCols + c / uniforms.vectorsB];
          var value = deltas[index] * (g + uniforms.bias);
          ${this.withPrev ? 'value = value + prev[index];' : ''}
          setOutputAtIndex(index, value);
        }
      }`;
  }
}

/** Whether the kernel applies: webgpu, float32 operands of the shapes gramBlock expects. */
export function fusedGramBlockApplies(
  deltas: tf.Tensor,
  inputGram: tf.Tensor,
  vectorsA: number,
  vectorsB: number,
  prev: tf.Tensor | null,
): boolean {
  const float = (t: tf.Tensor | null) => t === null || t.dtype === 'float32';
  return (
    tf.getBackend() === 'webgpu' &&
    float(deltas) &&
    float(inputGram) &&
    float(prev) &&
    deltas.rank === 2 &&
    inputGram.rank === 2 &&
    deltas.size > 0 &&
    deltas.shape[0] === (inputGram.shape[0] as number) * vectorsA &&
    deltas.shape[1] === (inputGram.shape[1] as number) * vectorsB &&
    (prev === null ||
      (prev.rank === 2 && prev.shape[0] === deltas.shape[0] && prev.shape[1] === deltas.shape[1]))
  );
}

/** deltas ⊙ (inputGram + c) + prev in one kernel (call where fusedGramBlockApplies). */
export function fusedGramBlock(
  deltas: tf.Tensor,
  inputGram: tf.Tensor,
  vectorsA: number,
  vectorsB: number,
  withBias: boolean,
  prev: tf.Tensor | null,
): tf.Tensor {
  const [rows, cols] = deltas.shape as [number, number];
  const inputCols = inputGram.shape[1] as number;
  return runProgram(
    new GramBlockProgram([rows, cols], prev !== null),
    prev === null ? [deltas, inputGram] : [deltas, inputGram, prev],
    [
      { type: 'int32', data: [cols] },
      { type: 'int32', data: [inputCols] },
      { type: 'int32', data: [vectorsA] },
      { type: 'int32', data: [vectorsB] },
      { type: 'float32', data: [withBias ? 1 : 0] },
    ],
  );
}
