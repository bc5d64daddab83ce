/**
 * A video file or URL as a looping, muted <video>: the no-camera way to teach and test.
 */

export interface VideoOptions {
  /** Loop the clip. @default true */
  loop?: boolean;
  /** Show it in this element instead of a new, detached one. */
  video?: HTMLVideoElement;
}

/** Resolves once the first frame can be read; rejects with the browser's reason otherwise. */
export async function openVideo(source: string | Blob, options: VideoOptions = {}): Promise<HTMLVideoElement> {
  const video = options.video ?? document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.loop = options.loop ?? true;
  video.crossOrigin = 'anonymous';
  video.src = typeof source === 'string' ? source : URL.createObjectURL(source);
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
