// What each curvature-era panel needs from the session, and the empty state it shows when that
// is missing: the message names what to add to the run definition, or what to wait for.
import { computed } from 'vue';
import type { MonitorQuantity, RunDefinition } from '../../../protocol/definition';
import type { CurvatureGroup, CurvatureRecord } from '../../../protocol/records';
import { useDefinitionStore } from '../stores/definition';
import { useSessionStore } from '../stores/session';

export interface PanelNeeds {
  record: 'curvature' | 'damping';
  /** CurvatureGroup fields read by the panel (checked on the latest record). */
  fields?: (keyof CurvatureGroup)[];
  /** The curvature.quantities entry that makes the worker record those fields. */
  quantity?: MonitorQuantity;
}

export interface EmptyState {
  title: string;
  hint?: string;
}

/** Whether the latest curvature record holds the fields (non-empty arrays somewhere). */
export function recordHas(
  record: CurvatureRecord | undefined,
  fields: readonly (keyof CurvatureGroup)[],
): boolean {
  if (!record) return false;
  return fields.every((field) =>
    record.groups.some((g) => {
      const v = g[field];
      return Array.isArray(v) || v instanceof Float64Array ? v.length > 0 : v !== undefined;
    }),
  );
}

export function emptyState(
  needs: PanelNeeds,
  context: {
    definition: RunDefinition | undefined;
    hasRecords: boolean;
    live: boolean;
    replay: boolean;
  },
): EmptyState | undefined {
  const { definition, live, replay } = context;
  if (needs.record === 'damping') {
    if (context.hasRecords) return undefined;
    if (definition && definition.optimizer.type !== 'damped_newton') {
      return {
        title: 'No damping records — the optimizer is not damped Newton',
        hint: 'Set `optimizer.type: damped_newton` in the run definition to see δ_k and step lengths.',
      };
    }
    if (live) return { title: 'Waiting for the first damped Newton step…' };
    return {
      title: 'No damping records',
      hint: 'They appear when the damped Newton optimizer runs.',
    };
  }
  if (context.hasRecords) {
    if (!needs.quantity) return undefined;
    return {
      title: `This run does not record \`${needs.quantity}\``,
      hint: `Add \`${needs.quantity}\` to \`curvature.quantities\` in the run definition.`,
    };
  }
  if (definition && !definition.curvature) {
    return {
      title: 'No curvature records yet — add a `curvature` section to the run definition',
      hint: 'It says which quantities to compute, on which schedule and batch.',
    };
  }
  if (live)
    return { title: 'Waiting for the first curvature step…', hint: scheduleHint(definition) };
  if (replay) return { title: 'This log has no curvature records' };
  return {
    title: 'No curvature records yet',
    hint: 'Press Start: curvature is measured on the schedule of the run definition.',
  };
}

function scheduleHint(definition: RunDefinition | undefined): string | undefined {
  const s = definition?.curvature?.schedule;
  if (!s) return undefined;
  return 'every' in s
    ? `Curvature is measured every ${s.every} steps.`
    : `Curvature is measured on ${s.log.points} log-spaced steps up to ${s.log.end}.`;
}

/** The empty state of a panel, reactive to the session; undefined when the panel has data. */
export function usePanelEmptyState(needs: PanelNeeds) {
  const session = useSessionStore();
  const definitionStore = useDefinitionStore();
  return computed(() => {
    void session.revision;
    const { curvature, damping } = session.columns;
    const latest = curvature[curvature.length - 1];
    const hasRecords = needs.record === 'damping' ? damping.length > 0 : curvature.length > 0;
    const complete =
      needs.record === 'damping' ? hasRecords : hasRecords && recordHas(latest, needs.fields ?? []);
    if (complete) return undefined;
    return emptyState(needs, {
      definition: session.header?.definition ?? definitionStore.info?.definition,
      hasRecords,
      live:
        session.source === 'live' && (session.state === 'running' || session.state === 'paused'),
      replay: session.source === 'replay',
    });
  });
}

/** The run-definition sections of Cockpit's instruments. */
export type InstrumentSection = 'noise' | 'step' | 'histograms';

const SECTIONS: Record<InstrumentSection, { records: string; measures: string }> = {
  noise: {
    records: 'noise records',
    measures: 'per-sample gradient norms, GSNR, the batch-size tests, CABS and TIC',
  },
  step: {
    records: 'step-quality records',
    measures: 'α, the update size and the distance from initialization',
  },
  histograms: {
    records: 'histogram records',
    measures: 'the gradient-element histogram and the per-layer 2-D histograms',
  },
};

/** The empty state of an instrument panel without data: which section turns it on, or what
 *  to wait for. */
export function instrumentEmptyState(
  section: InstrumentSection,
  context: { definition: RunDefinition | undefined; live: boolean; replay: boolean },
): EmptyState {
  const { records, measures } = SECTIONS[section];
  const key = `instruments.${section}`;
  const { definition } = context;
  if (definition && !definition.instruments?.[section]) {
    return {
      title: `No ${records} — add \`${key}\` to the run definition`,
      hint: `\`${key}\` measures ${measures} on a schedule of its own.`,
    };
  }
  if (context.live) {
    const s = definition?.instruments?.[section]?.schedule;
    const when = !s
      ? undefined
      : 'every' in s
        ? `Measured every ${s.every} steps (\`${key}\`).`
        : `Measured on ${s.log.points} log-spaced steps up to ${s.log.end} (\`${key}\`).`;
    return { title: `Waiting for the first ${records.replace(/s$/, '')}…`, hint: when };
  }
  if (context.replay) {
    return {
      title: `This log has no ${records}`,
      hint: `They are recorded when the run definition has \`${key}\`.`,
    };
  }
  return {
    title: `No ${records} yet`,
    hint: `Press Start: \`${key}\` in the run definition turns them on.`,
  };
}

/** Reactive context of the empty states: the definition and where the session comes from. */
export function useEmptyContext() {
  const session = useSessionStore();
  const definitionStore = useDefinitionStore();
  return computed(() => ({
    definition: session.header?.definition ?? definitionStore.info?.definition,
    live: session.source === 'live' && (session.state === 'running' || session.state === 'paused'),
    replay: session.source === 'replay',
  }));
}

/**
 * An instrument panel's empty state, reactive to the session: undefined while `has` finds data,
 * else `special` (e.g. records present but lacking the panel's field) or the section's state.
 */
export function useInstrumentEmptyState(
  section: InstrumentSection,
  has: () => boolean,
  special?: () => EmptyState | undefined,
) {
  const session = useSessionStore();
  const context = useEmptyContext();
  return computed(() => {
    void session.revision;
    if (has()) return undefined;
    return special?.() ?? instrumentEmptyState(section, context.value);
  });
}
