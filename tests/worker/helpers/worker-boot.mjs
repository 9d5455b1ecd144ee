// Runs the TypeScript worker entry (src/worker/index.ts) in a real worker thread by loading it
// through tsx. Node 20 does not apply `--import tsx` hooks inside worker threads, so the entry
// is imported through tsx's API instead; the source is tested as-is, without a build step.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);
