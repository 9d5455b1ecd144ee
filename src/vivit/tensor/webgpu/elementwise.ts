// Fused elementwise kernels for tfjs-backend-webgpu: α·a, α·a + γ, α·a + β·b and a ⊙ step(b)
// in one kernel each, with the numbers in the kernel's uniforms.
//
// Through tfjs's own ops, `tf.mul(a, tf.scalar(s))` uploads the scalar to the GPU (a buffer
// write per call) before its kernel runs, and α·a + β·b takes three kernels. On a GPU each
// kernel costs tens of µs of host work whatever its size, so the optimizers' updates and the
// sweep's scalings are dominated by that overhead.

import * as tf from '@tensorflow/tfjs';
import { flatDispatch, runProgram, type WebGpuProgram } from './program';

/** What the kernel computes; each variant is its own shader. */
type Variant = 'scale' | 'affine' | 'axpby' | 'stepMul';

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
    this.variableNames = variant === 'axpby' || variant === 'stepMul' ? ['A', 'B'] : ['A'];
    this.uniforms = {
      scale: 'alpha : f32,',
      affine: 'alpha : f32, shift : f32,',
      axpby: 'alpha : f32, beta : f32,',
      stepMul: 'threshold : f32,',
    }[variant];
    this.outputShape = shape;
    this.shaderKey = `vivit_elementwise_${variant}`;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = flatDispatch(
      shape.reduce((a, b) => a * b, 1),
      WORKGROUP,
    );
  }

  getUserCode(): string {
    const value = {
      scale: 'uniforms.alpha * getAByOutputIndex(index)',
      affine: 'uniforms.alpha * getAByOutputIndex(index) + uniforms.shift',
      axpby: 'uniforms.alpha * getAByOutputIndex(index) + uniforms.beta * getBByOutputIndex(index)',
      stepMul: 'getAByOutputIndex(index) * stepOf(getBByOutputIndex(index))',
    }[this.variant];
    // As tf.step: 1 above the threshold, else 0, NaN stays NaN.
    const step = `
      fn stepOf(x : f32) -> f32 {
        if (x != x) {
          return x;
        }
        return select(0.0, 1.0, x > uniforms.threshold);
      }`;
    return `
      ${this.variant === 'stepMul' ? step : ''}
      fn main(index : i32) {
        if (index < uniforms.size) {
          setOutputAtIndex(index, ${value});
        }
      }`;
  }
}

/** Whether the fused kernels apply: webgpu, float32 operands, not empty; `b` of a's shape, or
 *  (with `broadcastB`) broadcasting to it. */
export function fusedElementwiseApplies(a: tf.Tensor, b?: tf.Tensor, broadcastB = false): boolean {
  if (tf.getBackend() !== 'webgpu' || a.dtype !== 'float32' || a.size === 0) return false;
  if (b === undefined) return true;
  if (b.dtype !== 'float32') return false;
  if (!broadcastB) return b.rank === a.rank && b.shape.every((d, i) => d === a.shape[i]);
  // Aligned from the right, each of b's axes is 1 or a's.
  const offset = a.rank - b.rank;
  return offset >= 0 && b.shape.every((d, i) => d === 1 || d === a.shape[offset + i]);
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

/** a ⊙ step(b − threshold), b broadcast to a's shape, in one kernel (call where
 *  `fusedElementwiseApplies(a, b, true)`): a ReLU-type derivative applied to a stack. */
export const fusedStepMul = (a: tf.Tensor, b: tf.Tensor, threshold: number): tf.Tensor =>
  run('stepMul', [a, b], [threshold]);
