// The current session (live or replayed from a log), driven only by host events: the same
// records reach these columns whether they come from a running worker or a saved file.
import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef } from 'vue';
import type { BodyRecord, HeaderRecord } from '../../../protocol/records';
import type { RunState } from '../../../protocol/worker';
import { plannedSteps as planOf } from '../../../protocol/plan';
import { appendRecords, emptyColumns, recentStepsPerSecond, type SessionColumns } from './columns';

export type SessionSource = 'live' | 'replay' | 'none';

export const useSessionStore = defineStore('session', () => {
  const header = shallowRef<HeaderRecord | undefined>();
  const source = ref<SessionSource>('none');
  const logPath = ref<string | undefined>();
  const state = ref<RunState>('idle');
  const stateMessage = ref<string | undefined>();
  const step = ref(0);
  /** Columns are not deeply reactive (they can hold millions of numbers); watch `revision`. */
  const columns = shallowRef<SessionColumns>(markRaw(emptyColumns()));
  /** Bumped whenever the columns grow. */
  const revision = ref(0);
  /** Bumped whenever the columns are replaced (new session, opened log, snapshot). */
  const sessionId = ref(0);

  function reset(next: HeaderRecord | undefined, nextSource: SessionSource, path?: string): void {
    header.value = next;
    source.value = next ? nextSource : 'none';
    logPath.value = path;
    step.value = 0;
    stateMessage.value = undefined;
    columns.value = markRaw(emptyColumns());
    sessionId.value += 1;
    revision.value += 1;
  }

  function append(records: readonly BodyRecord[]): void {
    if (records.length === 0) return;
    const last = appendRecords(columns.value, records);
    if (last > step.value) step.value = last;
    revision.value += 1;
  }

  function setState(next: RunState, atStep: number, message?: string): void {
    state.value = next;
    stateMessage.value = message;
    // A state report may lag behind records already shown; never move the counter back.
    if (atStep > step.value) step.value = atStep;
  }

  const backend = computed(() => header.value?.backend);
  const stepCount = computed(() => {
    void revision.value;
    return columns.value.steps.step.length;
  });
  const stepsPerSecond = computed(() => {
    void revision.value;
    return recentStepsPerSecond(columns.value.steps);
  });
  /** Planned number of steps as the worker recorded it (--steps included). */
  const plannedSteps = computed(() => (header.value ? planOf(header.value) : undefined));

  return {
    header,
    source,
    logPath,
    state,
    stateMessage,
    step,
    columns,
    revision,
    sessionId,
    backend,
    stepCount,
    stepsPerSecond,
    plannedSteps,
    reset,
    append,
    setState,
  };
});
