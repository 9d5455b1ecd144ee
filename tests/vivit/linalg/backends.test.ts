// The two backends against each other (Eigen in wasm vs the TypeScript Householder + QL code:
// independent implementations), and the committed wasm artifacts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { eigensolverStatus, loadEigensolver, symmetricEigen } from '../../../src/vivit/linalg';
import { eigensolverWasmBase64 } from '../../../src/vivit/linalg/wasm/eigensolver-wasm';
import {
  fromSpectrum,
  maxAbsDifference,
  projector,
  randomOrthogonal,
  randomSymmetric,
  TestRng,
} from './helpers';

const wasmPath = fileURLToPath(
  new URL('../../../src/vivit/linalg/wasm/eigensolver.wasm', import.meta.url),
);

beforeAll(async () => {
  await loadEigensolver();
});

describe('wasm and TypeScript backends', () => {
  it('auto picks wasm here', () => {
    expect(eigensolverStatus()).toEqual({ backend: 'wasm' });
  });

  it.each([
    [1, 7],
    [2, 60],
    [3, 257],
  ])('agree on a random symmetric matrix (seed %d, n = %d)', (seed, n) => {
    const a = randomSymmetric(n, new TestRng(seed));
    const w = symmetricEigen(a, n, { vectors: true, backend: 'wasm' });
    const j = symmetricEigen(a, n, { vectors: true, backend: 'js' });
    const auto = symmetricEigen(a, n, { vectors: true });
    expect(maxAbsDifference(w.values, j.values) / Math.abs(w.values[0])).toBeLessThan(1e-13);
    // Same sign convention, simple eigenvalues (random matrix): the vectors agree entrywise.
    expect(maxAbsDifference(w.vectors!, j.vectors!)).toBeLessThan(1e-10);
    expect(maxAbsDifference(auto.vectors!, w.vectors!)).toBe(0);
  });

  it('agree on eigenspaces of a repeated eigenvalue', () => {
    const n = 30;
    const rng = new TestRng(40);
    const q = randomOrthogonal(n, rng);
    const lambda = Array.from({ length: n }, (_, k) => (k < 12 ? 0 : k < 20 ? 4 : 10 + k));
    const a = fromSpectrum(q, lambda, n);
    const w = symmetricEigen(a, n, { vectors: true, backend: 'wasm' });
    const j = symmetricEigen(a, n, { vectors: true, backend: 'js' });
    expect(maxAbsDifference(w.values, j.values)).toBeLessThan(1e-13 * 40);
    const zeros = Array.from({ length: 12 }, (_, k) => n - 12 + k);
    const fours = Array.from({ length: 8 }, (_, k) => n - 20 + k);
    for (const cols of [zeros, fours]) {
      const diff = maxAbsDifference(projector(w.vectors!, n, cols), projector(j.vectors!, n, cols));
      expect(diff).toBeLessThan(1e-12);
    }
  });
});

describe('committed wasm artifacts', () => {
  const fileBytes = readFileSync(wasmPath);

  it('the embedded base64 is exactly eigensolver.wasm', () => {
    expect(Buffer.from(eigensolverWasmBase64, 'base64').equals(fileBytes)).toBe(true);
  });

  it('is a standalone module: two imports the loader provides, no emscripten glue', () => {
    // The node tsconfig has no DOM lib, where TypeScript declares WebAssembly: type what is used.
    interface Descriptor {
      module?: string;
      name: string;
    }
    interface WasmReflection {
      Module: (new (bytes: Uint8Array) => object) & {
        imports(m: object): Descriptor[];
        exports(m: object): Descriptor[];
      };
    }
    const wasm = (globalThis as unknown as { WebAssembly: WasmReflection }).WebAssembly;
    const module = new wasm.Module(fileBytes);
    const imports = wasm.Module.imports(module).map((i) => `${i.module}.${i.name}`);
    expect(imports.sort()).toEqual([
      'env.emscripten_notify_memory_growth',
      'wasi_snapshot_preview1.proc_exit',
    ]);
    const exports = wasm.Module.exports(module).map((e) => e.name);
    expect(exports).toEqual(
      expect.arrayContaining(['memory', '_initialize', 'malloc', 'free', 'eig_sym']),
    );
  });
});
