// Test instrument: the peak of tfjs memory counted per data buffer. tf.memory().numBytes and
// tf.profile count every tensor object, so reshape views (which share their buffer) are
// counted twice; this probe listens to the engine's tensor tracking (an internal method,
// wrapped for the duration of one call) and sums the bytes of the distinct live buffers each
// time a tensor is created.

import * as tf from '@tensorflow/tfjs';

interface TrackingEngine {
  trackTensor(t: tf.Tensor, backend: unknown): void;
}

export async function peakBufferBytes(fn: () => Promise<void>): Promise<number> {
  // Internal API: the engine's per-tensor bookkeeping hook (stable across tfjs 4.x).
  const engine = tf.engine() as unknown as TrackingEngine;
  const original = engine.trackTensor.bind(engine);
  const live = new Set<tf.Tensor>();
  let peak = 0;
  const measure = () => {
    const buffers = new Map<object, number>();
    for (const t of live) {
      if (t.isDisposed) live.delete(t);
      else buffers.set(t.dataId, t.size * (t.dtype === 'int32' || t.dtype === 'float32' ? 4 : 1));
    }
    let bytes = 0;
    for (const b of buffers.values()) bytes += b;
    peak = Math.max(peak, bytes);
  };
  engine.trackTensor = (t, backend) => {
    original(t, backend);
    live.add(t);
    measure();
  };
  try {
    await fn();
  } finally {
    engine.trackTensor = original;
  }
  return peak;
}
