/**
 * A source that offers frames as fast as the pipeline accepts them: it fills the worker and the one
 * waiting slot, then makes one new frame per result. The worker is never idle and no frame is dropped,
 * so the prediction rate is the pipeline's limit, not the camera's.
 */
import { Observable } from 'rxjs';
import { FRAME_SIZE, type FrameShape } from '../protocol/frame';
import { toBitmap, type Frame, type ImageInput } from '../streams/sources/picture';
import type { Milliseconds } from '../protocol/units';

export interface OfferedFramesOptions {
  /** Frames offered before the first result: one in the worker, one waiting. @default 2 */
  depth?: number;
  /** Receives how long each bitmap took to make (centre crop + resize on the main thread). */
  onBitmap?: (ms: Milliseconds) => void;
  /** The square each frame becomes (`frameShapeFor` the features). @default FRAME_SIZE, `cover` */
  square?: FrameShape;
}

/**
 * @example
 * pipe.start(offeredFrames(video, merge(pipe.predictions$, pipe.errors$)));
 */
export function offeredFrames(
  image: ImageInput,
  pulls$: Observable<unknown>,
  options: OfferedFramesOptions = {},
): Observable<Frame> {
  const { depth = 2, onBitmap, square = { fit: 'cover', size: FRAME_SIZE } } = options;
  return new Observable<Frame>((subscriber) => {
    const offer = () => {
      const t = performance.now();
      toBitmap(image, square.size, square.fit).then(
        (bitmap) => {
          onBitmap?.(performance.now() - t);
          if (subscriber.closed) bitmap.close();
          else subscriber.next({ bitmap, t });
        },
        (e: unknown) => subscriber.error(e),
      );
    };
    const pulls = pulls$.subscribe(() => offer());
    for (let i = 0; i < depth; i++) offer();
    return () => pulls.unsubscribe();
  });
}
