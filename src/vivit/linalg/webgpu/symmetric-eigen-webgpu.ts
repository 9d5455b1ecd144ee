// Full symmetric eigendecomposition of an n×n float32 matrix that lives on a WebGPU device (the
// Gram matrix G̃ after the backward sweep), with two device round trips:
//
//   GPU   scale by a power of two; Householder tridiagonalization T = QᵀAQ, one dispatch per
//         step (tridiagonalize-kernel.ts)                                  → read d, e   (1)
//   host  float64 QR iteration for all eigenvalues of T and inverse iteration for the
//         eigenvectors z of the kept ones (../tridiagonal-eigen.ts: eigensolver.wasm, the
//         vectors shared with worker threads; O(n²) + O(n·m))
//   GPU   back-transformation x = Q z of the m kept vectors (back-transform-kernel.ts)
//                                                                           → read X     (2)
//
// The O(n³) parts run on the device and only O(n) + O(n·m) numbers cross the bus each way;
// the host does the O(n²) parts, in float64. Accuracy is float32's (the reduction's backward
// error is about ε₃₂‖A‖): eigenvalues to ~1e-6·λ_max, as with a float32 Gram matrix solved on
// the host (docs/linalg.md). Pipelines and work buffers are built once per (device, n).

import { FLOAT32_CLUSTER_GAP } from '../eigen-wasm';
import { tridiagonalEigen } from '../tridiagonal-eigen';
import { backTransformKernel, backTransformSharedBytes } from './back-transform-kernel';
import {
  BufferUsage,
  readBuffer,
  type GpuBuffer,
  type GpuComputePipeline,
  type GpuDevice,
} from './gpu';
import { maxAbsKernel, scaleKernel } from './scale-kernel';
import { reflectorLayout, tridiagonalizeKernel } from './tridiagonalize-kernel';

export interface DeviceEigenOptions {
  /** At most this many eigenvectors (0..n), for the largest eigenvalues. */
  maxVectors: number;
  /** Eigenvectors only for eigenvalues λ > rtol · λ_max (the nontrivial rule); omit for
   *  exactly maxVectors. */
  rtol?: number;
  /** Relative eigenvalue gap below which inverse iteration re-orthogonalizes (default 1e-9:
   *  eigenvectors further apart come out orthogonal to ~ε₆₄‖T‖/gap ≤ 2e-7, below float32's
   *  level — measured 3e-13 on a Gram spectrum over 9 decades; a wider gap would put the
   *  dense small eigenvalues of such spectra into large clusters, O(n·c²) each). */
  clusterGap?: number;
  /** false: the eigenvectors stay on the device (`vectorsBuffer`; `vectors` is empty), one
   *  read instead of two — for callers that only form products with them there. */
  readVectors?: boolean;
}

export interface DeviceEigenResult {
  /** All n eigenvalues, descending. */
  values: Float64Array;
  /** The m unit eigenvectors of values[0..m) as rows (m × n). */
  vectors: Float32Array;
  /** The same rows where they were computed (the solver's own buffer, at least m × n floats:
   *  valid until its next solve), or null without vectors. */
  vectorsBuffer: GpuBuffer | null;
  m: number;
  /** Device round trips (1 without vectors, else 2). */
  reads: number;
  /** Wall-clock ms: the reduction on the device including its read, the host's tridiagonal
   *  solve, and the back-transformation including its upload and read. */
  timings: { reduce: number; tridiagonal: number; backTransform: number };
}

/** A failure of the device path (non-finite input, the wasm solver unavailable, …): the caller
 *  may solve on the host instead. */
export class DeviceEigenError extends Error {
  override name = 'DeviceEigenError';
}

/** Threads sharing one row of the trailing block in the reduction (contiguous loads); a
 *  workgroup thus owns workgroup / 32 rows. */
const LANES_PER_ROW = 32;
/** Grid of the elementwise passes (grid-stride loops). */
const MAX_ELEMENTWISE_GROUPS = 1024;

