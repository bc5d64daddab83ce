/**
 * What a frame is on both threads: the model's square input, how a picture of another shape becomes one, and
 * the forms a frame takes on its way to the engine.
 */
import { isKeypoints, seesHands, type AlsoKind, type FeatureKind } from './engine-options';

/** The side of the square the feature models take in (MobileNet's input), and of every frame sent to them. */
export const FRAME_SIZE = 224;

/**
 * How a picture becomes a square: `cover` keeps the centre square (MobileNet: the object is in the middle),
 * `contain` keeps the whole picture with black bars (pose: a raised hand at the edge of the frame still counts),
 * `teachable-machine` keeps the centre square as `@teachablemachine/image` draws it (teachableMachinePlacement).
 */
export type Fit = 'cover' | 'contain' | 'teachable-machine';

/** The square a frame becomes on its way to the worker: how the picture fits it, and its side. */
export interface FrameShape {
  fit: Fit;
  size: number;
}

/**
 * The square each kind of features is sent. Fit: MobileNet the centre square, keypoints (pose, people, hands)
 * the whole picture. Size: FRAME_SIZE, except MultiPose's own 256 for several people, and 448 for hands, so
 * that a hand away from the camera keeps the detail its 224² landmark crop needs. Hands seen beside other
 * features (`also`) make it the hands' square: the other model resizes it to its own.
 */
export function frameShapeFor(features: FeatureKind, also: readonly AlsoKind[] = []): FrameShape {
  const hands = seesHands({ features, also });
  const size = hands ? 448 : features === 'people' ? 256 : FRAME_SIZE;
  return { fit: isKeypoints(features) || hands ? 'contain' : 'cover', size };
}

/** Where a `width`×`height` picture's part goes in a `size` square: source rectangle, then destination. */
export interface Placement {
  sx: number;
  sy: number;
  sw: number;
  sh: number;
  dx: number;
  dy: number;
  dw: number;
  dh: number;
}

/** The one rule for squaring a picture, as both threads draw it (`drawImage(picture, sx, sy, sw, sh, dx, dy, dw, dh)`). */
export function placement(width: number, height: number, size: number, fit: Fit): Placement {
  if (fit === 'teachable-machine') return teachableMachinePlacement(width, height, size);
  if (fit === 'cover') {
    const side = Math.min(width, height);
    return { sx: (width - side) / 2, sy: (height - side) / 2, sw: side, sh: side, dx: 0, dy: 0, dw: size, dh: size };
  }
  const scale = size / Math.max(width, height);
  const [dw, dh] = [width * scale, height * scale];
  return { sx: 0, sy: 0, sw: width, sh: height, dx: (size - dw) / 2, dy: (size - dh) / 2, dw, dh };
}

/**
 * Where a `width`×`height` picture goes in a `size` square as `@teachablemachine/image` 0.8 crops it (its
 * `cropTo`): the whole picture scaled so its shorter side is `size` (rounded up), shifted to centre (rounded
 * towards zero). A Teachable Machine model, tiny ones above all, answers measurably differently to another
 * resampling of the same centre square (0.57 against 0.38 on a photo), so its frames are drawn this way.
 */
export function teachableMachinePlacement(width: number, height: number, size: number): Placement {
  const scale = size / Math.min(width, height);
  const [dw, dh] = [Math.ceil(width * scale), Math.ceil(height * scale)];
  return {
    sx: 0,
    sy: 0,
    sw: width,
    sh: height,
    dx: -Math.trunc((dw - size) / 2),
    dy: -Math.trunc((dh - size) / 2),
    dw,
    dh,
  };
}

/** Pixels in plain form (what `ImageData` is, and what Node tests can build without a DOM). */
export interface PixelData {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, row-major. */
  data: Uint8Array | Uint8ClampedArray;
}

/** What the engine accepts as a frame: a transferred bitmap or video frame (the fast paths) or plain pixels. */
export type EngineImage = ImageBitmap | VideoFrame | PixelData;
