import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
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

// chooseBackend() caches its choice per module instance, so each case loads a fresh copy.
async function freshBackendModule() {
  vi.resetModules();
  return import('../../src/worker/backend');
}

const saved = process.env.VIVIT_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.VIVIT_BACKEND;
  else process.env.VIVIT_BACKEND = saved;
});

describe('backend selection', () => {
  it.runIf(nativeAbsent)(
    'falls back past the absent native packages to wasm, saying why',
    async () => {
      delete process.env.VIVIT_BACKEND;
      const { chooseBackend, describeBackend } = await freshBackendModule();
      const report = await chooseBackend();
      expect(report).toEqual({
        chosen: 'wasm',
        skipped: [
          { backend: 'tensorflow-gpu', reason: 'not installed (optional dependency)' },
          { backend: 'tensorflow', reason: 'not installed (optional dependency)' },
        ],
      });
      expect(tf.getBackend()).toBe('wasm');
      expect(describeBackend(report)).toBe(
        'backend wasm (skipped tensorflow-gpu: not installed (optional dependency); tensorflow: not installed (optional dependency))',
      );
    },
  );

  it('VIVIT_BACKEND forces a backend', async () => {
    process.env.VIVIT_BACKEND = 'cpu';
    const { chooseBackend } = await freshBackendModule();
    expect(await chooseBackend()).toEqual({
      chosen: 'cpu',
      skipped: [
        { backend: 'tensorflow-gpu', reason: 'not tried: VIVIT_BACKEND=cpu' },
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
        'VIVIT_BACKEND=gpu is not a backend; use one of tensorflow-gpu, tensorflow, wasm, cpu',
      );
    },
  );
});
