// The committed wasm must load in a plain Node worker thread, both from the sources and from a
// bundle like out/main/worker.js (vite, as electron-vite uses it), and the TypeScript fallback
// must take over where WebAssembly is missing. Real worker threads and a real vite build.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const probe = fileURLToPath(new URL('./fixtures/eigen-probe.ts', import.meta.url));
const tsxBoot = fileURLToPath(new URL('./fixtures/tsx-boot.mjs', import.meta.url));

interface ProbeReport {
  status: { backend: string; reason?: string };
  values: number[];
  vectors: number[];
}

function runWorker(file: string, workerData: object): Promise<ProbeReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, { workerData });
    worker.once('message', (m: ProbeReport) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited (${code}) without a report`)));
  });
}

function expectToeplitzSolution(report: ProbeReport): void {
  const expected = [2 + Math.SQRT2, 2, 2 - Math.SQRT2];
  report.values.forEach((v, k) => expect(Math.abs(v - expected[k])).toBeLessThan(1e-14));
  // A x_k = λ_k x_k for each column, with A the probe's matrix.
  const a = [2, 1, 0, 1, 2, 1, 0, 1, 2];
  for (let k = 0; k < 3; k++) {
    for (let i = 0; i < 3; i++) {
      let ax = 0;
      for (let j = 0; j < 3; j++) ax += a[i * 3 + j] * report.vectors[j * 3 + k];
      expect(Math.abs(ax - expected[k] * report.vectors[i * 3 + k])).toBeLessThan(1e-14);
    }
  }
}

describe('eigensolver in worker threads', () => {
  let outDir = '';
  let bundle = '';

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'vivit-eigen-bundle-'));
    await build({
      configFile: false,
      logLevel: 'silent',
      build: {
        ssr: probe,
        outDir,
        emptyOutDir: true,
        target: 'node20',
        rollupOptions: { output: { format: 'es', entryFileNames: 'probe.mjs' } },
      },
    });
    bundle = join(outDir, 'probe.mjs');
  });

  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('loads wasm from the sources (tsx) in a worker thread', async () => {
    const report = await runWorker(tsxBoot, { entry: probe });
    expect(report.status).toEqual({ backend: 'wasm' });
    expectToeplitzSolution(report);
  });

  it('loads wasm from a single-file vite bundle in a worker thread', async () => {
    const report = await runWorker(bundle, {});
    expect(report.status).toEqual({ backend: 'wasm' });
    expectToeplitzSolution(report);
  });

  it('falls back to TypeScript, saying why, where WebAssembly is missing', async () => {
    const report = await runWorker(bundle, { withoutWebAssembly: true });
    expect(report.status).toEqual({
      backend: 'js',
      reason: 'WebAssembly is not available in this runtime',
    });
    expectToeplitzSolution(report);
  });
});
