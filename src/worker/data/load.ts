// One entry point per question: what a data source looks like (for validation, cheap and
// synchronous) and the data itself (for a run).
import type { DataSpec } from '../../protocol/definition';
import type { DataFacts, Dataset } from './dataset';
import { csvFacts, loadCsvDataset } from './csv-dataset';
import { idxFacts, loadIdxDataset } from './idx-dataset';
import { loadMnist, mnistFacts } from './mnist';
import { generateSynthetic, syntheticFacts } from './synthetic';

/** Shape, task and sizes of the data; reads only IDX/NPY headers and label files (and CSV
 *  files, which are small). Throws IdxDataError (with the definition field to blame) for
 *  unusable files. */
export function dataFacts(spec: DataSpec, baseDir: string): DataFacts {
  switch (spec.source) {
    case 'mnist':
      return mnistFacts(spec);
    case 'synthetic':
      return syntheticFacts(spec);
    case 'idx':
    case 'npy':
      return idxFacts(spec, baseDir);
    case 'csv':
      return csvFacts(spec, baseDir);
  }
}

/** Loads (or generates) the data for a run. `baseDir` resolves relative file paths. */
export async function loadDataset(spec: DataSpec, seed: number, baseDir: string): Promise<Dataset> {
  switch (spec.source) {
    case 'mnist':
      return loadMnist(spec);
    case 'synthetic':
      return generateSynthetic(spec, seed);
    case 'idx':
    case 'npy':
      return loadIdxDataset(spec, baseDir);
    case 'csv':
      return loadCsvDataset(spec, baseDir);
  }
}
