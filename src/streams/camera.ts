/**
 * The webcam as a playing <video>, with errors that say what to do when there is none.
 */

export interface CameraOptions {
  /** A camera from `listCameras()`; the browser's default when left out. */
  deviceId?: string;
  /** Requested capture size in pixels (the camera may pick the nearest it has). @default 640×480 */
  width?: number;
  height?: number;
  /** Show the stream in this element instead of a new, detached one. */
  video?: HTMLVideoElement;
}

/** Thrown when no camera can be opened; `message` offers the alternatives. */
export class CameraError extends Error {
  override name = 'CameraError';
  constructor(
    message: string,
    readonly reason: 'denied' | 'absent' | 'busy' | 'unsupported' | 'other',
  ) {
    super(message);
  }
}

const ALTERNATIVES =
  'You can still use a video file (openVideo) or any canvas, such as a p5.js sketch (frames(canvas)).';

export async function listCameras(): Promise<MediaDeviceInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
}

/** Opens a camera and resolves once its first frame can be read. Stop it with `closeCamera(video)`. */
export async function openCamera(options: CameraOptions = {}): Promise<HTMLVideoElement> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new CameraError(
      `This page cannot use a camera: it needs a secure context (https:// or http://localhost). ${ALTERNATIVES}`,
      'unsupported',
    );
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: {
        width: { ideal: options.width ?? 640 },
        height: { ideal: options.height ?? 480 },
        ...(options.deviceId ? { deviceId: { exact: options.deviceId } } : {}),
      },
    });
  } catch (e) {
    const name = (e as DOMException).name;
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      throw new CameraError(
        `Camera access was denied. Allow the camera for this site in the browser's settings and reload. ${ALTERNATIVES}`,
        'denied',
      );
    }
    if (name === 'NotFoundError' || name === 'OverconstrainedError') {
      throw new CameraError(
        `No camera was found${options.deviceId ? ` with id ${options.deviceId}` : ''}. Plug one in, or pick another from listCameras(). ${ALTERNATIVES}`,
        'absent',
      );
    }
    if (name === 'NotReadableError') {
      throw new CameraError(
        `The camera is in use by another program or tab. Close it there and try again. ${ALTERNATIVES}`,
        'busy',
      );
    }
    throw new CameraError(
      `The camera could not be opened (${name}: ${(e as Error).message}). ${ALTERNATIVES}`,
      'other',
    );
  }
  const video = options.video ?? document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  await video.play();
  return video;
}

/** Stops the camera's tracks (the light goes off) and detaches it from the element. */
export function closeCamera(video: HTMLVideoElement): void {
  const stream = video.srcObject;
  if (stream instanceof MediaStream) for (const track of stream.getTracks()) track.stop();
  video.srcObject = null;
}
