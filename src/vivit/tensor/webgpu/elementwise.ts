// Fused elementwise kernels for tfjs-backend-webgpu: α·a, α·a + γ and α·a + β·b in one kernel
// each, with the numbers in the kernel's uniforms.
//
// Through tfjs's own ops, `tf.mul(a, tf.scalar(s))` uploads the scalar to the GPU (a buffer
// write per call) before its kernel runs, and α·a + β·b takes three kernels. On a GPU each
// kernel costs tens of µs of host work whatever its size, so the optimizers' updates and the
// sweep's scalings are dominated by that overhead.

import * as tf from '@tensorflow/tfjs';
import { flatDispatch, runProgram, type WebGpuProgram } from './program';

/** What the kernel computes; each variant is its own shader. */
type Variant = 'scale' | 'affine' | 'axpby';

/** Threads per workgroup, as tfjs's own elementwise programs. */
const WORKGROUP = 128;

class ElementwiseProgram implements WebGpuProgram {
  readonly variableNames: string[];
  readonly size = true;
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly uniforms: string;
  readonly outputShape: number[];
  readonly shaderKey: string;
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];

  constructor(
    private readonly variant: Variant,
    shape: number[],
  ) {
    this.variableNames = variant === 'axpby' ? ['A', 'B'] : ['A'];
    this.uniforms =
      variant === 'scale'
        ? 'alpha : f32,'
        : variant === 'affine'
          ? 'alpha : f32, shift : f32,'
          : 'alpha : f32, beta : f32,';
    this.outputShape = shape;
    this.shaderKey = `vivit_elementwise_${variant}`;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = flatDispatch(
      shape.reduce((a, b) => a * b, 1),
      WORKGROUP,
    );
  }

  getUserCode(): string {
    const value =
      this.variant === 'scale'
        ? 'uniforms.alpha * getAByOutputIndex(index)'
        : this.variant === 'affine'
          ? 'uniforms.alpha * getAByOutputIndex(index) + uniforms.shift'
          : 'uniforms.alpha * getAByOutputIndex(index) + uniforms.beta * getBByOutputIndex(index)';
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          setOutputAtIndex(index, ${value});
        }
      }`;
  }
}

/** Whether the fused kernels apply: webgpu, float32 operands of one shape, not empty. */
export function fusedElementwiseApplies(a: tf.Tensor, b?: tf.Tensor): boolean {
  if (tf.getBackend() !== 'webgpu' || a.dtype !== 'float32' || a.size === 0) return false;
  if (b === undefined) return true;
  return b.dtype === 'float32' && b.rank === a.rank && b.shape.every((d, i) => d === a.shape[i]);
}

function run(variant: Variant, inputs: tf.Tensor[], numbers: number[]): tf.Tensor {
  const program = new ElementwiseProgram(variant, [...inputs[0].shape]);
  return runProgram(
    program,
    inputs,
    numbers.map((x) => ({ type: 'float32', data: [x] })),
  );
}

/** α·a in one kernel (call where `fusedElementwiseApplies(a)`). */
export const fusedScale = (a: tf.Tensor, alpha: number): tf.Tensor => run('scale', [a], [alpha]);

/** α·a + γ in one kernel (call where `fusedElementwiseApplies(a)`). */
export const fusedAffine = (a: tf.Tensor, alpha: number, shift: number): tf.Tensor =>
  run('affine', [a], [alpha, shift]);

/** α·a + β·b in one kernel (call where `fusedElementwiseApplies(a, b)`). */
export const fusedAxpby = (a: tf.Tensor, alpha: number, b: tf.Tensor, beta: number): tf.Tensor =>
  run('axpby', [a, b], [alpha, beta]);
