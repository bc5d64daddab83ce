// @ts-check
/** Percentiles and summaries for the runner (the page uses src/ui/benchmark/summary.ts). */

/**
 * Nearest-rank percentile, as src/streams/metrics.ts computes it; 0 for no values.
 * @param {readonly number[]} values @param {number} p
 */
export function percentile(values, p) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** @param {readonly number[]} values */
export function latencySummary(values) {
  return { p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), n: values.length };
}
