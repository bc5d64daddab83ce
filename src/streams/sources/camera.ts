/**
 * The webcam as a playing <video>, with errors that say what to do when there is none, and what happens
 * when it goes away in the middle of a run (unplugged, taken by another program, its permission withdrawn,
 * muted by the system) and comes back.
 */
import { Observable, distinctUntilChanged, map } from 'rxjs';
import { CameraError } from '../../protocol/errors';
import { keepPlaying, releaseFile } from './video';

export interface CameraOptions {
  /** A camera from `listCameras()`; the browser's default when left out. */
  deviceId?: string;
  /** Requested capture size in pixels (the camera may pick the nearest it has). Default: CAMERA_DEFAULTS. */
  width?: number;
  height?: number;
  /** Requested frames per second (a PS3 Eye gives 60 or 120); the camera's own default when left out. */
  frameRate?: number;
  /** Show the stream in this element instead of a new, detached one. */
  video?: HTMLVideoElement;
}

/** The capture size asked for when none is given: what webcams and the fake camera give without scaling. */
export const CAMERA_DEFAULTS = Object.freeze({ width: 640, height: 480 });

const ALTERNATIVES =
  'You can still use a video file (openVideo) or any canvas, such as a p5.js sketch (frames(canvas)).';

/** What each element's `openCamera` asked for, so that `reopenCamera` can ask again. */
const asked = new WeakMap<HTMLVideoElement, Omit<CameraOptions, 'video'>>();
/** The camera each element showed last: the one a reopen asks for first, and waits for. */
const shown = new WeakMap<HTMLVideoElement, string>();
/** A reopen in progress per element: a second call (the app's button, a device coming back) joins it. */
const reopening = new WeakMap<HTMLVideoElement, Promise<HTMLVideoElement>>();

export async function listCameras(): Promise<MediaDeviceInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
}

/**
 * getUserMedia for `options`, its failures as CameraErrors. Without a deviceId, `preferred` (the camera
 * the element had) is asked for first, and the browser's default taken if it is gone.
 */
async function request(options: Omit<CameraOptions, 'video'>, preferred?: string): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new CameraError(
      `This page cannot use a camera: it needs a secure context (https:// or http://localhost). ${ALTERNATIVES}`,
      'unsupported',
    );
  }
  const device = options.deviceId
    ? { deviceId: { exact: options.deviceId } }
    : preferred
      ? { deviceId: { ideal: preferred } }
      : {};
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: {
        width: { ideal: options.width ?? CAMERA_DEFAULTS.width },
        height: { ideal: options.height ?? CAMERA_DEFAULTS.height },
        ...(options.frameRate ? { frameRate: { ideal: options.frameRate } } : {}),
        ...device,
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
}

function stopTracks(video: HTMLVideoElement): void {
  const stream = video.srcObject;
  if (stream instanceof MediaStream) for (const track of stream.getTracks()) track.stop();
}

async function show(video: HTMLVideoElement, stream: MediaStream): Promise<HTMLVideoElement> {
  const deviceId = stream.getVideoTracks()[0]?.getSettings().deviceId;
  if (deviceId) shown.set(video, deviceId);
  releaseFile(video); // an element that played a file (openVideo) now shows the camera
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  await video.play();
  return video;
}

/** Opens a camera and resolves once its first frame can be read. Stop it with `closeCamera(video)`. */
export async function openCamera(options: CameraOptions = {}): Promise<HTMLVideoElement> {
  const { video: element, ...wanted } = options;
  const stream = await request(wanted);
  const video = element ?? document.createElement('video');
  asked.set(video, wanted);
  return show(video, stream);
}

/**
 * Opens the camera of `video` again, with what `openCamera` asked for, into the same element: after the
 * camera was unplugged, taken by another program or closed, a live `pipe.start(video)` (or a recording) goes
 * on by itself with the new pictures. Without a deviceId, the camera it had is preferred, and the browser's
 * default taken if that one is gone. Rejects with a CameraError as `openCamera` does.
 * @example
 * pipe.errors$.subscribe((e) => e instanceof CameraError && e.reason === 'ended' && showReopenButton());
 * button.onclick = () => reopenCamera(video).then(hideReopenButton, showError);
 */
export function reopenCamera(video: HTMLVideoElement): Promise<HTMLVideoElement> {
  const wanted = asked.get(video);
  if (!wanted) {
    return Promise.reject(
      new TypeError('This <video> was not opened by openCamera(): open it with openCamera({ video }) instead.'),
    );
  }
  let opening = reopening.get(video);
  if (!opening) {
    opening = (async () => {
      try {
        const stream = await request(wanted, shown.get(video));
        // Straight from the old stream to the new one: the element never shows "no camera" in between.
        stopTracks(video);
        return await show(video, stream);
      } finally {
        reopening.delete(video);
      }
    })();
    reopening.set(video, opening);
  }
  return opening;
}

/** Stops the camera's tracks (the light goes off) and detaches it from the element. */
export function closeCamera(video: HTMLVideoElement): void {
  stopTracks(video);
  video.srcObject = null;
}

/** The camera's video track in `video`, or null when it shows no camera (a file, a stream of another kind, nothing). */
export function cameraTrack(video: HTMLVideoElement): MediaStreamTrack | null {
  const stream = video.srcObject;
  return stream instanceof MediaStream ? (stream.getVideoTracks()[0] ?? null) : null;
}

