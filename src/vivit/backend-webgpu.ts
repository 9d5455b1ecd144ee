// Selecting tfjs's WebGPU backend in Node (worker threads, CLI, tests, benchmarks) on dawn.node,
// the npm package `webgpu` (an optional dependency: it ships its native binary for linux-x64,
// macOS and Windows, so it installs from the registry without a download).
//
// Adapters are tried in this order:
//  1. Dawn's default backends (Vulkan on Linux, Metal on macOS, D3D12 on Windows) — a real GPU;
//  2. Dawn's OpenGL ES backend through EGL, at WebGPU's 'compatibility' feature level — on a
//     machine without a GPU that is Mesa's llvmpipe (a CPU rasterizer). Slow, but every kernel
//     runs, which is what lets CI test the GPU path.
// A software adapter (llvmpipe, SwiftShader, lavapipe, or one flagged as a fallback) is only
// used when the caller allows it (VIVIT_BACKEND=webgpu); automatic selection skips it.
//
// tfjs-backend-webgpu asks `navigator.gpu` for its adapter, and Node 20 has no navigator: we
// install one whose requestAdapter hands over the adapter chosen here.
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { installDispatchCache, type DispatchCache } from './webgpu-dispatch-cache';

/** What was found: the adapter in words, and whether it is a software rasterizer. */
export interface WebGpuAdapterInfo {
  /** e.g. "NVIDIA H200 (vulkan)" or "llvmpipe (LLVM 15.0.6, 256 bits), OpenGL ES 3.2 Mesa". */
  description: string;
  software: boolean;
  /** 'default' (Vulkan/Metal/D3D12) or 'opengles'. */
  api: 'default' | 'opengles';
}

export class WebGpuUnavailableError extends Error {}

/** The subset of dawn.node's module we use (its own types come from @webgpu/types). */
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}
interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<AdapterLike | null>;
}
export interface AdapterLike {
  info?: {
    vendor?: string;
    architecture?: string;
    device?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
  isFallbackAdapter?: boolean;
}

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|software|microsoft basic render/i;

let active: WebGpuAdapterInfo | undefined;

/** The adapter in words, and whether it is a software rasterizer (exported for tests). */
export function describeAdapter(
  adapter: AdapterLike,
  api: WebGpuAdapterInfo['api'],
): WebGpuAdapterInfo {
  const info = adapter.info ?? {};
  const parts = [info.vendor, info.architecture, info.device, info.description]
    .map((s) => (s ?? '').trim())
    .filter((s, i, all) => s.length > 0 && all.indexOf(s) === i);
  const text = parts.join(', ') || 'unnamed adapter';
  const software =
    info.isFallbackAdapter === true ||
    adapter.isFallbackAdapter === true ||
    SOFTWARE_ADAPTER.test(text);
  return {
    description: `${text} (${api === 'opengles' ? 'OpenGL ES' : 'native API'})`,
    software,
    api,
  };
}

/**
 * On a headless machine Dawn's OpenGL ES backend needs EGL's surfaceless platform and Mesa a
 * private runtime directory. EGL reads the real process environment, which a worker thread cannot
 * change (its process.env is its own copy): call this on the main thread before starting the
 * training worker (the host does).
 */
export function prepareHeadlessGpuEnvironment(): void {
  if (!isMainThread) return;
  // A desktop session has a display EGL finds by itself, and the Electron app's own GPU
  // process must not inherit a surfaceless platform.
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return;
  process.env.EGL_PLATFORM ??= 'surfaceless';
  if (!process.env.XDG_RUNTIME_DIR) {
    process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'vivit-xdg-'));
  }
}

/** The installed `webgpu` package's entry file. */
function locateDawn(): string {
  // VIVIT_WEBGPU_MODULE names another copy (the GPU bench bundle carries its own; tests use it
  // to stand in a failing one).
  const override = process.env.VIVIT_WEBGPU_MODULE?.trim();
  if (override) {
    if (!existsSync(override)) {
      throw new WebGpuUnavailableError(`VIVIT_WEBGPU_MODULE names no file: ${override}`);
    }
    return override;
  }
  try {
    return createRequire(import.meta.url).resolve('webgpu');
  } catch {
    throw new WebGpuUnavailableError('not installed (the webgpu package is optional)');
  }
}

