// Running our own WGSL through tfjs-backend-webgpu: a program object (its code, output shape,
// dispatch and uniforms) handed to the backend's public `runWebGPUProgram`, which generates the
// bindings and index helpers around the code and records the kernel like its own. The result
// is an ordinary tfjs tensor on the device, owned by the current tidy scope.

import * as tf from '@tensorflow/tfjs';

export interface ProgramUniform {
  type: 'float32' | 'int32';
  data: number[];
}

/** What tfjs 4.22 reads from a program (WebGPUProgram in tfjs-backend-webgpu). */
export interface WebGpuProgram {
  variableNames: string[];
  outputShape: number[];
  /** Names the compiled pipeline (tfjs adds ranks, dtypes and broadcasting to it). */
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** WGSL struct fields for the program's own uniforms, e.g. 'alpha : f32,'. */
  uniforms?: string;
  /** Whether tfjs adds the output size as `uniforms.size`. */
  size: boolean;
  getUserCode(): string;
}

interface WebGpuBackendLike {
  runWebGPUProgram(
    program: WebGpuProgram,
    inputs: tf.TensorInfo[],
    outputDtype: 'float32',
    programUniforms?: ProgramUniform[],
  ): tf.TensorInfo;
}

/** Runs `program` on the active webgpu backend (the caller checks it is webgpu). */
export function runProgram(
  program: WebGpuProgram,
  inputs: tf.Tensor[],
  uniforms: ProgramUniform[],
): tf.Tensor {
  const backend = tf.backend() as unknown as WebGpuBackendLike;
  const info = backend.runWebGPUProgram(program, inputs, 'float32', uniforms);
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** One thread per item, `threads` items, in workgroups of `size`: the x dispatch (tfjs spreads
 *  it over y and z beyond the device's per-dimension limit, and its index helper follows). */
export function flatDispatch(threads: number, size: number): [number, number, number] {
  return [Math.max(1, Math.ceil(threads / size)), 1, 1];
}
