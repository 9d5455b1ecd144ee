// The dashboard's columns, Cockpit-style: each column stacks panels. New dashboards (gradients,
// curvature) add a column here; the grid sizes itself from this list.
import type { Component } from 'vue';
import PerformancePanel from './components/PerformancePanel.vue';
import RunSummary from './components/RunSummary.vue';
import GradientNormPanel from './panels/GradientNormPanel.vue';
import OverlapPanel from './panels/OverlapPanel.vue';
import DampingPanel from './panels/DampingPanel.vue';
import SpectrumPanel from './panels/SpectrumPanel.vue';
import NoisePanel from './panels/NoisePanel.vue';
import InspectorPanel from './panels/InspectorPanel.vue';

export interface DashboardColumn {
  id: string;
  /** 'side' columns are narrow (summaries); 'main' columns share the remaining width. */
  width: 'side' | 'main';
  panels: Component[];
}

export const COLUMNS: DashboardColumn[] = [
  { id: 'run', width: 'side', panels: [RunSummary] },
  { id: 'performance', width: 'main', panels: [PerformancePanel, GradientNormPanel] },
  { id: 'gradients', width: 'main', panels: [OverlapPanel, NoisePanel, DampingPanel] },
  { id: 'curvature', width: 'main', panels: [SpectrumPanel, InspectorPanel] },
];

export function gridTemplate(columns: readonly DashboardColumn[]): string {
  return columns
    .map((c) => (c.width === 'side' ? 'minmax(260px, 320px)' : 'minmax(0, 1fr)'))
    .join(' ');
}