async function loadDawn(modulePath: string): Promise<DawnModule> {
  try {
    return (await import(/* @vite-ignore */ pathToFileURL(modulePath).href)) as DawnModule;
  } catch (e) {
    throw new WebGpuUnavailableError(`the webgpu package failed to load: ${firstLine(e)}`);
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].trim();
}

const OPS_PER_SUBMIT = 64;

/** Where to look, in order: a native adapter first, then OpenGL ES (llvmpipe without a GPU). */
const ATTEMPTS: readonly { api: WebGpuAdapterInfo['api']; flags: string[]; options: object }[] = [
  { api: 'default', flags: [], options: { powerPreference: 'high-performance' } },
  {
    api: 'opengles',
    flags: ['backend=opengles'],
    options: { featureLevel: 'compatibility', powerPreference: 'high-performance' },
  },
];

/** One attempt as the probe process saw it. */
type ProbeResult =
  { info: AdapterLike['info'] & { fallback?: boolean } } | { error: string } | null;

// Runs in a child process: Dawn prints its warnings (e.g. "Couldn't load Vulkan") straight to
// the process's stderr from native code, and a broken driver could even crash the process, so
// adapters are first looked for where neither can reach the app. Only an adapter found there
// is then opened in-process.
const PROBE_SCRIPT = `
const { create } = await import(process.env.VIVIT_PROBE_MODULE_URL);
const out = [];
for (const a of JSON.parse(process.env.VIVIT_WEBGPU_ATTEMPTS)) {
  try {
    const adapter = await create(a.flags).requestAdapter(a.options);
    const i = adapter && adapter.info;
    out.push(i ? { info: { vendor: i.vendor, architecture: i.architecture, device: i.device,
      description: i.description, isFallbackAdapter: i.isFallbackAdapter,
      fallback: adapter.isFallbackAdapter } } : null);
  } catch (e) {
    out.push({ error: String(e && e.message || e).split('\\n')[0] });
  }
}
process.stdout.write('VIVIT_PROBE ' + JSON.stringify(out) + '\\n');
process.exit(0);
`;

/** Seconds the probe may take (Dawn's first start can compile and cache for a while). */
const PROBE_TIMEOUT_MS = 30_000;

function runProbe(modulePath: string): Promise<{ results: ProbeResult[]; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', PROBE_SCRIPT],
      {
        timeout: PROBE_TIMEOUT_MS,
        maxBuffer: 1 << 20,
        env: {
          ...process.env,
          // Electron's binary acts as plain Node with this (a no-op in Node).
          ELECTRON_RUN_AS_NODE: '1',
          VIVIT_PROBE_MODULE_URL: pathToFileURL(modulePath).href,
          VIVIT_WEBGPU_ATTEMPTS: JSON.stringify(ATTEMPTS),
        },
      },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('VIVIT_PROBE '));
        if (line) {
          resolvePromise({ results: JSON.parse(line.slice(12)) as ProbeResult[], stderr });
          return;
        }
        const why = error?.killed
          ? `timed out after ${PROBE_TIMEOUT_MS / 1000} s`
          : error?.signal
            ? `crashed (${error.signal})`
            : errorLine(stderr) || (error ? firstLine(error) : '') || 'no answer';
        reject(new WebGpuUnavailableError(`looking for a GPU adapter failed: ${why}`));
      },
    );
  });
}

/** The line of a child's stderr that names its error (Node prints the source line first). */
function errorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim());
  return lines.find((l) => /^\w*Error\b/.test(l)) ?? lines.find((l) => l.length > 0) ?? '';
}

/** Dawn's own explanation of a missing native adapter, when it printed one. */
function nativeHint(stderr: string): string {
  const m = /Couldn't load Vulkan: ([^\n]*)/.exec(stderr);
  return m ? ` (Vulkan: ${m[1].trim()})` : '';
}

