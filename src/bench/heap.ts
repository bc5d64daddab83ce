/**
 * Main-thread JS heap in MB (Chromium's `performance.memory`), or null where the browser does not tell.
 * Collects garbage first where the page may (`--js-flags=--expose-gc`), so the number is what is kept.
 */
export function heapMb(): number | null {
  (globalThis as { gc?: () => void }).gc?.();
  const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  return memory ? memory.usedJSHeapSize / 2 ** 20 : null;
}
