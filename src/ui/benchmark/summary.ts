/** Means and nearest-rank percentiles of a list of durations. */
import { percentile } from '../../streams/metrics';
import type { Summary } from './types';

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

/** @example summarise([3, 1, 2]) // { mean: 2, p50: 2, p95: 3, p99: 3 } */
export function summarise(values: readonly number[]): Summary {
  return { mean: mean(values), p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99) };
}

/**
 * Main-thread JS heap in MB (Chromium's `performance.memory`), or null where the browser does not tell.
 * Collects garbage first where the page may (`--js-flags=--expose-gc`), so the number is what is kept.
 */
export function heapMb(): number | null {
  (globalThis as { gc?: () => void }).gc?.();
  const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  return memory ? memory.usedJSHeapSize / 2 ** 20 : null;
}