/** Picks the first usable adapter the probe found, or throws with what was seen. */
async function chooseAdapter(
  modulePath: string,
  allowSoftware: boolean,
): Promise<{ attempt: (typeof ATTEMPTS)[number]; info: WebGpuAdapterInfo }> {
  prepareHeadlessGpuEnvironment(); // the probe inherits it; so does the in-process device
  const { results, stderr } = await runProbe(modulePath);
  const seen: string[] = [];
  for (const [i, attempt] of ATTEMPTS.entries()) {
    const r = results[i];
    const name = attempt.api === 'default' ? 'Vulkan/Metal/D3D12' : 'OpenGL ES';
    if (r === null || r === undefined) {
      seen.push(`no ${name} adapter${attempt.api === 'default' ? nativeHint(stderr) : ''}`);
      continue;
    }
    if ('error' in r) {
      seen.push(`${name}: ${r.error}`);
      continue;
    }
    if (attempt.api === 'opengles' && !isMainThread && !process.env.EGL_PLATFORM) {
      seen.push(
        'OpenGL ES: EGL_PLATFORM is not set for this process (call prepareHeadlessGpuEnvironment() on the main thread before starting the worker)',
      );
      continue;
    }
    const info = describeAdapter(
      { info: r.info, isFallbackAdapter: r.info?.fallback },
      attempt.api,
    );
    if (info.software && !allowSoftware) {
      seen.push(
        `only a software adapter (${info.description}): not chosen automatically, VIVIT_BACKEND=webgpu forces it`,
      );
      continue;
    }
    return { attempt, info };
  }
  throw new WebGpuUnavailableError(seen.join('; '));
}

/**
 * Makes 'webgpu' the active tfjs backend. Throws WebGpuUnavailableError with the reason when no
 * usable adapter exists (a software one counts only with `allowSoftware`).
 */
export async function initWebGpuBackend(options: {
  allowSoftware: boolean;
}): Promise<WebGpuAdapterInfo> {
  if (tf.getBackend() === 'webgpu' && active) return active;
  if (!active) {
    const modulePath = locateDawn();
    const { attempt, info } = await chooseAdapter(modulePath, options.allowSoftware);
    const dawn = await loadDawn(modulePath);
    const gpu = dawn.create(attempt.flags);
    const adapter = await gpu.requestAdapter(attempt.options as Record<string, unknown>);
    if (!adapter) throw new WebGpuUnavailableError(`the adapter ${info.description} went away`);
    // tfjs-backend-webgpu uses the WebGPU globals (GPUBufferUsage, GPUMapMode, ...).
    for (const [name, value] of Object.entries(dawn.globals)) {
      if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, writable: true });
    }
    const nav = { gpu: { ...bindAll(gpu), requestAdapter: async () => adapter } };
    Object.defineProperty(globalThis, 'navigator', {
      value: nav,
      configurable: true,
      writable: true,
    });
    await import('@tensorflow/tfjs-backend-webgpu');
    active = info;
  }
  let ok = false;
  try {
    ok = await tf.setBackend('webgpu');
  } catch (e) {
    throw new WebGpuUnavailableError(`tfjs could not start on the adapter: ${firstLine(e)}`);
  }
  if (!ok || !active) throw new WebGpuUnavailableError('tfjs could not start on the adapter');
  // Each queue submit costs tens of µs in dawn.node. On an H200 the MNIST MLP training step
  // (95 kernels) took 13.1 ms at tfjs's default of 15 ops per submit and 11.1 ms at 64; more
  // saves little and keeps disposed buffers longer (they are freed at the submit).
  tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', OPS_PER_SUBMIT);
  await tf.ready();
  const backend = tf.backend();
  if (!dispatchCaches.has(backend) && process.env.VIVIT_WEBGPU_DISPATCH_CACHE !== '0') {
    const cache = installDispatchCache(backend);
    if (cache) dispatchCaches.set(backend, cache);
  }
  return active;
}

const dispatchCaches = new WeakMap<object, DispatchCache>();

/** The active webgpu backend's dispatch cache (webgpu-dispatch-cache.ts), if installed. */
export function webGpuDispatchCache(): DispatchCache | null {
  return tf.getBackend() === 'webgpu' ? (dispatchCaches.get(tf.backend()) ?? null) : null;
}

/** The GPU object's methods, bound (they live on a native prototype). */
function bindAll(gpu: GpuLike): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const proto = Object.getPrototypeOf(gpu) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const value = (gpu as unknown as Record<string, unknown>)[name];
    if (typeof value === 'function' && name !== 'constructor') {
      out[name] = (value as (...args: unknown[]) => unknown).bind(gpu);
    } else if (name !== 'constructor') {
      out[name] = value;
    }
  }
  return out;
}
