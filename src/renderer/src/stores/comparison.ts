// A second session log opened for comparison: its curves are overlaid on the scalar panels
// (training loss, gradient norm). It is read in the page with the same codec the host uses and
// never replaces the session, so a live run keeps streaming beside it.
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import { parseLog } from '../../../protocol/log-codec';
import { appendRecords, emptyColumns, type SessionColumns } from './columns';

export const useComparisonStore = defineStore('comparison', () => {
  const name = ref<string | undefined>();
  const columns = shallowRef<SessionColumns | undefined>();
  /** Bumped when a comparison is opened or cleared. */
  const revision = ref(0);

  /** Reads a log's text; returns an error sentence instead of throwing. */
  function open(text: string, fileName: string): string | undefined {
    try {
      const parsed = parseLog(text);
      const next = emptyColumns();
      appendRecords(next, parsed.records);
      columns.value = markRaw(next);
      name.value =
        parsed.header.name === fileName ? fileName : `${parsed.header.name} (${fileName})`;
      revision.value += 1;
      return parsed.problems.length
        ? `${fileName}: ${parsed.problems.length} unreadable line(s) skipped, e.g. ${parsed.problems[0].message}`
        : undefined;
    } catch (error) {
      return `${fileName} cannot be compared: ${(error as Error).message}`;
    }
  }

  function clear(): void {
    name.value = undefined;
    columns.value = undefined;
    revision.value += 1;
  }

  return { name, columns, revision, open, clear };
});
