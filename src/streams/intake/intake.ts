/**
 * How a live run's frames reach the worker, decided in one place. A camera <video>, where the browser can
 * (Chromium's MediaStreamTrackProcessor) and the run allows it (`workerCamera`), has its track's frames
 * streamed to the worker once (worker-camera.ts). Anything else — files, canvases, images, frames you make,
 * other browsers — is read on the page when the worker is free (page-frames.ts).
 *
 * A <video> is watched once for the whole run (sources/camera.ts `cameraTrackStatus`): its camera's state
 * goes to `report` once per change (ended, muted), nothing is read while it is muted or gone, and the run
 * follows the element to a new track (reopened, another camera) or to a source of another kind (a camera,
 * then a file, as the studio's source picker does).
 */
import type * as Comlink from 'comlink';
import { EMPTY, Observable, distinctUntilChanged, map, switchMap, tap } from 'rxjs';
import type { EngineApi, Prediction } from '../../protocol/engine-api';
import type { FrameShape } from '../../protocol/frame';
import type { MetricsRecorder } from '../metrics';
import { cameraTrackStatus, type CameraTrackStatus } from '../sources/camera';
import { pagePredictions, type LiveSource } from './page-frames';
import { canStreamTracks, trackPredictions } from './worker-camera';

export interface IntakeOptions {
  /** Read a camera's frames in the worker where the browser can. */
  workerCamera: boolean;
  /** The square the picture becomes for the model. */
  frame: FrameShape;
  metrics: MetricsRecorder;
  /** Errors of the run (a frame that failed, the camera gone): each told once, not at the frame rate. */
  report: (e: Error) => void;
}

/** Where a <video>'s frames are read now: its camera track in the worker, the element on the page, or nowhere. */
type Way = { ingest: 'worker'; track: MediaStreamTrack } | { ingest: 'page' } | { ingest: 'paused' };

function wayOf(status: CameraTrackStatus, workerCamera: boolean): Way {
  if (status.state === 'none') return { ingest: 'page' };
  if (!workerCamera || !canStreamTracks) return { ingest: 'page' }; // a muted camera's ticks stop by themselves
  return status.state === 'live' && status.track ? { ingest: 'worker', track: status.track } : { ingest: 'paused' };
}

const sameWay = (a: Way, b: Way) =>
  a.ingest === b.ingest && (a.ingest !== 'worker' || a.track === (b as typeof a).track);

/** Every prediction of a live run of `source`; see the module's comment for which way its frames go. */
export function livePredictions(
  engine: Comlink.Remote<EngineApi>,
  source: LiveSource,
  options: IntakeOptions,
): Observable<Prediction> {
  const { metrics, frame, workerCamera } = options;
  return new Observable<Prediction>((subscriber) => {
    // A repeated error (say, predicting before training) is told once, until a prediction comes through.
    let lastError = '';
    let cameraError = '';
    const report = (e: Error) => {
      if (e.message !== lastError) options.report(e);
      lastError = e.message;
    };
    const read = (way: Way): Observable<Prediction> => {
      if (way.ingest === 'paused') return EMPTY; // the camera is muted or gone: it will say when it is back
      metrics.ingestNow(way.ingest);
      return way.ingest === 'worker'
        ? trackPredictions(engine, way.track, metrics, report)
        : pagePredictions(engine, source, metrics, report, frame);
    };
    const predictions =
      source instanceof HTMLVideoElement
        ? cameraTrackStatus(source, { reopen: true }).pipe(
            // One status per change of the camera: an error it tells is told once, as it comes (a new track
            // in the same state is a change of way, not news).
            tap(({ error }) => {
              if (error && error.message !== cameraError) options.report(error);
              cameraError = error?.message ?? '';
            }),
            map((status) => wayOf(status, workerCamera)),
            distinctUntilChanged(sameWay),
            switchMap(read),
          )
        : read({ ingest: 'page' });
    return predictions.subscribe({
      next: (p) => {
        lastError = '';
        subscriber.next(p);
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => subscriber.complete(),
    });
  });
}
