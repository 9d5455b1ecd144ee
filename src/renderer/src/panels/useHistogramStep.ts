// Which of the kept histogram records a histogram panel shows: the latest by default, or one
// chosen on a slider by its step (kept while newer records arrive, until it drops out of the
// bounded window in stores/columns.ts; then the latest again).
import { computed, ref, watch } from 'vue';
import type { HistogramRecord } from '../../../protocol/records';
import { useSessionStore } from '../stores/session';

export function useHistogramStep() {
  const session = useSessionStore();
  /** The chosen record's step; undefined follows the latest. */
  const chosenStep = ref<number | undefined>();
  watch(
    () => session.sessionId,
    () => (chosenStep.value = undefined),
  );
  // The kept list is one array changed in place: read the revision to see it change.
  const list = (): HistogramRecord[] => {
    void session.revision;
    return session.columns.histograms;
  };
  const count = computed(() => list().length);
  const index = computed(() => {
    const records = list();
    const step = chosenStep.value;
    const i = step === undefined ? -1 : records.findIndex((r) => r.step === step);
    return i < 0 ? records.length - 1 : i;
  });
  const record = computed<HistogramRecord | undefined>(() => list()[index.value]);
  const following = computed(() => index.value === count.value - 1);
  function onSlide(event: Event): void {
    const i = Number((event.target as HTMLInputElement).value);
    const records = list();
    chosenStep.value = i >= records.length - 1 ? undefined : records[i]?.step;
  }
  return { count, index, record, following, onSlide };
}
