/**
 * Hold-to-record as the studio's Record button and a patch's `/tw/record` both do it. Examples record as
 * `pipe.record` does; a gesture's template (head 'dtw') records at the live stream's own frame rate, with
 * predicting paused meanwhile and resumed after. A template is matched frame by frame against the live
 * stream, so it must have that stream's rate: recorded at `record`'s default 10 a second, or sharing the
 * worker with predictions, the same movement performed later would span two or three times as many frames
 * as its template, outside the speed band DTW allows.
 */
import type { Target } from '../protocol/engine-api';
import type { LiveSource, Pipeline, Recording } from '../streams/pipeline';

/** @example const rec = recordLive(pipe, 'wave', video); … await rec.stop(); */
export function recordLive(pipe: Pipeline, target: Target, source: LiveSource): Recording {
  if (pipe.settings.head !== 'dtw') return pipe.record(target, source);
  const resume = pipe.running;
  if (resume) pipe.stop();
  const recording = pipe.record(target, source, { maxFps: Infinity });
  return {
    count$: recording.count$,
    stop: () =>
      recording.stop().finally(() => {
        if (resume && !pipe.running) pipe.start(source);
      }),
  };
}