interface SizedResources {
  n: number;
  workgroup: number;
  rows: number;
  /** Vectors per workgroup in the back-transformation (as many as workgroup memory holds, ≤ 4). */
  vectorsPerGroup: number;
  maxAbs: GpuComputePipeline;
  scale: GpuComputePipeline;
  tridiagonalize: GpuComputePipeline;
  backTransform: GpuComputePipeline;
  refl: GpuBuffer;
  vecs: GpuBuffer;
  state: GpuBuffer;
  scratch: GpuBuffer;
  z: GpuBuffer;
  out: GpuBuffer;
  /** The back-transformation's uniform: m. */
  count: GpuBuffer;
}

export class WebGpuEigensolver {
  /** Per matrix size; a run uses one size (N_S·M), so a couple of entries suffice. */
  private readonly sized = new Map<number, SizedResources>();
  /** Why a solve failed for a reason other than its input (a pipeline that does not compile,
   *  a lost device, …): the solver is then not used again in this process. */
  private failure: string | null = null;
  private static readonly cachedSizes = 3;
  /** Host staging of the tridiagonal eigenvectors, kept across steps (allocating megabytes per
   *  step is not free): `shared` is written by the worker threads in place; dawn.node's
   *  writeBuffer cannot read shared memory (it crashes), so `plain` is what is uploaded. */
  private staging: { shared: Float32Array; plain: Float32Array } | null = null;

  constructor(private readonly device: GpuDevice) {}

  /** Threads per workgroup: a power of two within the device's limits, at most 256. */
  get workgroup(): number {
    const limit = Math.min(
      256,
      this.device.limits.maxComputeInvocationsPerWorkgroup,
      this.device.limits.maxComputeWorkgroupSizeX,
    );
    return 2 ** Math.floor(Math.log2(limit));
  }

  /** Why an n×n problem cannot run here, or null if it can. */
  unsupported(n: number): string | null {
    if (this.failure !== null) return `it failed earlier in this process (${this.failure})`;
    const limits = this.device.limits;
    const wg = this.workgroup;
    if (wg < LANES_PER_ROW) return `workgroups of ${wg} threads are too small`;
    // The larger of the two kernels' workgroup arrays: a vector of n and three reductions.
    const shared = 4 * (n + 3 * wg);
    if (shared > limits.maxComputeWorkgroupStorageSize) {
      return (
        `n = ${n} needs ${shared} bytes of workgroup memory, the device allows ` +
        `${limits.maxComputeWorkgroupStorageSize}`
      );
    }
    const largest = 4 * reflectorLayout(n).size;
    if (largest > limits.maxStorageBufferBindingSize) {
      return `n = ${n} needs a ${largest}-byte buffer, the device allows ${limits.maxStorageBufferBindingSize}`;
    }
    return null;
  }

  /**
   * Eigenvalues and leading eigenvectors of the symmetric n×n float32 matrix in `matrix`
   * (row-major; its contents are destroyed).
   */
  async solve(
    matrix: GpuBuffer,
    n: number,
    options: DeviceEigenOptions,
  ): Promise<DeviceEigenResult> {
    try {
      // WebGPU reports invalid commands and failed allocations only through error scopes:
      // without them a failed step would read back zeros as if nothing had happened.
      const scopes = ['out-of-memory', 'validation', 'internal'] as const;
      for (const scope of scopes) this.device.pushErrorScope(scope);
      let result: DeviceEigenResult | null = null;
      let failure: unknown = null;
      try {
        result = await this.solveOnce(matrix, n, options);
      } catch (error) {
        failure = error;
      }
      for (let i = 0; i < scopes.length; i++) {
        const error = await this.device.popErrorScope();
        if (error !== null && failure === null) failure = new Error(`WebGPU: ${error.message}`);
      }
      if (failure !== null) throw failure;
      return result!;
    } catch (error) {
      if (error instanceof DeviceEigenError) throw error;
      this.failure = error instanceof Error ? error.message : String(error);
      throw new DeviceEigenError(`the device eigensolver failed: ${this.failure}`);
    }
  }

