/**
 * Hold-to-record: examples from a live source until `stop()`, at most `maxFps` a second. A recording of an
 * element stopped before its first frame came (a tap of Record, or a patch's start and stop handled back to
 * back behind a busy worker) still takes one: the picture showing at `stop()`.
 */
import { BehaviorSubject, Observable } from 'rxjs';
import { FRAME_SIZE, type FrameShape } from '../protocol/frame';
import type { Frame } from './sources/picture';
import { capture, hasPicture } from './sources/frames';
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
  /**
   * Stops recording; resolves with how many examples were added (including the one in flight at stop). An
   * element's recording that had taken no frame yet takes the picture showing now.
   */
  stop(): Promise<number>;
}

/**
 * Adds one example per frame with `add`; `onStopped` runs once the last one has landed.
 * @example const rec = startRecording(video, (f) => engine.addExample('cat', send(f.bitmap)), {}, report, done)
 */
export function startRecording(
  source: LiveSource,
  add: (frame: Frame) => Promise<unknown>,
  options: RecordOptions & { frame?: FrameShape },
  onError: (e: Error) => void,
  onStopped: () => Promise<void>,
): Recording {
  let added = 0;
  /** Whether a frame of the source came while recording (and so was, or is being, taken). */
  let taken = false;
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
    frame: () => (taken = true),
    maxFps: options.maxFps ?? PIPELINE_DEFAULTS.recordMaxFps,
    ...(options.frame ? { square: options.frame } : {}),
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
      if (!taken && !(source instanceof Observable) && hasPicture(source))
        await capture(source, options.frame?.size ?? FRAME_SIZE, options.frame?.fit).then(addOne, onError);
      await inFlight.catch(() => {});
      count$.complete();
      await onStopped();
      return added;
    })());
  return { count$: count$.asObservable(), stop };
}
