// Shared wiring of the curvature-era panels: the palette, a redraw trigger combining the session
// revision with the panel's own settings, and the pick → inspect path.
import { computed, inject, type Ref } from 'vue';
import { readPalette, type ChartPalette } from '../charts/palette';
import { ACTIONS_KEY } from '../actions';
import { useSessionStore } from '../stores/session';
import { useUiStore } from '../stores/ui';
import type { SessionColumns } from '../stores/columns';

/** Record kinds whose arrival redraws a panel (by how many the session holds). */
export type RecordKind =
  'curvature' | 'damping' | 'inspections' | 'noise' | 'stepQuality' | 'histograms';

const CURVATURE_ERA: readonly RecordKind[] = ['curvature', 'damping', 'inspections'];

function recordCount(columns: SessionColumns, kind: RecordKind): number {
  switch (kind) {
    case 'noise':
      return columns.noise.step.length;
    case 'stepQuality':
      return columns.stepQuality.step.length;
    case 'histograms':
      return columns.histogramsSeen;
    default:
      return columns[kind].length;
  }
}

export function usePanel(
  settings: Ref<unknown> | (() => unknown) = () => 0,
  kinds: readonly RecordKind[] = CURVATURE_ERA,
) {
  const session = useSessionStore();
  const read = typeof settings === 'function' ? settings : () => settings.value;
  /**
   * Changes whenever the panel must redraw: records of its kinds arrived, the session was
   * replaced, or a setting changed — not on every step record (those arrive many per second).
   */
  const trigger = computed(() => {
    void session.revision;
    const columns = session.columns;
    return [
      session.sessionId,
      ...kinds.map((kind) => recordCount(columns, kind)),
      session.state,
      JSON.stringify(read()),
    ].join('|');
  });
  let palette: ChartPalette | undefined;
  const colors = (): ChartPalette => (palette ??= readPalette());
  return { session, trigger, colors };
}

/**
 * A click on a chart point that carries [x, y, k, group] asks the host to inspect direction k
 * of that group — only while paused, since the worker computes it for the current parameters.
 */
export function useInspectPick() {
  const session = useSessionStore();
  const ui = useUiStore();
  const actions = inject(ACTIONS_KEY, undefined);
  return (value: unknown): void => {
    if (!Array.isArray(value) || typeof value[2] !== 'number') return;
    const direction = value[2];
    const group = typeof value[3] === 'number' ? value[3] : 0;
    requestInspect(group, direction);
  };

  function requestInspect(group: number, direction: number): void {
    if (session.state !== 'paused') {
      ui.notify('info', 'Pause the run to inspect a direction.');
      return;
    }
    actions?.inspect(group, direction);
  }
}
