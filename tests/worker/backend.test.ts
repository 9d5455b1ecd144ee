import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';

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
  it('falls back past the absent native packages to wasm, saying why', async () => {
    delete process.env.VIVIT_BACKEND;
    const { chooseBackend, describeBackend } = await freshBackendModule();
    // tfjs-node(-gpu) are optional dependencies that are not installed here (they download
    // libtensorflow at install time); where they are, this test's expectation does not hold.
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
  });

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

  it('a forced backend that is unavailable is an error, not a silent fallback', async () => {
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
  });
});
