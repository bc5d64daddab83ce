/**
 * Frames straight from a camera track (a MediaStreamTrackProcessor's readable, transferred to the worker):
 * read as they come, newest wins. While the engine is busy with one frame, newer ones keep arriving here;
 * each one replaced before it was taken is closed at once (a camera's frame pool stalls the track when its
 * frames are not closed) and counted. No main-thread work per frame.
 */
import type { Milliseconds } from '../../protocol/units';

export interface StreamedFrame {
  frame: VideoFrame;
  /** When it reached the worker (`performance.now()` here). */
  at: Milliseconds;
}

export class FrameStream {
  readonly #reader: ReadableStreamDefaultReader<VideoFrame>;
  #latest: StreamedFrame | null = null;
  #wake: (() => void) | null = null;
  #ended = false;
  #closed = false;
  /** Frames that arrived, and frames closed because a newer one came before they were taken. */
  received = 0;
  dropped = 0;

  constructor(readable: ReadableStream<VideoFrame>) {
    this.#reader = readable.getReader();
    void this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.#reader.read();
        if (done) break;
        if (this.#closed) {
          value.close(); // came in as the stream was being closed: nobody will take it
          break;
        }
        this.received += 1;
        if (this.#latest) {
          this.#latest.frame.close();
          this.dropped += 1;
        }
        this.#latest = { frame: value, at: performance.now() };
        this.#wake?.();
      }
    } catch {
      // the stream errored (the track ended badly): treat as its end
    }
    this.#ended = true;
    this.#wake?.();
  }

  /** The newest frame not taken yet, once there is one; null when the stream has ended. */
  async next(): Promise<StreamedFrame | null> {
    while (!this.#latest && !this.#ended) await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#wake = null;
    const taken = this.#latest;
    this.#latest = null;
    return taken;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Stops reading (the track behind it is the main thread's to stop) and closes what it holds. */
  close(): void {
    this.#closed = true;
    this.#ended = true;
    void this.#reader.cancel().catch(() => {});
    this.#latest?.frame.close();
    this.#latest = null;
    this.#wake?.();
  }
}
