// Number formatting for tooltips and read-outs.

/** Six significant digits, without trailing zeros; integers as they are. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** Accuracy in [0, 1] as a percentage with two decimals. */
export function formatPercent(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(2)}%` : '—';
}

// One formatter, made once: `toLocaleString` builds a new one per call (~0.5 ms), and the step
// counter formats on every batch of records.
const COUNT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** Compact count: 1234 -> 1,234; 1.2e6 -> 1.2M. */
export function formatCount(value: number): string {
  if (value >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  return COUNT_FORMAT.format(value);
}

/** Seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
