import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describeAdapter } from '../../src/vivit/backend-webgpu';
import { afterEach, describe, expect, it, vi } from 'vitest';

// These expectations describe a machine without the optional native packages (they download
// libtensorflow at install time, so offline installs skip them). Where either is installed the
// fallback order is different, and the cases that assume their absence are skipped.
function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}
const nativeAbsent = !installed('@tensorflow/tfjs-node') && !installed('@tensorflow/tfjs-node-gpu');
// CI and development machines here have no GPU: dawn.node finds no Vulkan adapter and only
// Mesa's llvmpipe through OpenGL ES (the Debian packages .ci/run installs).
const noHardwareGpu = process.env.VIVIT_EXPECT_GPU !== '1';
const fakeDawn = (name: string) =>
  fileURLToPath(new URL(`./fixtures/fake-dawn/${name}.mjs`, import.meta.url));

// chooseBackend() caches its choice per module instance, so each case loads a fresh copy.
async function freshBackendModule() {
  vi.resetModules();
  return import('../../src/worker/backend');
}

const saved = process.env.VIVIT_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.VIVIT_BACKEND;
  else process.env.VIVIT_BACKEND = saved;
  delete process.env.VIVIT_WEBGPU_MODULE;
});

describe('backend selection', () => {
  it.runIf(nativeAbsent && noHardwareGpu)(
    'falls back past the absent native packages and the software-only GPU to wasm, saying why',
    async () => {
      delete process.env.VIVIT_BACKEND;
      const { chooseBackend, describeBackend } = await freshBackendModule();
      const report = await chooseBackend();
      expect(report).toEqual({
        chosen: 'wasm',
        skipped: [
          { backend: 'tensorflow-gpu', reason: 'not installed (optional dependency)' },
          { backend: 'webgpu', reason: expect.any(String) },
          { backend: 'tensorflow', reason: 'not installed (optional dependency)' },
        ],
      });
      const webgpu = report.skipped[1].reason;
      expect(webgpu).toMatch(/^no Vulkan\/Metal\/D3D12 adapter/);
      expect(webgpu).toMatch(
        /only a software adapter \(llvmpipe[^)]*\).*: not chosen automatically, VIVIT_BACKEND=webgpu forces it$/,
      );
      expect(tf.getBackend()).toBe('wasm');
      expect(describeBackend(report)).toMatch(
        /^backend wasm \(skipped tensorflow-gpu: not installed \(optional dependency\); webgpu: no Vulkan.*; tensorflow: not installed \(optional dependency\)\)$/,
      );
    },
  );

  it.runIf(noHardwareGpu)(
    'VIVIT_BACKEND=webgpu takes the software adapter and names it',
    async () => {
      process.env.VIVIT_BACKEND = 'webgpu';
      const { chooseBackend, describeBackend } = await freshBackendModule();
      const report = await chooseBackend();
      expect(report.chosen).toBe('webgpu');
      expect(report.device).toMatch(/llvmpipe/);
      expect(tf.getBackend()).toBe('webgpu');
      expect(describeBackend(report)).toMatch(
        /^backend webgpu on llvmpipe.* \(skipped tensorflow-gpu: not tried: VIVIT_BACKEND=webgpu\)$/,
      );
      // It computes: a product read back asynchronously.
      const product = tf.matMul(
        tf.tensor2d([1, 2, 3, 4], [2, 2]),
        tf.tensor2d([5, 6, 7, 8], [2, 2]),
      );
      expect(Array.from(await product.data())).toEqual([19, 22, 43, 50]);
      product.dispose();
      await tf.setBackend('cpu');
    },
    120_000,
  );

  // Failures of the GPU layer cannot be produced on demand with a real driver, so stand-ins for
  // dawn.node (tests/worker/fixtures/fake-dawn) fail the ways a broken installation does.
  it.each([
    [
      'throws',
      /^webgpu: Vulkan\/Metal\/D3D12: the driver refused: VK_ERROR_INITIALIZATION_FAILED; OpenGL ES: the driver refused/,
    ],
    ['no-adapter', /^webgpu: no Vulkan\/Metal\/D3D12 adapter; no OpenGL ES adapter$/],
    ['crashes', /^webgpu: looking for a GPU adapter failed: crashed \(SIGABRT\)$/],
    [
      'fails-to-load',
      /^webgpu: looking for a GPU adapter failed: Error: dawn\.node: invalid ELF header$/,
    ],
    [
      'software',
      /^webgpu: only a software adapter \(google, SwiftShader.*\): not chosen automatically/,
    ],
  ])(
    'a dawn.node that %s gives a reason and the next backend, never a crash',
    async (name, reason) => {
      delete process.env.VIVIT_BACKEND;
      process.env.VIVIT_WEBGPU_MODULE = fakeDawn(name);
      const { chooseBackend } = await freshBackendModule();
      const report = await chooseBackend();
      expect(report.chosen).not.toBe('webgpu');
      const skipped = report.skipped.find((s) => s.backend === 'webgpu');
      expect(`webgpu: ${skipped?.reason}`).toMatch(reason);
    },
  );

  it('a missing dawn.node file is a reason too', async () => {
    process.env.VIVIT_BACKEND = 'webgpu';
    process.env.VIVIT_WEBGPU_MODULE = fakeDawn('does-not-exist');
    const { chooseBackend } = await freshBackendModule();
    await expect(chooseBackend()).rejects.toThrow(
      /^backend webgpu \(forced by VIVIT_BACKEND\) is not available: VIVIT_WEBGPU_MODULE names no file: .*does-not-exist\.mjs$/,
    );
  });

  it('VIVIT_BACKEND forces a backend', async () => {
    process.env.VIVIT_BACKEND = 'cpu';
    const { chooseBackend } = await freshBackendModule();
    expect(await chooseBackend()).toEqual({
      chosen: 'cpu',
      skipped: [
        { backend: 'tensorflow-gpu', reason: 'not tried: VIVIT_BACKEND=cpu' },
        { backend: 'webgpu', reason: 'not tried: VIVIT_BACKEND=cpu' },
        { backend: 'tensorflow', reason: 'not tried: VIVIT_BACKEND=cpu' },
        { backend: 'wasm', reason: 'not tried: VIVIT_BACKEND=cpu' },
      ],
    });
    expect(tf.getBackend()).toBe('cpu');
  });

  it.runIf(nativeAbsent)(
    'a forced backend that is unavailable is an error, not a silent fallback',
    async () => {
      process.env.VIVIT_BACKEND = 'tensorflow';
      const { chooseBackend } = await freshBackendModule();
      await expect(chooseBackend()).rejects.toThrow(
        'backend tensorflow (forced by VIVIT_BACKEND) is not available: not installed (optional dependency)',
      );
      process.env.VIVIT_BACKEND = 'gpu';
      const again = await freshBackendModule();
      await expect(again.chooseBackend()).rejects.toThrow(
        'VIVIT_BACKEND=gpu is not a backend; use one of tensorflow-gpu, webgpu, tensorflow, wasm, cpu',
      );
    },
  );

  it.each([
    [
      {
        vendor: 'nvidia',
        architecture: 'hopper',
        device: 'NVIDIA H200',
        description: 'NVIDIA H200',
      },
      false,
    ],
    [{ vendor: 'apple', architecture: 'metal-3', device: '', description: 'Apple M2 Pro' }, false],
    [
      { vendor: 'amd', architecture: 'rdna-3', device: '', description: 'AMD Radeon RX 7900 XTX' },
      false,
    ],
    [{ device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL ES 3.2 Mesa 22.3.6' }, true],
    [{ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }, true],
    [
      {
        vendor: 'google',
        device: 'SwiftShader Device (Subzero)',
        description: 'SwiftShader driver',
      },
      true,
    ],
    [{ vendor: 'intel', description: 'Intel(R) Arc', isFallbackAdapter: true }, true],
    [{ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }, true],
  ])('adapter %o counts as software: %s', (info, software) => {
    expect(describeAdapter({ info }, 'default').software).toBe(software);
  });
});
