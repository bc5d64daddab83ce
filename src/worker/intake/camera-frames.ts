/**
 * A camera's frames, read in the worker: the main thread transfers a MediaStreamTrackProcessor's readable
 * once, and from then on frames arrive here as they come, with no main-thread work per frame. The newest
 * frame wins (NewestSlot): while the engine is busy with one frame, a newer one replaces the one waiting,
 * which is closed at once (a camera's frame pool stalls the track when its frames are not closed).
 *
 * Every frame read is closed exactly once: predicted (the engine closes what it predicts), replaced, or
 * arriving after `close()`. Closing does not cancel the stream: cancelling throws away the frames still
 * queued in it without closing them. The reader reads on, closing each frame, until the stream ends — which
 * it does when the main thread stops the track it made the processor from.
 */
import type { Prediction, StreamReport } from '../../protocol/engine-api';
import { serializeError, type SerializedError } from '../../protocol/errors';
import { NewestSlot } from '../../protocol/newest-slot';
import type { Milliseconds } from '../../protocol/units';
import { closeFrame, receivedFrame } from './video-frames';

export interface StreamedFrame {
  frame: VideoFrame;
  /** When it reached the worker (`performance.now()` here). */
  at: Milliseconds;
}

export class CameraFrames {
  readonly #slot = new NewestSlot<StreamedFrame>((f, why) => {
    closeFrame(f.frame);
    if (why === 'replaced') this.dropped += 1;
  });
  /** Frames that arrived, and frames closed because a newer one came before they were taken. */
  received = 0;
  dropped = 0;
  /** Resolves once the stream has ended and every frame read from it is closed. */
  readonly drained: Promise<void>;

  constructor(readable: ReadableStream<VideoFrame>) {
    this.drained = this.#read(readable.getReader());
  }

  async #read(reader: ReadableStreamDefaultReader<VideoFrame>): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        receivedFrame();
        this.received += 1;
        this.#slot.put({ frame: value, at: performance.now() }); // closed at once after close()
      }
    } catch {
      // the stream errored (the track ended badly): its end
    }
    this.#slot.close();
  }

  /** The newest frame not taken yet, once there is one; null once closed or ended. Its taker closes it. */
  next(): Promise<StreamedFrame | null> {
    return this.#slot.next();
  }

  /** No frame is given out from now on; the ones still arriving are closed as they come. */
  close(): void {
    this.#slot.close();
  }

  /**
   * Predicts each newest frame with `predict` (which closes it) until closed or ended, reporting each
   * prediction or error with the frames received and dropped since the last report.
   */
  async predictEach(
    predict: (frame: VideoFrame, at: Milliseconds) => Promise<Prediction>,
    onReport: (r: StreamReport) => void,
  ): Promise<void> {
    let [received, dropped] = [0, 0];
    for (;;) {
      const next = await this.next();
      if (!next) return;
      const frameAgeMs = performance.now() - next.at;
      let prediction: Prediction | null = null;
      let error: SerializedError | null = null;
      try {
        prediction = await predict(next.frame, next.at);
      } catch (e) {
        error = serializeError(e);
      }
      const report = { received: this.received - received, dropped: this.dropped - dropped };
      [received, dropped] = [this.received, this.dropped];
      onReport({ prediction, error, ...report, frameAgeMs, timeOrigin: performance.timeOrigin });
    }
  }
}
