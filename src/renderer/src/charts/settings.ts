// Performance chart settings, remembered across reloads in localStorage.
import type { PerformanceSettings } from './performanceSeries';

const KEY = 'vivit-monitor.performance';

export const DEFAULT_SETTINGS: PerformanceSettings = {
  smoothing: 0.6,
  logStep: false,
  logLoss: false,
};

export function loadSettings(storage: Pick<Storage, 'getItem'> | undefined): PerformanceSettings {
  try {
    const raw: unknown = JSON.parse(storage?.getItem(KEY) ?? 'null');
    if (!raw || typeof raw !== 'object') return { ...DEFAULT_SETTINGS };
    const r = raw as Partial<Record<keyof PerformanceSettings, unknown>>;
    const smoothing =
      typeof r.smoothing === 'number' && r.smoothing >= 0 && r.smoothing < 1
        ? r.smoothing
        : DEFAULT_SETTINGS.smoothing;
    return {
      smoothing,
      logStep: r.logStep === true,
      logLoss: r.logLoss === true,
    };
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export function saveSettings(
  storage: Pick<Storage, 'setItem'> | undefined,
  s: PerformanceSettings,
): void {
  try {
    storage?.setItem(KEY, JSON.stringify(s));
  } catch {
    // Storage full or disabled: the settings just are not remembered.
  }
}
