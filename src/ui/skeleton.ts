/**
 * The skeleton over the preview (pose features): MoveNet's keypoints and the bones between them, drawn on a
 * canvas laid over the video, and "Nobody in view" when there is no one. Keypoints arrive in 0..1 of the
 * letterboxed square the model saw (the whole picture, bars on its short side); they are mapped back to the
 * video here. The canvas is mirrored with the video (CSS), so a mirrored preview stays in step.
 */
import { BONES, type Keypoint, type Pose } from '../protocol/pose';
import { perFrame } from './dom';

/** Keypoints less sure than this are not drawn (MoveNet's own demos draw from 0.3). */
export const DRAW_SCORE = 0.3;

/**
 * A keypoint's place in the picture, in 0..1 of its width and height: the inverse of the letterbox that
 * `toBitmap(…, 'contain')` made (the picture centred in a square as wide as its longer side).
 */
export function inPicture(k: Pick<Keypoint, 'x' | 'y'>, width: number, height: number): { x: number; y: number } {
  const side = Math.max(width, height);
  return {
    x: (k.x * side - (side - width) / 2) / width,
    y: (k.y * side - (side - height) / 2) / height,
  };
}

export interface SkeletonView {
  /** Shows this pose (null: no pose to show, e.g. image features). */
  show(pose: Pose | null): void;
  clear(): void;
}

/** Draws on `canvas` (sized to the video's pixels) and says "nobody" on `nobody`, at most once a frame. */
export function skeletonView(canvas: HTMLCanvasElement, nobody: HTMLElement, video: HTMLVideoElement): SkeletonView {
  let latest: Pose | null = null;
  const draw = perFrame(() => {
    const g = canvas.getContext('2d');
    const { videoWidth: w, videoHeight: h } = video;
    if (!g || !w || !h) return;
    if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
    g.clearRect(0, 0, w, h);
    const pose = latest;
    nobody.hidden = !pose?.noPerson;
    canvas.dataset.person = String(!!pose && !pose.noPerson);
    if (!pose || pose.noPerson) {
      canvas.dataset.keypoints = '0';
      return;
    }
    const at = pose.keypoints.map((k) => ({ ...inPicture(k, w, h), seen: k.score >= DRAW_SCORE }));
    const px = (p: { x: number; y: number }) => [p.x * w, p.y * h] as const;
    const thick = Math.max(2, Math.min(w, h) / 120);
    g.lineCap = 'round';
    g.lineWidth = thick;
    g.strokeStyle = '#fff';
    g.shadowColor = '#000a';
    g.shadowBlur = thick;
    for (const [a, b] of BONES) {
      const [p, q] = [at[a]!, at[b]!];
      if (!p.seen || !q.seen) continue;
      g.beginPath();
      g.moveTo(...px(p));
      g.lineTo(...px(q));
      g.stroke();
    }
    let drawn = 0;
    for (const [i, p] of at.entries()) {
      if (!p.seen) continue;
      drawn += 1;
      // The person's left in orange, right in blue, the face in white: which side is which, at a glance.
      const name = pose.keypoints[i]!.name;
      g.fillStyle = name.startsWith('left') ? '#ff9d2e' : name.startsWith('right') ? '#3ec7ff' : '#fff';
      g.beginPath();
      g.arc(...px(p), thick * 1.6, 0, 2 * Math.PI);
      g.fill();
    }
    canvas.dataset.keypoints = String(drawn);
  });
  return {
    show(pose) {
      latest = pose;
      draw();
    },
    clear() {
      latest = null;
      nobody.hidden = true;
      canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
      canvas.dataset.keypoints = '0';
      delete canvas.dataset.person;
    },
  };
}
