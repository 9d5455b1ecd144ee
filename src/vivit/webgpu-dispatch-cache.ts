// A faster way for tfjs-backend-webgpu 4.22 to record a kernel, installed on the backend
// instance after it starts (`installDispatchCache`).
//
// For every kernel, tfjs 4.22 takes a uniform buffer from its pool and writes the kernel's
// shapes into it (`queue.writeBuffer`), asks the pipeline for its bind-group layout and creates
// a new bind group — three to four calls into dawn.node and a dozen JavaScript objects, about
// 20 µs of a kernel's ~50 µs on a fast CPU, and more of the garbage collector's time. A training
// or curvature step repeats the same kernels on the same shapes step after step, and tfjs's
// buffer pool hands the same buffers back, so:
//   - uniform buffers are kept by content: the same bytes (shapes, strides, sizes) are written
//     once and bound again in every later step;
//   - each pipeline's bind-group layout is asked for once;
//   - bind groups are kept by (pipeline, buffers): a repeated kernel on the same buffers binds
//     the group it bound before.
// Both caches are bounded. Everything else — dispatch shape, the ops-per-submit batching, the
// ownership bookkeeping that keeps inputs alive until the submit — is what tfjs does; profiling
// (`tf.profile`, timestamp queries) and the pixel programs take tfjs's own path unchanged.

import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-webgpu's backend this patch touches (version 4.22.0). */
interface WebGpuBackendInternals {
  device: {
    createBindGroup(descriptor: { layout: unknown; entries: unknown[] }): unknown;
    createBuffer(descriptor: { size: number; usage: number }): unknown;
    queue: { writeBuffer(buffer: unknown, offset: number, data: ArrayBuffer): void };
  };
  activeTimers: unknown[] | null | undefined;
  commandQueueOwnedIds: WeakSet<object>;
  computePassEncoder: ComputePassLike | null;
  commandEncoder: { beginComputePass(descriptor: object): ComputePassLike } | null;
  dispatchCountInPass: number;
  tensorMap: { get(dataId: object): { resource?: unknown } | undefined };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  recordAndSubmit(
    program: ProgramLike,
    output: TensorInfoLike,
    inputs: TensorInfoLike[],
    programDefinedUniform?: UniformLike[],
  ): void;
}
interface ComputePassLike {
  setPipeline(pipeline: unknown): void;
  setBindGroup(index: number, group: unknown): void;
  dispatchWorkgroups(x: number, y: number, z: number): void;
}
interface ProgramLike {
  pipeline: { getBindGroupLayout(index: number): unknown } | Promise<unknown>;
  pixelsOpType?: unknown;
  size?: boolean;
  outputShape: number[];
  outputComponent?: number;
  dispatch: [number, number, number];
}
interface TensorInfoLike {
  dataId: object;
  shape: number[];
}
interface UniformLike {
  type: 'int32' | 'uint32' | 'float32';
  data: number[];
}

/** Distinct uniform contents kept (each a small buffer); later ones take tfjs's path. */
const MAX_UNIFORMS = 4096;
/** Bind groups kept; the cache starts over when full (groups are cheap to make again). */
const MAX_BIND_GROUPS = 8192;
/** GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST. */
const UNIFORM_USAGE = 0x0040 | 0x0008;

/** What the cache did, and a switch (for A/B timings in the GPU bench). */
export interface DispatchCache {
  enabled: boolean;
  /** Every kernel dispatched on the GPU (also those recorded by tfjs itself). */
  dispatches: number;
  /** Kernels recorded through the cache. */
  kernels: number;
  bindGroupHits: number;
  uniformHits: number;
}

/**
 * Replaces the backend's `recordAndSubmit` with one that keeps uniform buffers and bind groups.
 * Returns null (and changes nothing) when the backend does not look like tfjs 4.22's.
 */
