// Starts the training worker thread. Built: out/main/worker.js. From source (vitest, tsx):
// the worker's TypeScript entry, compiled on the fly by tsx inside the thread.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { prepareHeadlessGpuEnvironment } from '../../vivit/backend-webgpu';
import type { WorkerSpec } from './paths';

export function spawnWorker(spec: WorkerSpec): Worker {
  // The worker cannot set the process environment that the GPU drivers read.
  prepareHeadlessGpuEnvironment();
  if (!spec.typescript) return new Worker(spec.path);
  // tsx's ESM API registers its loader in the current thread; a worker has its own loader, so a
  // tiny bootstrap registers it there first and then imports the entry.
  const tsxCjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const tsxApi = pathToFileURL(join(dirname(tsxCjs), 'index.mjs')).href;
  const entry = pathToFileURL(spec.path).href;
  const bootstrap =
    `import(${JSON.stringify(tsxApi)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}
