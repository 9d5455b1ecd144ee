// Number formatting for tooltips and read-outs.

/** Six significant digits, without trailing zeros; integers as they are. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

// One formatter, made once: `toLocaleString` builds a new one per call (~0.5 ms), and the step
// counter formats on every batch of records.
const COUNT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** Compact count: 1234 -> 1,234; 1.2e6 -> 1.2M. */
export function formatCount(value: number): string {
  if (value >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  return COUNT_FORMAT.format(value);
}
