/**
 * A camera that shows a person, for the pose runs (the fake camera's clip has none): the footballer photo
 * (../shared/fixtures/people) drawn on a 640×480 canvas, swaying and drifting so no two frames are alike,
 * streamed at 30 fps into a `<video>` with `captureStream` — the same path from `<video>` to worker as a
 * webcam's frames take. For several people, the photo of three people in a room instead; for hands, the photo
 * of two hands.
 */
import handsUrl from '../../shared/fixtures/hands/hands.jpg?url';
import messiUrl from '../../shared/fixtures/people/messi5.jpg?url';
import roomUrl from '../../shared/fixtures/people/three_people.jpg?url';

const PHOTOS = { pose: messiUrl, people: roomUrl, hands: handsUrl } as const;

/** Starts the camera in `video`, showing what `features` look for; resolves once it shows its first frame. */
export async function peopleCamera(
  video: HTMLVideoElement,
  features: keyof typeof PHOTOS = 'pose',
): Promise<HTMLVideoElement> {
  const image = await createImageBitmap(await (await fetch(PHOTOS[features])).blob());
  const canvas = Object.assign(document.createElement('canvas'), { width: 640, height: 480 });
  const g = canvas.getContext('2d')!;
  const draw = () => {
    const t = performance.now() / 1000;
    g.fillStyle = '#000';
    g.fillRect(0, 0, 640, 480);
    g.save();
    g.translate(320 + 40 * Math.sin(t * 0.7), 240 + 15 * Math.sin(t * 1.3));
    g.rotate(0.25 * Math.sin(t * 1.1));
    const w = 480 + 40 * Math.sin(t * 0.5);
    g.drawImage(image, -w / 2, (-w * image.height) / image.width / 2, w, (w * image.height) / image.width);
    g.restore();
    requestAnimationFrame(draw);
  };
  draw();
  video.muted = true;
  video.srcObject = canvas.captureStream(30);
  await video.play();
  if (video.readyState < 2) await new Promise((r) => video.addEventListener('loadeddata', r, { once: true }));
  return video;
}
