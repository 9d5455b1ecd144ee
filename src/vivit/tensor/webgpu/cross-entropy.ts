// Softmax cross-entropy on logits [N, C] with class indices [N], for tfjs-backend-webgpu.
// Through tfjs's ops the loss, its gradient, the accuracy and the label check take ~35 small
// kernels per training step (log-softmax, a one-hot built from comparisons, argMax, ...); here
// they take two: the gradient (one thread per sample), and the batch's sums — mean loss,
// correct predictions, bad labels — in one workgroup that walks the batch and reduces in
// workgroup memory (a training step's batch is small; one kernel instead of per-sample values
// plus tfjs's sums).
//
// Per sample n with z = logits[n], m = max z, s = Σ_c exp(z_c - m), y = labels[n]:
//   loss_n / N = (log s + m - z_y) / N,     gradient[n, c] = (exp(z_c - m) / s - [c = y]) / N.
// A label that is not a class index (not an integer, or outside [0, C)) adds 0 to the loss and
// to the gradient's one-hot part, and is counted as bad (the trainer then names it).

import * as tf from '@tensorflow/tfjs';
import { flatDispatch, runProgram, type WebGpuProgram } from './program';

/** Samples per workgroup of the gradient; threads of the one workgroup that sums. */
const WORKGROUP = 64;
const SUMS_WORKGROUP = 256;

/** WGSL shared by the three programs: the sample's label as a class index, or -1. */
const LABEL_SNIPPET = `
  fn classIndex(n : i32) -> i32 {
    // f32(): tfjs may keep the int32 buffer of labels cast to float32.
    let y = f32(labels[n]);
    if (y >= 0.0 && y < f32(uniforms.classes) && y == floor(y)) {
      return i32(y);
    }
    return -1;
  }
  fn rowMax(base : i32) -> f32 {
    var m = logits[base];
    for (var c = 1; c < uniforms.classes; c++) {
      m = max(m, logits[base + c]);
    }
    return m;
  }
  fn rowExpSum(base : i32, m : f32) -> f32 {
    var s = 0.0;
    for (var c = 0; c < uniforms.classes; c++) {
      s += exp(logits[base + c] - m);
    }
    return s;
  }`;

const UNIFORMS = 'rows : i32, classes : i32, scale : f32,';

class GradientProgram implements WebGpuProgram {
  readonly variableNames = ['logits', 'labels'];
  readonly size = false;
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly uniforms = UNIFORMS;
  readonly shaderKey = 'vivit_cross_entropy_gradient';
  readonly outputShape: number[];
  readonly dispatchLayout = { x: [0, 1] };
  readonly dispatch: [number, number, number];

  constructor(rows: number, classes: number) {
    this.outputShape = [rows, classes];
    this.dispatch = flatDispatch(rows, WORKGROUP);
  }

  getUserCode(): string {
    return `
      ${LABEL_SNIPPET}
      fn main(n : i32) {
        if (n < uniforms.rows) {
          let base = n * uniforms.classes;
          let m = rowMax(base);
          let inverseSum = 1.0 / rowExpSum(base, m);
          let y = classIndex(n);
          for (var c = 0; c < uniforms.classes; c++) {
            var g = exp(logits[base + c] - m) * inverseSum;
            if (c == y) {
              g -= 1.0;
            }
            setOutputAtIndex(base + c, g * uniforms.scale);
          }
        }
      }`;
  }
}

/** [mean loss] or [mean loss, correct predictions, bad labels] over the batch, one workgroup. */
class SumsProgram implements WebGpuProgram {
  readonly variableNames = ['logits', 'labels'];
  readonly size = false;
  readonly workgroupSize: [number, number, number] = [SUMS_WORKGROUP, 1, 1];
  readonly uniforms = UNIFORMS;
  readonly shaderKey: string;
  readonly outputShape: number[];
  readonly dispatchLayout = { x: [0] };
  readonly dispatch: [number, number, number] = [1, 1, 1];

  constructor(private readonly withCounts: boolean) {
    this.outputShape = [withCounts ? 3 : 1];
    this.shaderKey = `vivit_cross_entropy_sums_${withCounts ? 3 : 1}`;
  }

  getUserCode(): string {
    // The first largest logit is the prediction (as argMax).
    return `
      ${LABEL_SNIPPET}
      var<workgroup> partial : array<vec3<f32>, ${SUMS_WORKGROUP}>;
      fn main(index : i32) {
        let t = i32(localId.x);
        var sums = vec3<f32>(0.0, 0.0, 0.0);
        for (var n = t; n < uniforms.rows; n += ${SUMS_WORKGROUP}) {
          let base = n * uniforms.classes;
          let y = classIndex(n);
          var best = 0;
          for (var c = 1; c < uniforms.classes; c++) {
            if (logits[base + c] > logits[base + best]) {
              best = c;
            }
          }
          if (y >= 0) {
            let m = logits[base + best];
            sums.x += log(rowExpSum(base, m)) + m - logits[base + y];
          }
          sums.y += select(0.0, 1.0, best == y);
          sums.z += select(0.0, 1.0, y < 0);
        }
        partial[t] = sums;
        workgroupBarrier();
        for (var stride = ${SUMS_WORKGROUP / 2}; stride > 0; stride /= 2) {
          if (t < stride) {
            partial[t] += partial[t + stride];
          }
          workgroupBarrier();
        }
        if (t == 0) {
          setOutputAtIndex(0, partial[0].x * uniforms.scale);
          ${this.withCounts ? 'setOutputAtIndex(1, partial[0].y); setOutputAtIndex(2, partial[0].z);' : ''}
        }
      }`;
  }
}

/** Whether the fused kernels apply: webgpu, float32 logits [N, C] and labels [N] (float32 or
 *  int32), N, C > 0. */
export function fusedCrossEntropyApplies(logits: tf.Tensor, labels: tf.Tensor): boolean {
  return (
    tf.getBackend() === 'webgpu' &&
    logits.dtype === 'float32' &&
    (labels.dtype === 'float32' || labels.dtype === 'int32') &&
    logits.rank === 2 &&
    labels.rank === 1 &&
    logits.shape[0] === labels.shape[0] &&
    logits.size > 0
  );
}

function run(program: WebGpuProgram, logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  const [rows, classes] = logits.shape;
  return runProgram(
    program,
    [logits, labels],
    [
      { type: 'int32', data: [rows] },
      { type: 'int32', data: [classes] },
      { type: 'float32', data: [1 / rows] },
    ],
  );
}

/** The batch-mean loss (a scalar) and, when asked, its gradient (softmax − one-hot)/N. */
export function fusedCrossEntropy(
  logits: tf.Tensor,
  labels: tf.Tensor,
  withGradient: boolean,
): { value: tf.Tensor; gradient: tf.Tensor | null } {
  const [rows, classes] = logits.shape;
  const sum = run(new SumsProgram(false), logits, labels);
  const value = tf.reshape(sum, []);
  sum.dispose();
  const gradient = withGradient ? run(new GradientProgram(rows, classes), logits, labels) : null;
  return { value, gradient };
}

/** What a classification training step needs from its loss in two kernels: the gradient
 *  (softmax − one-hot)/N, and [mean loss, correct predictions, labels that are not class
 *  indices] as one [3] tensor — read with the step's single read. */
export function fusedClassificationStep(
  logits: tf.Tensor,
  labels: tf.Tensor,
): { summary: tf.Tensor; gradient: tf.Tensor } {
  const [rows, classes] = logits.shape;
  return {
    summary: run(new SumsProgram(true), logits, labels),
    gradient: run(new GradientProgram(rows, classes), logits, labels),
  };
}
