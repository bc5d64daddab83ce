/**
 * Backpressure for real-time frames: one value in processing, at most one waiting, the newest wins.
 * A value pushed out of the waiting slot (or left there at unsubscribe) goes to `onDrop`, so
 * the caller can close the ImageBitmap it holds and count the drop.
 */
import { Observable, from, type ObservableInput, type OperatorFunction, type Subscription } from 'rxjs';

/**
 * Like `exhaustMap`, but keeps the latest value that arrived while busy and processes it next.
 * @example frames$.pipe(processLatest((f) => engine.predict(f), (f) => f.bitmap.close()))
 */
export function processLatest<T, R>(
  project: (value: T) => ObservableInput<R>,
  onDrop: (value: T) => void = () => {},
): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let busy: Subscription | null = null;
      let waiting: { value: T } | null = null;
      let sourceDone = false;

      const run = (value: T) => {
        let emitted = false;
        busy = from(project(value)).subscribe({
          next: (r) => {
            if (!emitted) subscriber.next(r);
            emitted = true;
          },
          error: (e) => subscriber.error(e),
          complete: () => {
            busy = null;
            const next = waiting;
            waiting = null;
            if (next) run(next.value);
            else if (sourceDone) subscriber.complete();
          },
        });
      };

      const upstream = source.subscribe({
        next: (value) => {
          if (!busy) return run(value);
          if (waiting) onDrop(waiting.value);
          waiting = { value };
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          sourceDone = true;
          if (!busy) subscriber.complete();
        },
      });

      return () => {
        upstream.unsubscribe();
        (busy as Subscription | null)?.unsubscribe();
        if (waiting) onDrop(waiting.value);
        waiting = null;
      };
    });
}
