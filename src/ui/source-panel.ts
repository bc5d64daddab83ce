/**
 * Where the pictures come from: a camera (pick which), or a video file when there is none. With no
 * camera (or no permission) it says so and switches to the file picker by itself; a show that starts itself
 * (`keepTrying`) instead says so and tries the camera again every few seconds, until one answers.
 */
import { CameraError, closeCamera, listCameras, openCamera, openVideo } from '../index';
import { byId } from './dom';
import type { Notices } from './notices';

export interface SourcePanel {
  /** Resolves once the camera has been tried (opened, or failed and the file picker shown). */
  readonly ready: Promise<void>;
  /** Whether the preview has a picture source (a camera stream or a file). */
  hasSource(): boolean;
}

/** How often a show that starts itself tries the camera again while there is none. */
export const CAMERA_RETRY_MS = 3000;

export function sourcePanel(video: HTMLVideoElement, notices: Notices, { keepTrying = false } = {}): SourcePanel {
  const kind = byId<HTMLSelectElement>('source-kind');
  const cameras = byId<HTMLSelectElement>('camera-device');
  const file = byId<HTMLInputElement>('video-file');
  const show = (which: 'camera' | 'file') => {
    kind.value = which;
    cameras.hidden = which !== 'camera';
    file.hidden = which !== 'file';
  };

  const useCamera = async (deviceId?: string) => {
    closeCamera(video);
    try {
      await openCamera({ video, ...(deviceId ? { deviceId } : {}) });
      notices.clear('CameraError');
      const found = await listCameras();
      cameras.replaceChildren(
        ...found.map((c, i) => new Option(c.label || `Camera ${i + 1}`, c.deviceId, false, c.deviceId === deviceId)),
      );
    } catch (e) {
      if (keepTrying && e instanceof CameraError && kind.value === 'camera') {
        // Nothing stops for a dialog at a show: it says so, and tries again until a camera answers.
        notices.show(
          new CameraError(`${e.message} Trying again every ${CAMERA_RETRY_MS / 1000} s.`, e.reason),
          'warning',
        );
        setTimeout(() => void (kind.value === 'camera' && !video.srcObject && useCamera(deviceId)), CAMERA_RETRY_MS);
        return;
      }
      notices.show(e);
      if (e instanceof CameraError) show('file');
    }
  };

  kind.addEventListener('change', () => {
    show(kind.value === 'file' ? 'file' : 'camera');
    if (kind.value === 'camera') void useCamera();
  });
  cameras.addEventListener('change', () => void useCamera(cameras.value));
  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    closeCamera(video);
    openVideo(chosen, { video }).then(
      () => notices.clear('CameraError'),
      (e: unknown) => notices.show(e),
    );
  });
  show('camera');
  return { ready: useCamera(), hasSource: () => Boolean(video.srcObject || video.src) };
}
