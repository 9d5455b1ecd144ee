// The dashboard: the run summary beside the training chart, then the panel groups (ViViT's
// curvature panels and Cockpit's instruments), which the user can collapse and reorder
// (stores/layout.ts). A new panel goes into one group's list here.
import type { Component } from 'vue';
import type { GroupId } from './stores/layout';
import type { SessionColumns } from './stores/columns';
import GradientNormPanel from './panels/GradientNormPanel.vue';
import OverlapPanel from './panels/OverlapPanel.vue';
import DampingPanel from './panels/DampingPanel.vue';
import SpectrumPanel from './panels/SpectrumPanel.vue';
import NoisePanel from './panels/NoisePanel.vue';
import InspectorPanel from './panels/InspectorPanel.vue';
import SampleGradNormPanel from './panels/SampleGradNormPanel.vue';
import GsnrPanel from './panels/GsnrPanel.vue';
import BatchSizeTestsPanel from './panels/BatchSizeTestsPanel.vue';
import AlphaPanel from './panels/AlphaPanel.vue';
import DistancePanel from './panels/DistancePanel.vue';
import CabsPanel from './panels/CabsPanel.vue';
import GgnTracePanel from './panels/GgnTracePanel.vue';
import MaxEigenvaluePanel from './panels/MaxEigenvaluePanel.vue';
import TicPanel from './panels/TicPanel.vue';
import GradientHistogramPanel from './panels/GradientHistogramPanel.vue';
import LayerHistogramPanel from './panels/LayerHistogramPanel.vue';

export interface PanelGroup {
  id: GroupId;
  title: string;
  subtitle: string;
  panels: Component[];
  /** Records of the group in the session (0: nothing to show yet). */
  records: (columns: SessionColumns) => number;
}

export const GROUPS: Record<GroupId, PanelGroup> = {
  vivit: {
    id: 'vivit',
    title: 'ViViT',
    subtitle: 'GGN spectrum, directional gradients and curvatures, their noise',
    panels: [
      SpectrumPanel,
      OverlapPanel,
      NoisePanel,
      GradientNormPanel,
      DampingPanel,
      InspectorPanel,
    ],
    records: (c) => c.curvature.length + c.damping.length,
  },
  noise: {
    id: 'noise',
    title: 'Gradient noise',
    subtitle: 'per-sample gradients, GSNR, batch-size tests',
    panels: [SampleGradNormPanel, GsnrPanel, BatchSizeTestsPanel],
    records: (c) => c.noise.step.length,
  },
  step: {
    id: 'step',
    title: 'Step',
    subtitle: 'α, distance, update size, CABS',
    panels: [AlphaPanel, DistancePanel, CabsPanel],
    records: (c) => c.stepQuality.step.length + c.noise.step.length,
  },
  curvature: {
    id: 'curvature',
    title: 'Curvature',
    subtitle: 'GGN trace, largest eigenvalue, TIC',
    panels: [GgnTracePanel, MaxEigenvaluePanel, TicPanel],
    records: (c) => c.curvature.length + c.noise.step.length,
  },
  histograms: {
    id: 'histograms',
    title: 'Histograms',
    subtitle: 'gradient elements, parameters × gradients per layer',
    panels: [GradientHistogramPanel, LayerHistogramPanel],
    records: (c) => c.histogramsSeen,
  },
};
