/**
 * Hold-to-record: examples from a live source until `stop()`, at most `maxFps` a second.
 */
import { BehaviorSubject, type Observable } from 'rxjs';
import type { Fit } from '../protocol/frame';
import type { Frame } from './sources/picture';
import { PIPELINE_DEFAULTS } from './pipeline-defaults';
import { newestFrames, type LiveSource } from './intake/page-frames';

export interface RecordOptions {
  /** Examples per second at most. Default: PIPELINE_DEFAULTS.recordMaxFps. */
  maxFps?: number;
}

/** A hold-to-record session: examples keep coming until `stop()`. */
export interface Recording {
  /** Examples added so far. */
  readonly count$: Observable<number>;
  /** Stops recording; resolves with how many examples were added (including the one in flight at stop). */
  stop(): Promise<number>;
}

/**
 * Adds one example per frame with `add`; `onStopped` runs once the last one has landed.
 * @example const rec = startRecording(video, (f) => engine.addExample('cat', send(f.bitmap)), {}, report, done)
 */
export function startRecording(
  source: LiveSource,
  add: (frame: Frame) => Promise<unknown>,
  options: RecordOptions & { fit?: Fit },
  onError: (e: Error) => void,
  onStopped: () => Promise<void>,
): Recording {
  let added = 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  const count$ = new BehaviorSubject(0);
  // A frame that cannot be an example (nobody in view, say) is told once and skipped: the hold goes on.
  let lastError = '';
  const skip = (e: Error) => {
    if (e.message !== lastError) onError(e);
    lastError = e.message;
  };
  // Counted on arrival, not on emission: an example in flight at stop() still lands in the worker.
  const addOne = (frame: Frame) =>
    (inFlight = add(frame).then(() => {
      lastError = '';
      count$.next(++added);
    }, skip));
  const subscription = newestFrames(source, addOne, {
    maxFps: options.maxFps ?? PIPELINE_DEFAULTS.recordMaxFps,
    ...(options.fit ? { fit: options.fit } : {}),
  }).subscribe({
    error: (e: Error) => {
      onError(e);
      void stop();
    },
  });
  let stopped: Promise<number> | null = null;
  const stop = () =>
    (stopped ??= (async () => {
      subscription.unsubscribe();
      await inFlight.catch(() => {});
      count$.complete();
      await onStopped();
      return added;
    })());
  return { count$: count$.asObservable(), stop };
}
