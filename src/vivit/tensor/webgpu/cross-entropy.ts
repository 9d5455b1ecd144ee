// Softmax cross-entropy on logits [N, C] with float class indices [N], one thread per sample,
// for tfjs-backend-webgpu. Through tfjs's ops the loss, its gradient, the accuracy and the
// label check take ~35 small kernels per training step (log-softmax, a one-hot built from
// comparisons, argMax, ...); here they take five: per-sample losses, the gradient, and
// per-sample [correct, bad label] flags, plus tfjs's sums over the batch.
//
// Per sample n with z = logits[n], m = max z, s = Σ_c exp(z_c - m), y = labels[n]:
//   loss_n / N = (log s + m - z_y) / N,     gradient[n, c] = (exp(z_c - m) / s - [c = y]) / N.
// A label that is not a class index (not an integer, or outside [0, C)) adds 0 to the loss and
// to the gradient's one-hot part, and is counted as bad (the trainer then names it).

import * as tf from '@tensorflow/tfjs';
import { flatDispatch, runProgram, type WebGpuProgram } from './program';

/** Samples per workgroup. */
const WORKGROUP = 64;

type Output = 'losses' | 'gradient' | 'counts';

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

class CrossEntropyProgram implements WebGpuProgram {
  readonly variableNames = ['logits', 'labels'];
  readonly size = false;
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly uniforms = 'rows : i32, classes : i32, scale : f32,';
  readonly outputShape: number[];
  readonly shaderKey: string;
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];

  constructor(
    private readonly output: Output,
    rows: number,
    classes: number,
  ) {
    this.outputShape =
      output === 'losses' ? [rows] : output === 'gradient' ? [rows, classes] : [rows, 2];
    this.shaderKey = `vivit_cross_entropy_${output}`;
    this.dispatchLayout = { x: this.outputShape.map((_, i) => i) };
    this.dispatch = flatDispatch(rows, WORKGROUP);
  }

  getUserCode(): string {
    const body = {
      losses: `
        let m = rowMax(base);
        let y = classIndex(n);
        var loss = 0.0;
        if (y >= 0) {
          loss = (log(rowExpSum(base, m)) + m - logits[base + y]) * uniforms.scale;
        }
        setOutputAtIndex(n, loss);`,
      gradient: `
        let m = rowMax(base);
        let inverseSum = 1.0 / rowExpSum(base, m);
        let y = classIndex(n);
        for (var c = 0; c < uniforms.classes; c++) {
          var g = exp(logits[base + c] - m) * inverseSum;
          if (c == y) {
            g -= 1.0;
          }
          setOutputAtIndex(base + c, g * uniforms.scale);
        }`,
      // The first largest logit is the prediction (as argMax).
      counts: `
        var best = 0;
        for (var c = 1; c < uniforms.classes; c++) {
          if (logits[base + c] > logits[base + best]) {
            best = c;
          }
        }
        let y = classIndex(n);
        setOutputAtIndex(2 * n, select(0.0, 1.0, best == y));
        setOutputAtIndex(2 * n + 1, select(0.0, 1.0, y < 0));`,
    }[this.output];
    return `
      ${LABEL_SNIPPET}
      fn main(n : i32) {
        if (n < uniforms.rows) {
          let base = n * uniforms.classes;
          ${body}
        }
      }`;
  }
}

/** Whether the fused kernels apply: webgpu, float32 logits [N, C] and labels [N], N, C > 0. */
export function fusedCrossEntropyApplies(logits: tf.Tensor, labels: tf.Tensor): boolean {
  return (
    tf.getBackend() === 'webgpu' &&
    logits.dtype === 'float32' &&
    labels.dtype === 'float32' &&
    logits.rank === 2 &&
    labels.rank === 1 &&
    logits.shape[0] === labels.shape[0] &&
    logits.size > 0
  );
}

function run(output: Output, logits: tf.Tensor, labels: tf.Tensor, scale: number): tf.Tensor {
  const [rows, classes] = logits.shape;
  return runProgram(
    new CrossEntropyProgram(output, rows, classes),
    [logits, labels],
    [
      { type: 'int32', data: [rows] },
      { type: 'int32', data: [classes] },
      { type: 'float32', data: [scale] },
    ],
  );
}

/** The batch-mean loss (a scalar) and, when asked, its gradient (softmax − one-hot)/N. */
export function fusedCrossEntropy(
  logits: tf.Tensor,
  labels: tf.Tensor,
  withGradient: boolean,
): { value: tf.Tensor; gradient: tf.Tensor | null } {
  const n = logits.shape[0];
  const losses = run('losses', logits, labels, 1 / n);
  const value = tf.sum(losses);
  losses.dispose();
  return { value, gradient: withGradient ? run('gradient', logits, labels, 1 / n) : null };
}

/** [correct predictions, labels that are not class indices] over the batch, a [2] tensor. */
export function fusedClassificationCounts(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  const flags = run('counts', logits, labels, 1);
  const counts = tf.sum(flags, 0);
  flags.dispose();
  return counts;
}