/**
 * What the camera of `video` does now: `live` (pictures coming), `muted` (none for now: the system or another
 * program holds it back; they come back by themselves), `ended` (gone: it needs `reopenCamera`), or `none`
 * (the element shows no camera).
 */
export type CameraState = 'live' | 'muted' | 'ended' | 'none';

export function cameraState(video: HTMLVideoElement): CameraState {
  const track = cameraTrack(video);
  if (!track) return 'none';
  if (track.readyState === 'ended') return 'ended';
  return track.muted ? 'muted' : 'live';
}

/** A change of the camera's state, with the error that explains it (null while it is live or absent). */
export interface CameraStatus {
  state: CameraState;
  error: CameraError | null;
}

export interface WatchCameraOptions {
  /**
   * When the camera has ended, reopen it (`reopenCamera`) as soon as it is listed again (a `devicechange`
   * that lists it: plugged back in). Only for an element opened by `openCamera`. Off unless given.
   */
  reopen?: boolean;
}

const ended = (reopen: boolean) =>
  new CameraError(
    'The camera stopped: it was unplugged, taken by another program, or its permission was withdrawn. ' +
      'Predictions are paused. Plug it back in or close the other program' +
      (reopen ? ' (a camera plugged back in reopens by itself)' : '') +
      ', then reopen it with reopenCamera(video) ("Reopen camera" in the app). ' +
      'If it was the permission, allow the camera for this site in the browser’s settings first.',
    'ended',
  );

const muted = () =>
  new CameraError(
    'The camera stopped sending pictures (muted by the system, or another program holds it). Predictions are ' +
      'paused and resume by themselves when pictures come back. If they do not, check the camera’s privacy ' +
      'switch or shutter, or close the program using it.',
    'muted',
  );

/** A camera status with the track it is about: a new track (reopened, another camera) is a change too. */
export interface CameraTrackStatus extends CameraStatus {
  track: MediaStreamTrack | null;
}

/**
 * The camera state of `video` now, then each change: one status per change, never one per frame. Follows
 * the element to a new stream (reopened, or opened again by `openCamera({ video })`), and plays it again if
 * the browser paused it while the page was frozen. With `reopen`, an ended camera is reopened when it is
 * plugged back in; a reopen that fails is told as the status's error, once.
 * @example
 * watchCamera(video).subscribe(({ state, error }) => (banner.textContent = error?.message ?? ''));
 */
export function watchCamera(video: HTMLVideoElement, options: WatchCameraOptions = {}): Observable<CameraStatus> {
  return cameraTrackStatus(video, options).pipe(
    map(({ state, error }) => ({ state, error })),
    distinctUntilChanged((a, b) => a.state === b.state && a.error?.message === b.error?.message),
  );
}

/** As `watchCamera`, and a status each time the element's camera track changes, with the track. */
export function cameraTrackStatus(
  video: HTMLVideoElement,
  options: WatchCameraOptions = {},
): Observable<CameraTrackStatus> {
  return new Observable<CameraTrackStatus>((subscriber) => {
    let track: MediaStreamTrack | null = null;
    let told: { state: CameraState; message: string; track: MediaStreamTrack | null } | null = null;
    const tell = (state: CameraState, error: CameraError | null) => {
      const message = error?.message ?? '';
      if (told && told.state === state && told.message === message && told.track === track) return;
      told = { state, message, track };
      subscriber.next({ state, error, track });
    };

    const media = navigator.mediaDevices;
    let waiting = false;
    const waitForDevice = (on: boolean) => {
      const can = on && options.reopen === true && asked.has(video) && media !== undefined;
      if (can === waiting) return;
      waiting = can;
      if (can) media.addEventListener('devicechange', onDeviceChange);
      else media?.removeEventListener('devicechange', onDeviceChange);
    };
    const update = () => {
      const state = cameraState(video);
      tell(state, state === 'ended' ? ended(options.reopen === true) : state === 'muted' ? muted() : null);
      waitForDevice(state === 'ended');
    };
    const onDeviceChange = () => {
      const wanted = asked.get(video)?.deviceId ?? shown.get(video);
      void listCameras()
        .then(async (cameras) => {
          if (!cameras.some((c) => wanted === undefined || c.deviceId === wanted)) return;
          if (subscriber.closed || cameraState(video) !== 'ended') return;
          await reopenCamera(video);
          follow(); // at once, rather than at the element's 'loadstart'
        })
        .catch((e: unknown) => {
          if (!subscriber.closed && e instanceof CameraError && cameraState(video) === 'ended') tell('ended', e);
        });
    };
    const follow = () => {
      const now = cameraTrack(video);
      if (now !== track) {
        for (const type of ['ended', 'mute', 'unmute']) {
          track?.removeEventListener(type, update);
          now?.addEventListener(type, update);
        }
        track = now;
      }
      update();
    };

    // A new srcObject (or none) starts the element's load: 'emptied' for the old one, 'loadstart' for the new.
    video.addEventListener('loadstart', follow);
    video.addEventListener('emptied', follow);
    const stopPlaying = keepPlaying(video);
    follow();
    return () => {
      video.removeEventListener('loadstart', follow);
      video.removeEventListener('emptied', follow);
      for (const type of ['ended', 'mute', 'unmute']) track?.removeEventListener(type, update);
      waitForDevice(false);
      stopPlaying();
    };
  });
}