  private async solveOnce(
    matrix: GpuBuffer,
    n: number,
    options: DeviceEigenOptions,
  ): Promise<DeviceEigenResult> {
    const reason = this.unsupported(n);
    if (reason !== null) throw new DeviceEigenError(reason);
    if (matrix.size < 4 * n * n) {
      throw new DeviceEigenError(
        `the matrix buffer holds ${matrix.size} bytes, n = ${n} needs ${4 * n * n}`,
      );
    }
    if (n === 0) {
      const timings = { reduce: 0, tridiagonal: 0, backTransform: 0 };
      return {
        values: new Float64Array(0),
        vectors: new Float32Array(0),
        vectorsBuffer: null,
        m: 0,
        reads: 0,
        timings,
      };
    }
    const { device } = this;
    const r = this.resources(n);
    const layout = reflectorLayout(n);
    const elements = n * n;
    const groups = Math.min(MAX_ELEMENTWISE_GROUPS, Math.ceil(elements / r.workgroup));

    // ---- (1) scale and reduce on the device, read T
    let mark = performance.now();
    device.queue.writeBuffer(r.scratch, 0, new Uint32Array([0]));
    device.queue.writeBuffer(r.state, 0, new Uint32Array([0, 0]));
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(r.maxAbs);
    pass.setBindGroup(0, this.bindGroup(r.maxAbs, [matrix, r.scratch]));
    pass.dispatchWorkgroups(groups);
    pass.setPipeline(r.scale);
    pass.setBindGroup(0, this.bindGroup(r.scale, [matrix, r.scratch, r.refl]));
    pass.dispatchWorkgroups(groups);
    pass.setPipeline(r.tridiagonalize);
    pass.setBindGroup(0, this.bindGroup(r.tridiagonalize, [matrix, r.vecs, r.refl, r.state]));
    // Step k needs ⌈(n − k − 1) / rows⌉ workgroups; the kernel advances k itself.
    for (let k = 0; k < n; k++) {
      pass.dispatchWorkgroups(Math.max(1, Math.ceil((n - k - 1) / r.rows)));
    }
    pass.end();
    const tridiagonal = new Float32Array(
      await readBuffer(device, r.refl, 4 * layout.d, 4 * (2 * n + 1), encoder),
    );
    const d = tridiagonal.subarray(0, n);
    const e = tridiagonal.subarray(n, 2 * n);
    const scale = tridiagonal[2 * n];
    if (!tridiagonal.every(Number.isFinite)) {
      throw new DeviceEigenError('the matrix has non-finite entries (or overflowed in float32)');
    }
    const reduce = performance.now() - mark;

    // ---- host: eigenvalues of T, eigenvectors of the kept ones
    mark = performance.now();
    const staging = this.hostStaging(options.maxVectors * n);
    const host = await tridiagonalEigen(d, e, n, {
      maxVectors: options.maxVectors,
      ...(options.rtol !== undefined && { rtol: options.rtol }),
      clusterGap: options.clusterGap ?? FLOAT32_CLUSTER_GAP,
      into: staging.shared,
    });
    const values = host.values.map((v) => v * scale);
    const m = host.m;
    const hostTime = performance.now() - mark;
    if (m === 0) {
      const timings = { reduce, tridiagonal: hostTime, backTransform: 0 };
      return { values, vectors: new Float32Array(0), vectorsBuffer: null, m, reads: 1, timings };
    }

    // ---- (2) back-transform the kept vectors on the device, read them
    mark = performance.now();
    staging.plain.set(host.vectors);
    device.queue.writeBuffer(r.z, 0, staging.plain.subarray(0, m * n));
    device.queue.writeBuffer(r.count, 0, new Uint32Array([m, 0, 0, 0]));
    const encoder2 = device.createCommandEncoder();
    const pass2 = encoder2.beginComputePass();
    pass2.setPipeline(r.backTransform);
    pass2.setBindGroup(0, this.bindGroup(r.backTransform, [r.z, r.refl, r.out, r.count]));
    pass2.dispatchWorkgroups(Math.ceil(m / r.vectorsPerGroup));
    pass2.end();
    if (options.readVectors === false) {
      device.queue.submit([encoder2.finish()]);
      const timings = { reduce, tridiagonal: hostTime, backTransform: performance.now() - mark };
      return { values, vectors: new Float32Array(0), vectorsBuffer: r.out, m, reads: 1, timings };
    }
    const vectors = new Float32Array(await readBuffer(device, r.out, 0, 4 * m * n, encoder2));
    const timings = { reduce, tridiagonal: hostTime, backTransform: performance.now() - mark };
    return { values, vectors, vectorsBuffer: r.out, m, reads: 2, timings };
  }

