/**
 * Watches the main thread the way a user feels it: long tasks (> 50 ms, from PerformanceObserver)
 * and the longest gap between animation frames (a dropped or late frame of the page's own drawing).
 */
import type { MainThreadReport } from './types';

export interface MainThreadMonitor {
  /** Stops watching and reports what was seen since `watchMainThread()`. */
  stop(): MainThreadReport;
}

/**
 * @example
 * const watch = watchMainThread();
 * await somethingBusy();
 * const { longTasks, maxFrameGapMs } = watch.stop();
 */
export function watchMainThread(): MainThreadMonitor {
  let longTasks = 0;
  let longTaskMs = 0;
  let observer: PerformanceObserver | null = null;
  if (PerformanceObserver.supportedEntryTypes?.includes('longtask')) {
    observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        longTasks += 1;
        longTaskMs += e.duration;
      }
    });
    observer.observe({ type: 'longtask' });
  }
  let maxGap = 0;
  let frames = 0;
  let last = -1;
  let handle = 0;
  const tick = (t: number) => {
    if (last >= 0) maxGap = Math.max(maxGap, t - last);
    last = t;
    frames += 1;
    handle = requestAnimationFrame(tick);
  };
  handle = requestAnimationFrame(tick);
  return {
    stop() {
      cancelAnimationFrame(handle);
      // Entries still buffered in the observer belong to the watched span too.
      if (observer) {
        for (const e of observer.takeRecords()) {
          longTasks += 1;
          longTaskMs += e.duration;
        }
        observer.disconnect();
      }
      return { longTasks, longTaskMs, maxFrameGapMs: maxGap, frames };
    },
  };
}
