// The slice of the WebGPU API that the device eigensolver uses, declared here because the
// engine compiles without the DOM library (where WebGPU's types would live). Flags are the
// numeric values of the spec's GPUBufferUsage / GPUMapMode / GPUShaderStage constants, so the
// solver needs no globals.

export const BufferUsage = {
  MAP_READ: 0x1,
  COPY_SRC: 0x4,
  COPY_DST: 0x8,
  UNIFORM: 0x40,
  STORAGE: 0x80,
} as const;
export const MAP_MODE_READ = 0x1;

export interface GpuBuffer {
  readonly size: number;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}

export interface GpuBindGroupLayout {
  readonly __brand?: 'GpuBindGroupLayout';
}
export interface GpuBindGroup {
  readonly __brand?: 'GpuBindGroup';
}
export interface GpuComputePipeline {
  getBindGroupLayout(index: number): GpuBindGroupLayout;
}

export interface GpuComputePass {
  setPipeline(pipeline: GpuComputePipeline): void;
  setBindGroup(index: number, group: GpuBindGroup): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}

export interface GpuCommandEncoder {
  beginComputePass(): GpuComputePass;
  copyBufferToBuffer(
    source: GpuBuffer,
    sourceOffset: number,
    destination: GpuBuffer,
    destinationOffset: number,
    size: number,
  ): void;
  finish(): object;
}

export interface GpuDevice {
  readonly limits: {
    readonly maxComputeInvocationsPerWorkgroup: number;
    readonly maxComputeWorkgroupSizeX: number;
    readonly maxComputeWorkgroupStorageSize: number;
    readonly maxComputeWorkgroupsPerDimension: number;
    readonly maxStorageBufferBindingSize: number;
  };
  readonly queue: {
    submit(commands: object[]): void;
    writeBuffer(buffer: GpuBuffer, offset: number, data: ArrayBufferView): void;
  };
  createBuffer(descriptor: { size: number; usage: number; label?: string }): GpuBuffer;
  createShaderModule(descriptor: { code: string; label?: string }): object;
  createComputePipeline(descriptor: {
    layout: 'auto' | object;
    compute: { module: object; entryPoint: string };
    label?: string;
  }): GpuComputePipeline;
  createBindGroup(descriptor: {
    layout: GpuBindGroupLayout;
    entries: { binding: number; resource: { buffer: GpuBuffer; offset?: number; size?: number } }[];
  }): GpuBindGroup;
  createCommandEncoder(): GpuCommandEncoder;
  pushErrorScope(filter: 'validation' | 'out-of-memory' | 'internal'): void;
  popErrorScope(): Promise<{ message: string } | null>;
}

/** Copies `bytes` from `source` (at `offset`) into a fresh mappable buffer, submits, and
 *  resolves to an owned copy of the data: one device round trip. */
export async function readBuffer(
  device: GpuDevice,
  source: GpuBuffer,
  offset: number,
  bytes: number,
  encoder: GpuCommandEncoder = device.createCommandEncoder(),
): Promise<ArrayBuffer> {
  const staging = device.createBuffer({
    size: bytes,
    usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
    label: 'eigensolver staging',
  });
  try {
    encoder.copyBufferToBuffer(source, offset, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(MAP_MODE_READ);
    const data = staging.getMappedRange().slice(0);
    staging.unmap();
    return data;
  } finally {
    staging.destroy();
  }
}