  /** Releases the work buffers (pipelines go with the device). */
  destroy(): void {
    for (const r of this.sized.values()) destroyBuffers(r);
    this.sized.clear();
    this.staging = null;
  }

  private hostStaging(length: number): { shared: Float32Array; plain: Float32Array } {
    if (this.staging === null || this.staging.plain.length < length) {
      const shared =
        typeof SharedArrayBuffer === 'function'
          ? new Float32Array(new SharedArrayBuffer(4 * length))
          : new Float32Array(length);
      this.staging = { shared, plain: new Float32Array(length) };
    }
    return this.staging;
  }

  private bindGroup(pipeline: GpuComputePipeline, buffers: GpuBuffer[]) {
    return this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  }

  private resources(n: number): SizedResources {
    const cached = this.sized.get(n);
    if (cached) return cached;
    if (this.sized.size >= WebGpuEigensolver.cachedSizes) {
      const [oldest, r] = this.sized.entries().next().value as [number, SizedResources];
      destroyBuffers(r);
      this.sized.delete(oldest);
    }
    const { device } = this;
    const workgroup = this.workgroup;
    const rows = workgroup / LANES_PER_ROW;
    const sharedLimit = device.limits.maxComputeWorkgroupStorageSize;
    const vectorsPerGroup =
      [4, 2, 1].find((v) => backTransformSharedBytes(n, workgroup, v) <= sharedLimit) ?? 1;
    const pipeline = (code: string, label: string, layout: 'auto' | object = 'auto') =>
      device.createComputePipeline({
        label,
        layout,
        compute: { module: device.createShaderModule({ code, label }), entryPoint: 'main' },
      });
    const buffer = (floats: number, usage: number, label: string) =>
      device.createBuffer({ size: 4 * Math.max(1, floats), usage, label });
    const storageUsage = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
    const resources: SizedResources = {
      n,
      workgroup,
      rows,
      vectorsPerGroup,
      maxAbs: pipeline(maxAbsKernel(n * n, workgroup), 'eigensolver max |a|'),
      scale: pipeline(scaleKernel(n, workgroup), 'eigensolver scale'),
      tridiagonalize: pipeline(
        tridiagonalizeKernel({ n, workgroup, rows }),
        'eigensolver tridiagonalize',
      ),
      backTransform: pipeline(
        backTransformKernel(n, workgroup, vectorsPerGroup),
        'eigensolver back-transform',
      ),
      refl: buffer(reflectorLayout(n).size, storageUsage, 'reflectors'),
      vecs: buffer(6 * n, storageUsage, 'reduction vectors'),
      // The reduction's { step k, workgroups done }, zeroed before each solve.
      state: buffer(2, storageUsage, 'reduction state'),
      scratch: buffer(1, storageUsage, 'max |a|'),
      z: buffer(n * n, storageUsage, 'tridiagonal eigenvectors'),
      out: buffer(n * n, storageUsage, 'eigenvectors'),
      count: buffer(4, BufferUsage.UNIFORM | BufferUsage.COPY_DST, 'vector count'),
    };
    this.sized.set(n, resources);
    return resources;
  }
}

function destroyBuffers(r: SizedResources): void {
  for (const b of [r.refl, r.vecs, r.state, r.scratch, r.z, r.out, r.count]) b.destroy();
}

const solvers = new WeakMap<GpuDevice, WebGpuEigensolver>();

/** The solver of a device (its pipelines and buffers are kept between calls). */
export function webGpuEigensolver(device: GpuDevice): WebGpuEigensolver {
  let solver = solvers.get(device);
  if (!solver) {
    solver = new WebGpuEigensolver(device);
    solvers.set(device, solver);
  }
  return solver;
}
