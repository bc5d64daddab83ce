/**
 * A video file or URL as a looping, muted <video>: the no-camera way to teach and test.
 */

export interface VideoOptions {
  /** Loop the clip; it loops unless this is false. */
  loop?: boolean;
  /** Show it in this element instead of a new, detached one. */
  video?: HTMLVideoElement;
}

/**
 * The object URL each element plays a file from: it keeps the whole file in memory until revoked, so it is
 * revoked as soon as the element plays something else (another file, a URL, a camera).
 */
const fileUrls = new WeakMap<HTMLVideoElement, string>();

/** Lets go of the file `video` played from (see `fileUrls`); the element then shows nothing until given a source. */
export function releaseFile(video: HTMLVideoElement): void {
  const url = fileUrls.get(video);
  if (url === undefined) return;
  fileUrls.delete(video);
  if (video.getAttribute('src') === url) video.removeAttribute('src');
  URL.revokeObjectURL(url);
}

/** Resolves once the first frame can be read; rejects with the browser's reason otherwise. */
export async function openVideo(source: string | Blob, options: VideoOptions = {}): Promise<HTMLVideoElement> {
  const video = options.video ?? document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.loop = options.loop !== false;
  video.crossOrigin = 'anonymous';
  const previous = fileUrls.get(video);
  const url = typeof source === 'string' ? source : URL.createObjectURL(source);
  video.src = url;
  if (typeof source === 'string') fileUrls.delete(video);
  else fileUrls.set(video, url);
  if (previous !== undefined && previous !== url) URL.revokeObjectURL(previous);
  await new Promise<void>((resolve, reject) => {
    video.addEventListener('loadeddata', () => resolve(), { once: true });
    video.addEventListener(
      'error',
      () => {
        const err = video.error;
        reject(
          new Error(
            `The video could not be played (${err?.message || `code ${err?.code}`}). Use a format this browser plays, such as MP4 (H.264) or WebM.`,
          ),
        );
      },
      { once: true },
    );
  });
  await video.play();
  return video;
}

/**
 * Plays `video` again when the page comes back after the browser paused it: Chromium pauses media when it
 * freezes a hidden page (a background tab, a laptop going to sleep) and does not resume it, so a camera
 * preview would stay still, and a live run fed by it would stop for good. A pause made while the page is
 * visible (the user's own) is left alone. Returns the function that stops watching.
 */
export function keepPlaying(video: HTMLVideoElement): () => void {
  let pausedByBrowser = false;
  const onPause = () => {
    if (document.visibilityState === 'hidden') pausedByBrowser = true;
  };
  const onPlay = () => {
    pausedByBrowser = false;
  };
  const onBack = () => {
    if (!pausedByBrowser || document.visibilityState === 'hidden') return;
    pausedByBrowser = false;
    if (video.paused) video.play().catch(() => {}); // a source that is gone is the camera watcher's to tell
  };
  video.addEventListener('pause', onPause);
  video.addEventListener('play', onPlay);
  document.addEventListener('visibilitychange', onBack);
  document.addEventListener('resume', onBack);
  return () => {
    video.removeEventListener('pause', onPause);
    video.removeEventListener('play', onPlay);
    document.removeEventListener('visibilitychange', onBack);
    document.removeEventListener('resume', onBack);
  };
}
