/**
 * "The newest frame wins", written once for both threads: a slot that holds at most one value waiting to be
 * taken. A value put while another waits replaces it, and the replaced one goes to `drop` (which closes the
 * frame it holds and counts it). The main thread's `processLatest` and the worker's camera reader stand on it.
 */
export class NewestSlot<T> {
  #waiting: { value: T } | null = null;
  #wake: (() => void) | null = null;
  #closed = false;

  /** `drop` receives every value that leaves the slot untaken: replaced, put after `close()`, or held at it. */
  constructor(private readonly drop: (value: T, why: 'replaced' | 'closed') => void) {}

  /** Whether a value waits. */
  get full(): boolean {
    return this.#waiting !== null;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Puts `value` in; a value already waiting is dropped for it. After `close()`, `value` is dropped at once. */
  put(value: T): void {
    if (this.#closed) return this.drop(value, 'closed');
    if (this.#waiting) this.drop(this.#waiting.value, 'replaced');
    this.#waiting = { value };
    this.#wake?.();
  }

  /** The waiting value, taken out of the slot; null when none waits. */
  take(): T | null {
    const waiting = this.#waiting;
    this.#waiting = null;
    return waiting ? waiting.value : null;
  }

  /** The next value, once one waits; null once the slot is closed. One caller at a time. */
  async next(): Promise<T | null> {
    while (!this.#waiting && !this.#closed) await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#wake = null;
    return this.take();
  }

  /** Drops what waits; every later `put` is dropped at once, and `next()` answers null. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const waiting = this.take();
    if (waiting !== null) this.drop(waiting, 'closed');
    this.#wake?.();
  }
}
