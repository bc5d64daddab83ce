/**
 * Counts the VideoFrames a page sends to the engine's worker, independently of the library: an init script
 * (run before the library loads, `context.addInitScript(countTrackFrames)`) wraps MediaStreamTrackProcessor so
 * that each processor's `readable` is a stream of ours, pulled from the real one, counting every frame put in
 * it. That stream is what the library transfers to the worker, so "created" is every frame bound for the
 * worker, to hold against the worker's own `memory().videoFrames` (received, closed).
 *
 * Two things differ from the stream Chromium hands over by itself, and the wrapper takes care of both:
 * - Chromium moves a processor's own stream to the worker whole (its frames are then made there); a stream
 *   of ours crosses by a message port instead, and its frames cross as clones, so the page keeps a copy of
 *   each. The page's copy of a frame is closed once the next pull shows the frame went on its way (the
 *   transfer's pipe asks for the next frame only after posting the last), or when the stream ends or is
 *   cancelled. A copy left open would itself stall the camera and draw Chromium's GC warning.
 * - `holdFrames(n)` makes the next n frames wait in the page and go out only after the camera's stream has
 *   ended (the track stopped): frames that reach the worker late, after its reading was stopped.
 */

/** One processor made by the library: the frames put in its stream, and when it was made (page clock). */
export interface TrackStream {
  created: number;
  at: number;
  /** The stream ended (the track stopped) and every held frame went out. */
  ended: boolean;
  /** The worker's side cancelled it, or its port closed (the worker was terminated). */
  cancelled: boolean;
}

export interface TrackFrames {
  streams: TrackStream[];
  /** Frames still to hold back (see holdFrames). */
  hold: number;
  /** Page copies not closed yet: frames on their way, at most one per live stream. */
  pageCopies: number;
}

declare global {
  interface Window {
    trackFrames: TrackFrames;
  }
}

/** The init script (self-contained: it runs as the source text of this function). */
export function countTrackFrames(): void {
  type Processor = new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => {
    readable: ReadableStream<VideoFrame>;
  };
  const scope = globalThis as unknown as { MediaStreamTrackProcessor?: Processor };
  const Original = scope.MediaStreamTrackProcessor;
  const counts: TrackFrames = { streams: [], hold: 0, pageCopies: 0 };
  window.trackFrames = counts;
  if (!Original) return;
  class Counted {
    readonly readable: ReadableStream<VideoFrame>;
    constructor(init: { track: MediaStreamTrack; maxBufferSize?: number }) {
      const reader = new Original!(init).readable.getReader();
      const stream: TrackStream = { created: 0, at: performance.now(), ended: false, cancelled: false };
      counts.streams.push(stream);
      const held: VideoFrame[] = [];
      let sent: VideoFrame | null = null;
      const letGo = () => {
        if (sent) {
          sent.close();
          counts.pageCopies -= 1;
        }
        sent = null;
      };
      const send = (frame: VideoFrame, c: ReadableStreamDefaultController<VideoFrame>) => {
        stream.created += 1;
        counts.pageCopies += 1;
        sent = frame;
        c.enqueue(frame);
      };
      this.readable = new ReadableStream<VideoFrame>(
        {
          async pull(c) {
            letGo(); // asked again: the last frame has been posted to the worker
            for (;;) {
              const { value, done } = await reader.read();
              if (done) {
                const late = held.shift();
                if (late) return send(late, c);
                stream.ended = true;
                return c.close();
              }
              if (counts.hold > 0) {
                counts.hold -= 1;
                held.push(value);
                continue;
              }
              return send(value, c);
            }
          },
          cancel(reason) {
            stream.cancelled = true;
            letGo();
            for (const f of held.splice(0)) f.close();
            return reader.cancel(reason);
          },
        },
        { highWaterMark: 0 },
      );
    }
  }
  scope.MediaStreamTrackProcessor = Counted;
}
