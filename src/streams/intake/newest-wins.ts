/**
 * Backpressure for real-time frames: one value in processing, at most one waiting, the newest wins (the
 * waiting slot is the NewestSlot both threads use). A value pushed out of the slot (or left there at
 * unsubscribe) goes to `onDrop`, so the caller can close the ImageBitmap it holds and count the drop.
 */
import { Observable, from, type ObservableInput, type OperatorFunction, type Subscription } from 'rxjs';
import { NewestSlot } from '../../protocol/newest-slot';

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
      // `busy` is set before subscribing: an inner that completes synchronously clears it again inside
      // subscribe(), and must not find itself marked busy afterwards.
      let busy = false;
      let inner: Subscription | null = null;
      let runs = 0;
      const slot = new NewestSlot<T>((value) => onDrop(value));
      let sourceDone = false;

      const run = (value: T) => {
        const id = ++runs;
        busy = true;
        let emitted = false;
        const subscription = from(project(value)).subscribe({
          next: (r) => {
            if (!emitted) subscriber.next(r);
            emitted = true;
          },
          error: (e) => subscriber.error(e),
          complete: () => {
            busy = false;
            inner = null;
            if (slot.full) run(slot.take()!);
            else if (sourceDone) subscriber.complete();
          },
        });
        // Still this run's work, not done synchronously, and not replaced by a later run: keep it to cancel.
        if (id === runs && busy) inner = subscription;
      };

      const upstream = source.subscribe({
        next: (value) => (busy ? slot.put(value) : run(value)),
        error: (e) => subscriber.error(e),
        complete: () => {
          sourceDone = true;
          if (!busy) subscriber.complete();
        },
      });

      return () => {
        upstream.unsubscribe();
        inner?.unsubscribe();
        slot.close();
      };
    });
}
