/**
 * Statistics of durations: the one definition that the live metrics (`metrics$`), the app's Benchmark
 * panel and `npm run bench` all use (the Node runners load it through Vite: bench/setup.mjs `importTs`).
 */

/** Count, mean and nearest-rank percentiles of a list of values (durations, usually, in ms). */
export interface Summary {
  /** How many values. */
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

/**
 * Percentile by nearest rank; 0 for no values.
 * @param p 0..100
 * @example percentile([5, 1, 3, 2, 4], 50) // 3
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Arithmetic mean; 0 for no values. */
export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

/**
 * Count, mean and nearest-rank percentiles of a list of durations.
 * @example summarise([3, 1, 2]) // { n: 3, mean: 2, p50: 2, p95: 3, p99: 3 }
 */
export function summarise(values: readonly number[]): Summary {
  return {
    n: values.length,
    mean: mean(values),
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
  };
}