export function installDispatchCache(backend: object): DispatchCache | null {
  const be = backend as WebGpuBackendInternals;
  const original = be.recordAndSubmit as unknown;
  if (
    typeof original !== 'function' ||
    typeof be.ensureCommandEncoderReady !== 'function' ||
    typeof be.submitQueue !== 'function' ||
    !(be.commandQueueOwnedIds instanceof WeakSet)
  ) {
    return null;
  }
  const tfjsRecord = (original as WebGpuBackendInternals['recordAndSubmit']).bind(be);
  const stats: DispatchCache = {
    enabled: true,
    dispatches: 0,
    kernels: 0,
    bindGroupHits: 0,
    uniformHits: 0,
  };
  const ids = new WeakMap<object, number>();
  let nextId = 1;
  const idOf = (o: object): number => {
    let id = ids.get(o);
    if (id === undefined) {
      id = nextId++;
      ids.set(o, id);
    }
    return id;
  };
  const layouts = new WeakMap<object, unknown>();
  const uniforms = new Map<string, unknown>();
  const bindGroups = new Map<string, unknown>();

  be.recordAndSubmit = function (program, output, inputs, programDefinedUniform) {
    stats.dispatches++;
    const pipeline = program.pipeline;
    if (
      !stats.enabled ||
      be.activeTimers != null ||
      program.pixelsOpType != null ||
      pipeline instanceof Promise
    ) {
      tfjsRecord(program, output, inputs, programDefinedUniform);
      return;
    }
    const bytes = uniformBytes(program, output, inputs, programDefinedUniform);
    const uniformKey = bytesKey(bytes);
    let uniform = uniforms.get(uniformKey);
    if (uniform !== undefined) stats.uniformHits++;
    else if (uniforms.size < MAX_UNIFORMS) {
      uniform = be.device.createBuffer({ size: bytes.byteLength, usage: UNIFORM_USAGE });
      be.device.queue.writeBuffer(uniform, 0, bytes);
      uniforms.set(uniformKey, uniform);
    } else {
      tfjsRecord(program, output, inputs, programDefinedUniform);
      return;
    }
    const buffers: unknown[] = [output, ...inputs].map((t) => be.tensorMap.get(t.dataId)?.resource);
    if (!buffers.every(isBuffer)) {
      tfjsRecord(program, output, inputs, programDefinedUniform);
      return;
    }
    let key = `${idOf(pipeline)}:${idOf(uniform as object)}`;
    for (const b of buffers) key += `,${idOf(b as object)}`;
    let group = bindGroups.get(key);
    if (group !== undefined) stats.bindGroupHits++;
    else {
      let layout = layouts.get(pipeline);
      if (layout === undefined) {
        layout = pipeline.getBindGroupLayout(0);
        layouts.set(pipeline, layout);
      }
      const entries = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
      entries.push({ binding: entries.length, resource: { buffer: uniform } });
      group = be.device.createBindGroup({ layout, entries });
      if (bindGroups.size >= MAX_BIND_GROUPS) bindGroups.clear();
      bindGroups.set(key, group);
    }
    // As tfjs: inputs and output stay alive until the commands that use them are submitted.
    for (const t of inputs) be.commandQueueOwnedIds.add(t.dataId);
    be.commandQueueOwnedIds.add(output.dataId);
    be.ensureCommandEncoderReady();
    if (!be.computePassEncoder) {
      be.computePassEncoder = be.commandEncoder!.beginComputePass({});
    }
    const pass = be.computePassEncoder;
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(program.dispatch[0], program.dispatch[1], program.dispatch[2]);
    stats.kernels++;
    be.dispatchCountInPass++;
    if (opsPerSubmit() <= be.dispatchCountInPass) {
      be.endComputePassEncoder();
      be.submitQueue();
    }
  };
  return stats;
}

function opsPerSubmit(): number {
  return tf.env().getNumber('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE');
}

function isBuffer(resource: unknown): boolean {
  return typeof GPUBuffer !== 'undefined' && resource instanceof GPUBuffer;
}

/**
 * The kernel's uniform block exactly as tfjs 4.22 lays it out (`recordAndSubmit` +
 * `makeUniforms`): NaN, Infinity, then shape and strides of every input and the output, the
 * output size when the program asks for it, then the program's own uniforms — each field at
 * WGSL's alignment for its length.
 */
function uniformBytes(
  program: ProgramLike,
  output: TensorInfoLike,
  inputs: TensorInfoLike[],
  programDefinedUniform: UniformLike[] | undefined,
): ArrayBuffer {
  const fields: UniformLike[] = [
    { type: 'float32', data: [NaN] },
    { type: 'float32', data: [Infinity] },
  ];
  for (const t of [...inputs, output]) {
    fields.push({ type: 'int32', data: t.shape });
    fields.push({ type: 'int32', data: stridesOf(t.shape) });
  }
  if (program.size) {
    const size = program.outputShape.reduce((a, b) => a * b, 1);
    fields.push({
      type: 'int32',
      data: [program.outputComponent ? size / program.outputComponent : size],
    });
  }
  if (programDefinedUniform) fields.push(...programDefinedUniform);
  let offset = 0;
  let previousLength = 0;
  let maxAlignment = 1;
  const offsets: number[] = [];
  for (const f of fields) {
    if (f.data.length === 0) f.data = [1]; // as tfjs: an empty field takes one slot
    const length = f.data.length;
    if (length > 6) throw new Error(`uniform field of ${length} values`);
    let alignment = length === 1 ? 4 : length === 2 ? 8 : 16;
    if (previousLength === 5 || previousLength === 6) alignment = 16;
    maxAlignment = Math.max(maxAlignment, alignment);
    offset = Math.ceil(offset / alignment) * alignment;
    previousLength = length;
    offsets.push(offset);
    offset += length * 4;
  }
  offset = Math.ceil(offset / maxAlignment) * maxAlignment;
  const bytes = new ArrayBuffer(offset);
  fields.forEach((f, i) => {
    const View = f.type === 'int32' ? Int32Array : f.type === 'uint32' ? Uint32Array : Float32Array;
    new View(bytes, offsets[i], f.data.length).set(f.data);
  });
  return bytes;
}

function stridesOf(shape: number[]): number[] {
  const strides = new Array<number>(Math.max(shape.length - 1, 0));
  let stride = 1;
  for (let i = shape.length - 1; i > 0; i--) {
    stride *= shape[i];
    strides[i - 1] = stride;
  }
  return strides;
}

function bytesKey(bytes: ArrayBuffer): string {
  const words = new Uint32Array(bytes);
  let key = '';
  for (let i = 0; i < words.length; i++) key += words[i].toString(36) + '.';
  return key;
}
