/**
 * A live camera, read in the worker: the camera's track is cloned, a MediaStreamTrackProcessor made of
 * the clone, and its stream of VideoFrames transferred to the worker once. From then on the main thread
 * does nothing per frame: the worker reads frames as they come (newest wins, older ones closed at once, so
 * the camera's frame pool never runs dry) while it infers, and sends back each prediction with what it
 * received and dropped (src/worker/intake/camera-frames.ts). The clone is stopped whenever its stream is
 * let go: that ends the stream, and the worker closes every frame still on its way.
 */
import * as Comlink from 'comlink';
import { Observable } from 'rxjs';
import type { EngineApi, Prediction, StreamReport } from '../../protocol/engine-api';
import { reviveError, WorkerRestartedError } from '../../protocol/errors';
import type { MetricsRecorder } from '../metrics';

interface TrackProcessor {
  readable: ReadableStream<VideoFrame>;
}
type TrackProcessorConstructor = new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => TrackProcessor;

const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorConstructor }).MediaStreamTrackProcessor;

/** Frames the camera has sent `track` so far (`MediaStreamTrack.stats`, Chromium 121+); null where unknown. */
function framesOf(track: MediaStreamTrack | null): number | null {
  const stats = (track as { stats?: { totalFrames?: number } } | null)?.stats;
  return typeof stats?.totalFrames === 'number' ? stats.totalFrames : null;
}

/** Whether this browser can stream a camera's frames to the worker (Chromium: MediaStreamTrackProcessor). */
export const canStreamTracks = Processor !== undefined;

/**
 * Predictions of `track`'s frames, predicted in the worker as they come. Errors of a frame (say, before
 * training) go to `report`; a worker restart starts the stream again on the new worker. Completes when the
 * track ends. Unsubscribing stops the worker's reading and the clone.
 */
export function trackPredictions(
  engine: Comlink.Remote<EngineApi>,
  track: MediaStreamTrack,
  metrics: MetricsRecorder,
  report: (e: Error) => void,
): Observable<Prediction> {
  return new Observable<Prediction>((subscriber) => {
    let clone: MediaStreamTrack | null = null;
    let stopped = false;
    let counted = 0;
    const onReport = (r: StreamReport) => {
      const start = performance.now();
      // The camera's own count where the browser keeps one: a worker busy with a long synchronous step
      // (cpu, wasm) reads only the newest frame after it, and the processor closes the ones between unread.
      const total = framesOf(clone);
      const taken = r.prediction || r.error ? 1 : 0;
      const [came, skipped] =
        total === null ? [r.received, r.dropped] : [total - counted, Math.max(0, total - counted - taken)];
      if (total !== null) counted = total;
      for (let i = 0; i < came; i++) metrics.frame(start);
      for (let i = 0; i < skipped; i++) metrics.drop();
      // The worker's clock starts elsewhere: bring the frame's time into this page's.
      const t = r.prediction ? r.prediction.t + (r.timeOrigin - performance.timeOrigin) : 0;
      const prediction = r.prediction ? { ...r.prediction, t, latencyMs: start - t } : null;
      // Our own part only: what the subscribers then do with the prediction is theirs.
      metrics.mainThread(performance.now() - start);
      if (r.error) report(reviveError(r.error));
      else if (prediction) subscriber.next(prediction);
    };
    const run = async () => {
      while (!stopped) {
        clone?.stop();
        clone = track.clone();
        counted = framesOf(clone) ?? 0;
        // One frame waiting in the processor at most: the worker keeps the newest one itself.
        const { readable } = new Processor!({ track: clone, maxBufferSize: 1 });
        try {
          const end = await engine.stream(Comlink.transfer(readable, [readable]), Comlink.proxy(onReport));
          clone.stop(); // the stream's end: the worker closes what is still on its way
          if (end === 'ended' && !stopped) subscriber.complete(); // the camera is gone
          return;
        } catch (e) {
          if (e instanceof WorkerRestartedError) continue; // a new worker: give it a new stream
          clone.stop();
          return subscriber.error(e);
        }
      }
    };
    void run();
    return () => {
      stopped = true;
      void engine.stopStream().catch(() => {});
      clone?.stop();
    };
  });
}
