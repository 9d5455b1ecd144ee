// The loaded run definition (valid or not, with its issues) and the bundled examples.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { DefinitionInfo, ExampleInfo } from '../../../protocol/host';
import { formatIssue } from '../../../protocol/definition';

export const useDefinitionStore = defineStore('definition', () => {
  const info = shallowRef<DefinitionInfo | undefined>();
  const examples = ref<ExampleInfo[]>([]);

  const issues = computed(() => info.value?.issues ?? []);
  const valid = computed(() => info.value?.definition !== undefined && issues.value.length === 0);
  /** What to call the run: the definition's own name, else the file's. */
  const displayName = computed(() => info.value?.definition?.name ?? info.value?.name);
  /** File label used in issue lines. */
  const fileLabel = computed(() => {
    const path = info.value?.path;
    return path ? baseName(path) : info.value?.name;
  });
  const issueLines = computed(() => issues.value.map((i) => formatIssue(i, fileLabel.value)));

  function set(next: DefinitionInfo | undefined): void {
    info.value = next;
  }

  function setExamples(next: ExampleInfo[]): void {
    examples.value = next;
  }

  return { info, examples, issues, valid, displayName, fileLabel, issueLines, set, setExamples };
});

export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
