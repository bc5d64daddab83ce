// @ts-check
/**
 * Statistics of durations: the one definition that the live metrics (`metrics$`), the app's Benchmark
 * panel and `npm run bench` all use. Plain JavaScript with JSDoc types, so the Node runner imports it
 * without a build step.
 */

/**
 * Percentile by nearest rank; 0 for no values.
 * @param {readonly number[]} values
 * @param {number} p 0..100
 * @returns {number}
 * @example percentile([5, 1, 3, 2, 4], 50) // 3
 */
export function percentile(values, p) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return /** @type {number} */ (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
  );
}

/**
 * Arithmetic mean; 0 for no values.
 * @param {readonly number[]} values
 */
export function mean(values) {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

/**
 * @typedef {object} Summary
 * @property {number} n How many values.
 * @property {number} mean
 * @property {number} p50
 * @property {number} p95
 * @property {number} p99
 */

/**
 * Count, mean and nearest-rank percentiles of a list of durations.
 * @param {readonly number[]} values
 * @returns {Summary}
 * @example summarise([3, 1, 2]) // { n: 3, mean: 2, p50: 2, p95: 3, p99: 3 }
 */
export function summarise(values) {
  return {
    n: values.length,
    mean: mean(values),
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
  };
}
