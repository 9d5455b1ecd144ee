// The case's network and loss rebuilt from raw tfjs ops (float32), so the oracle's gradient can
// be checked against tfjs autodiff (`tf.grads`). PyTorch layouts are converted here: NCHW input
// to NHWC, conv weights [out,in,kh,kw] to [kh,kw,in,out], and flatten goes back to NCHW first
// so features are C-major like PyTorch's.
import * as tf from '@tensorflow/tfjs';
import type { CurvatureCase, IntOrPair } from './types';

const pair = (v: IntOrPair | undefined, d: [number, number]): [number, number] =>
  v === undefined ? d : typeof v === 'number' ? [v, v] : v;

/** Mean loss of the case for the given param tensors (PyTorch layouts). */
export function tfjsLoss(c: CurvatureCase, params: tf.Tensor[]): tf.Scalar {
  const N = c.input.shape[0];
  let x: tf.Tensor = tf.tensor(c.input.data, c.input.shape, 'float32');
  if (x.rank === 4) x = tf.transpose(x, [0, 2, 3, 1]);
  let next = 0;
  for (const layer of c.model) {
    switch (layer.type) {
      case 'linear': {
        const W = params[next++];
        x = tf.matMul(x, tf.transpose(W));
        if (layer.bias !== false) x = tf.add(x, params[next++]);
        break;
      }
      case 'conv2d': {
        const W = tf.transpose(params[next++], [2, 3, 1, 0]) as tf.Tensor4D;
        const [ph, pw] = pair(layer.padding, [0, 0]);
        const [sh, sw] = pair(layer.stride, [1, 1]);
        const padded = tf.pad(x, [
          [0, 0],
          [ph, ph],
          [pw, pw],
          [0, 0],
        ]) as tf.Tensor4D;
        x = tf.conv2d(padded, W, [sh, sw], 'valid');
        if (layer.bias !== false) x = tf.add(x, params[next++]);
        break;
      }
      case 'maxpool2d':
      case 'avgpool2d': {
        const k = pair(layer.kernel_size, [1, 1]);
        const [sh, sw] = pair(layer.stride, k);
        const [ph, pw] = pair(layer.padding, [0, 0]);
        const isMax = layer.type === 'maxpool2d';
        // Max pads with −∞; avg pads with 0 and divides by the full window (count_include_pad).
        const padded = tf.pad(
          x,
          [
            [0, 0],
            [ph, ph],
            [pw, pw],
            [0, 0],
          ],
          isMax ? -Infinity : 0,
        ) as tf.Tensor4D;
        x = isMax
          ? tf.maxPool(padded, k, [sh, sw], 'valid')
          : tf.avgPool(padded, k, [sh, sw], 'valid');
        break;
      }
      case 'zeropad2d': {
        const [l, r, t, b] = layer.padding;
        x = tf.pad(x, [
          [0, 0],
          [t, b],
          [l, r],
          [0, 0],
        ]);
        break;
      }
      case 'flatten':
        if (x.rank === 4) x = tf.transpose(x, [0, 3, 1, 2]);
        x = tf.reshape(x, [N, -1]);
        break;
      case 'relu':
        x = tf.relu(x);
        break;
      case 'sigmoid':
        x = tf.sigmoid(x);
        break;
      case 'tanh':
        x = tf.tanh(x);
        break;
      case 'leaky_relu':
        x = tf.leakyRelu(x, layer.negative_slope ?? 0.01);
        break;
      case 'elu': {
        const alpha = layer.alpha ?? 1;
        // relu(x) + α(exp(min(x, 0)) − 1): differentiable ops only (Greater has no gradient).
        x = tf.add(tf.relu(x), tf.mul(alpha, tf.sub(tf.exp(tf.minimum(x, 0)), 1)));
        break;
      }
      case 'identity':
        break;
    }
  }
  if (c.loss === 'cross_entropy') {
    const C = x.shape[1]!;
    const onehot = tf.oneHot(tf.tensor1d(c.target.data, 'int32'), C);
    return tf.mean(tf.sub(tf.logSumExp(x, 1), tf.sum(tf.mul(x, onehot), 1))) as tf.Scalar;
  }
  return tf.mean(
    tf.square(tf.sub(x, tf.tensor(c.target.data, c.target.shape, 'float32'))),
  ) as tf.Scalar;
}

/** Loss value and gradient (flat over params in case order) from tfjs autodiff. */
export function tfjsLossAndGradient(c: CurvatureCase): { loss: number; gradient: Float32Array } {
  // Typed arrays are read outside tf.tidy (tidy only tracks tensors in its result).
  const [lossTensor, ...grads] = tf.tidy(() => {
    const params = c.params.map((p) => tf.tensor(p.data, p.shape, 'float32'));
    const loss = tfjsLoss(c, params);
    return [loss, ...tf.grads((...args: tf.Tensor[]) => tfjsLoss(c, args))(params)];
  });
  const loss = lossTensor.dataSync()[0];
  const parts = grads.map((g) => g.dataSync());
  tf.dispose([lossTensor, ...grads]);
  const gradient = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    gradient.set(p, offset);
    offset += p.length;
  }
  return { loss, gradient };
}
