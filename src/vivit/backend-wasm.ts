// Selecting tfjs's WebAssembly backend in Node (worker threads, CLI, tests, benchmarks).
// The backend finds its .wasm binaries next to its own script when run from node_modules;
// bundled or transformed code (electron-vite, vitest) can move that script, so we point it
// at the installed package's dist/ directory explicitly before the first initialization.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

let pathsSet = false;

/** Directory holding tfjs-backend-wasm's .wasm files (with a trailing separator). */
export function wasmBinaryDirectory(): string {
  // A self-contained bundle (scripts/gpu-bench-bundle.sh) ships the binaries beside itself.
  const override = process.env.VIVIT_TFJS_WASM_DIR?.trim();
  if (override) return override.endsWith(path.sep) ? override : override + path.sep;
  const require = createRequire(import.meta.url);
  // The package's "main" is dist/tf-backend-wasm.node.js; the binaries sit beside it.
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

/** Makes 'wasm' the active tfjs backend; throws with the reason when it cannot start. */
export async function initWasmBackend(): Promise<void> {
  if (tf.getBackend() === 'wasm') return;
  if (!pathsSet && tf.findBackend('wasm') === null) {
    setWasmPaths(wasmBinaryDirectory());
    pathsSet = true;
  }
  const ok = await tf.setBackend('wasm');
  if (!ok) {
    throw new Error(
      `could not start tfjs's wasm backend (binaries looked up in ${wasmBinaryDirectory()})`,
    );
  }
  await tf.ready();
}
