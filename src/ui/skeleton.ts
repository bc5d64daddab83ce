/**
 * The skeleton over the preview (pose features): MoveNet's keypoints and the bones between them, drawn on a
 * canvas laid over the video, and "Nobody in view" when there is no one; with several people, one skeleton
 * each, in their own colour, with their number and class. Keypoints arrive in 0..1 of the
 * letterboxed square the model saw (the whole picture, bars on its short side); they are mapped back to the
 * video here. The canvas is mirrored with the video (CSS), so a mirrored preview stays in step.
 */
import { HAND_BONES, type Hand } from '../protocol/hand';
import { BONES, type Keypoint, type Person, type Pose } from '../protocol/pose';
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
  /**
   * Shows this pose (null: no pose to show, e.g. image features); with several people (features 'people'),
   * each one's skeleton in a colour of their own, with their number and their class.
   */
  show(pose: Pose | null, people?: readonly Person[], hands?: readonly Hand[]): void;
  clear(): void;
}

/** One colour per person, by id: far apart in hue, readable on video. */
export const PERSON_COLOURS = ['#ff9d2e', '#3ec7ff', '#b6f23a', '#ff5fa2', '#ffe14d', '#a98bff'] as const;
export const personColour = (id: number): string => PERSON_COLOURS[(id - 1) % PERSON_COLOURS.length]!;

/** Draws on `canvas` (sized to the video's pixels) and says "nobody" on `nobody`, at most once a frame. */
export function skeletonView(canvas: HTMLCanvasElement, nobody: HTMLElement, video: HTMLVideoElement): SkeletonView {
  let latest: Pose | null = null;
  let everyone: readonly Person[] | null = null;
  let hands: readonly Hand[] | null = null;
  const said = nobody.textContent;
  const draw = perFrame(() => {
    const g = canvas.getContext('2d');
    const { videoWidth: w, videoHeight: h } = video;
    if (!g || !w || !h) return;
    if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
    g.clearRect(0, 0, w, h);
    const thick = Math.max(2, Math.min(w, h) / 120);
    let drawn = 0;
    // The body (one person, or everyone), then the hands over it: alone (hand features) or beside it.
    const body = latest !== null || everyone !== null;
    if (everyone) {
      canvas.dataset.people = everyone.map((p) => p.id).join(' ');
      for (const person of everyone) {
        const colour = personColour(person.id);
        drawn += bones(g, person.keypoints, w, h, thick, () => colour, colour);
        // Their number and class, above their box (inside it when the box touches the top).
        const corner = inPicture({ x: person.box.xMin, y: person.box.yMin }, w, h);
        const text = person.label ? `${person.id} · ${person.label}` : String(person.id);
        const above = corner.y * h > thick * 9;
        label(
          g,
          canvas,
          text,
          corner.x * w,
          corner.y * h + (above ? -thick : thick),
          thick,
          colour,
          above ? 'bottom' : 'top',
        );
      }
    } else if (latest && !latest.noPerson) {
      // The person's left in orange, right in blue, the face in white: which side is which, at a glance.
      const side = (name: string) =>
        name.startsWith('left') ? '#ff9d2e' : name.startsWith('right') ? '#3ec7ff' : '#fff';
      drawn += bones(g, latest.keypoints, w, h, thick, side, '#fff');
    }
    if (hands) {
      canvas.dataset.hands = hands.map((hand) => `${hand.id}:${hand.handedness}`).join(' ');
      for (const hand of hands) {
        const colour = personColour(hand.id);
        drawn += bones(g, hand.keypoints, w, h, thick * 0.7, () => colour, colour, HAND_BONES, 0);
        const wrist = inPicture(hand.keypoints[0]!, w, h);
        label(
          g,
          canvas,
          `${hand.handedness === 'Left' ? 'L' : 'R'}${hand.id}`,
          wrist.x * w,
          wrist.y * h + thick * 2,
          thick,
          colour,
          'top',
        );
      }
    }
    canvas.dataset.keypoints = String(drawn);
    // "Nobody" (or "No hand", with hand features alone) in view: what the head learns from is missing.
    const seen = everyone ? everyone.length > 0 : latest ? !latest.noPerson : (hands?.length ?? 0) > 0;
    nobody.textContent = body ? said : 'No hand in view';
    nobody.hidden = seen || (!body && !hands);
    canvas.dataset.person = String(seen);
  });
  return {
    show(pose, people, seenHands) {
      latest = pose;
      everyone = people ?? null;
      hands = seenHands ?? null;
      draw();
    },
    clear() {
      latest = null;
      everyone = null;
      hands = null;
      nobody.hidden = true;
      canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
      canvas.dataset.keypoints = '0';
      delete canvas.dataset.person;
      delete canvas.dataset.people;
      delete canvas.dataset.hands;
    },
  };
}

/** Text on the overlay; the canvas is mirrored with the video by CSS, so the text is drawn mirrored back to read right. */
function label(
  g: CanvasRenderingContext2D,
  canvas: HTMLCanvasElement,
  text: string,
  x: number,
  y: number,
  thick: number,
  colour: string,
  baseline: CanvasTextBaseline,
): void {
  g.save();
  g.font = `bold ${Math.round(thick * 7)}px system-ui, sans-serif`;
  g.fillStyle = colour;
  g.textBaseline = baseline;
  if (canvas.closest('.mirrored')) {
    g.translate(x, 0);
    g.scale(-1, 1);
    g.translate(-x, 0);
    g.textAlign = 'right';
  }
  g.fillText(text, x, y);
  g.restore();
}

/** Draws one skeleton's bones and keypoints surer than `minScore`; returns how many keypoints it drew. */
function bones(
  g: CanvasRenderingContext2D,
  keypoints: readonly { name: string; x: number; y: number; score: number }[],
  w: number,
  h: number,
  thick: number,
  joint: (name: string) => string,
  bone: string,
  pairs: readonly (readonly [number, number])[] = BONES,
  minScore = DRAW_SCORE,
): number {
  const at = keypoints.map((k) => ({ ...inPicture(k, w, h), seen: k.score >= minScore }));
  const px = (p: { x: number; y: number }) => [p.x * w, p.y * h] as const;
  g.lineCap = 'round';
  g.lineWidth = thick;
  g.strokeStyle = bone;
  g.shadowColor = '#000a';
  g.shadowBlur = thick;
  for (const [a, b] of pairs) {
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
    g.fillStyle = joint(keypoints[i]!.name);
    g.beginPath();
    g.arc(...px(p), thick * 1.6, 0, 2 * Math.PI);
    g.fill();
  }
  return drawn;
}
