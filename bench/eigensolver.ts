// Symmetric eigensolver timings: wasm vs the TypeScript fallback, eigenvalues only, all
// eigenvectors, and only the n/4 leading eigenvectors (vectorCount), median of repeated runs.
// Targets at n = 1280: vectors <= 2 s, values only <= 0.5 s (wasm).
//
//   npx tsx bench/eigensolver.ts [--sizes 128,320,640,1280] [--repeats 5] [--matrix random|gram]
//                                [--backends wasm,js]
//   npm run bench -- eigensolver
//
// --matrix gram times a rank-deficient Gram matrix VᵀV (rank n/4, the ViViT case: the leading
// n/4 vectors are then exactly the nontrivial ones) instead of a dense random symmetric one.
// --backends wasm skips the slow TypeScript runs. Besides wall time the tables give process CPU
// time, which stays meaningful when other processes compete for the cores.

import { loadavg } from 'node:os';
import { gramMatrix, loadEigensolver, symmetricEigen } from '../src/vivit/linalg';
import type { EigensolverBackend } from '../src/vivit/linalg';
import { medianTime } from './util';

interface Options {
  sizes: number[];
  repeats: number | null;
  matrix: 'random' | 'gram';
  backends: EigensolverBackend[];
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    sizes: [128, 320, 640, 1280],
    repeats: null,
    matrix: 'random',
    backends: ['wasm', 'js'],
  };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === '--sizes' && value) {
      options.sizes = value.split(',').map(Number);
      i++;
    } else if (argv[i] === '--repeats' && value) {
      options.repeats = Number(value);
      i++;
    } else if (argv[i] === '--matrix' && (value === 'random' || value === 'gram')) {
      options.matrix = value;
      i++;
    } else if (argv[i] === '--backends' && value) {
      const backends = value.split(',');
      if (backends.length === 0 || backends.some((b) => b !== 'wasm' && b !== 'js')) {
        throw new Error(`--backends must list wasm and/or js, got ${value}`);
      }
      options.backends = backends as EigensolverBackend[];
      i++;
    }
  }
  if (options.sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--sizes must be positive integers, got ${options.sizes.join(',')}`);
  }
  return options;
}

/** Deterministic uniform stream in [-0.5, 0.5) (Park–Miller), so every run times the same input. */
function uniformStream(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
}

function randomSymmetric(n: number): Float64Array {
  const next = uniformStream(12345 + n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = next();
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

function rankDeficientGram(n: number): Float64Array {
  const rows = Math.max(1, Math.floor(n / 4));
  const next = uniformStream(777 + n);
  const v = new Float64Array(rows * n).map(() => next());
  return gramMatrix(v, rows, n);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const status = await loadEigensolver();
  if (status.backend !== 'wasm') throw new Error(`wasm eigensolver unavailable: ${status.reason}`);
  console.log(
    `symmetric eigensolver, ${options.matrix === 'gram' ? 'Gram VᵀV of rank n/4' : 'random symmetric'}` +
      ` matrices; load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')} before the run`,
  );

  // All wasm runs first, then all TypeScript runs: the fallback leaves n×n garbage behind, and
  // the collector's background threads would otherwise compete with the next wasm timing.
  const inputs = new Map(
    options.sizes.map((n) => [
      n,
      options.matrix === 'gram' ? rankDeficientGram(n) : randomSymmetric(n),
    ]),
  );
  const repeatsFor = (n: number): number => options.repeats ?? (n >= 1280 ? 3 : n >= 640 ? 5 : 9);
  const ms = new Map<string, { wall: number; cpu: number }>();
  // 'vectors32': all vectors with vectorAccuracy 'float32', as the engine asks for float32 Gram
  // matrices (narrow clusters, inverse iteration; the TypeScript fallback ignores it).
  const kinds = ['values', 'vectors', 'vectors32', 'leading'] as const;
  const leadingCount = (n: number): number => Math.max(1, Math.floor(n / 4));
  for (const backend of options.backends) {
    for (const n of options.sizes) {
      const a = inputs.get(n)!;
      for (const kind of kinds) {
        const t = medianTime(
          () =>
            void symmetricEigen(a, n, {
              vectors: kind !== 'values',
              vectorCount: kind === 'leading' ? leadingCount(n) : undefined,
              ...(kind === 'vectors32' && { vectorAccuracy: 'float32' as const }),
              backend,
            }),
          repeatsFor(n),
          n < 640, // larger runs are long enough for JIT warm-up not to matter
        );
        ms.set(`${n} ${backend} ${kind}`, t);
      }
    }
  }

  const wallRows: Record<string, string | number>[] = [];
  const cpuRows: Record<string, string | number>[] = [];
  const both = options.backends.length === 2;
  for (const n of options.sizes) {
    for (const [rows, pick] of [
      [wallRows, 'wall'],
      [cpuRows, 'cpu'],
    ] as const) {
      const t = (key: string): number => ms.get(`${n} ${key}`)![pick];
      const row: Record<string, string | number> = { n, runs: repeatsFor(n) };
      for (const kind of kinds) {
        const label =
          kind === 'leading' ? `n/4 vectors` : kind === 'vectors32' ? 'vectors (f32)' : kind;
        for (const backend of options.backends) {
          row[`${label} ${backend} ms`] = t(`${backend} ${kind}`).toFixed(1);
        }
        if (both) row[`${label} js/wasm`] = (t(`js ${kind}`) / t(`wasm ${kind}`)).toFixed(2);
      }
      rows.push(row);
    }
  }
  console.log('median wall-clock time per call');
  console.table(wallRows);
  console.log('median process CPU time per call');
  console.table(cpuRows);
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} after the run`,
  );
}

await main();
