/**
 * Judging the app's label against the clip, as a person watching would, but frame-exact: which photo
 * (and which frame of its segment) each camera frame showed, the label the app showed for it, and which
 * frames no example was taken from (held out).
 */
import type { Page } from 'playwright-core';
import { FRAMES_PER_PHOTO, MARKER_COLOURS, RECORD_FRAMES } from '../support/clip';
import { installMarkerReader } from './app-page';
import type { Truth } from './harness';

type Holds = ({ type: string } & Truth)[];
declare global {
  interface Window {
    holds: Holds;
    truth: [number, Truth][];
  }
}

/** One label the app showed, and the photo in the frame it was predicted from. */
export interface Sample {
  marker: string;
  position: number;
  shown: string;
}

/**
 * Logs the frame on screen at each press and release of a record button or shortcut key, read in the same
 * event the app's handler runs in: every example of a hold is a frame shown in between.
 */
export async function trackHolds(page: Page, video = 'preview'): Promise<void> {
  await installMarkerReader(page);
  await page.evaluate(
    ({ markers, video }) => {
      const el = document.getElementById(video) as HTMLVideoElement;
      window.holds = [];
      const log = (type: string) => window.holds.push({ type, ...window.frameTruth(el, markers) });
      window.addEventListener('pointerdown', () => log('down'), { capture: true });
      window.addEventListener('pointerup', () => log('up'), { capture: true });
      window.addEventListener('keydown', (e) => !e.repeat && /^Digit/.test(e.code) && log('down'), { capture: true });
      window.addEventListener('keyup', (e) => /^Digit/.test(e.code) && log('up'), { capture: true });
    },
    { markers: MARKER_COLOURS, video },
  );
}

/** The holds, one press and release per label in `labels`' order: the last frame each could have recorded. */
export async function lastRecorded(page: Page, labels: readonly string[]): Promise<Map<string, number>> {
  const holds = await page.evaluate(() => window.holds);
  const last = new Map<string, number>();
  for (const [i, label] of labels.entries()) {
    const [down, up] = [holds[2 * i], holds[2 * i + 1]];
    if (down?.type !== 'down' || down.label !== label || up?.type !== 'up')
      throw new Error(`the holds were not one per label in order: ${JSON.stringify(holds)}`);
    last.set(label, up.label === label ? up.position : Infinity);
  }
  return last;
}

/** Starts logging every camera frame as shown: [time, truth]. */
export async function trackFrames(page: Page, video = 'preview'): Promise<void> {
  await installMarkerReader(page);
  await page.evaluate(
    ({ markers, video }) => {
      const el = document.getElementById(video) as HTMLVideoElement;
      window.truth = [];
      const tick = () => {
        window.truth.push([performance.now(), window.frameTruth(el, markers)]);
        el.requestVideoFrameCallback(tick);
      };
      el.requestVideoFrameCallback(tick);
    },
    { markers: MARKER_COLOURS, video },
  );
}

/**
 * Watches the app's label for `ms` (the element carries the capture time of the frame it is about) and
 * gives each label shown with the photo of its frame. Needs `trackFrames` first.
 */
export async function sampleShown(page: Page, ms: number): Promise<Sample[]> {
  const shown = new Map<string, string>();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const { t, label } = await page.evaluate(() => ({ ...document.getElementById('prediction')!.dataset }));
    if (t && label) shown.set(t, label);
    await page.waitForTimeout(50);
  }
  return page.evaluate(
    (shown) => {
      const truth = window.truth;
      // The picture predicted is the last one shown before t. With the camera read in the worker, t is the
      // frame's arrival there, which may come before the page presents the same frame (a few frames before,
      // when a software GPU holds up the page): a frame that close to a cut could be either photo, so it is
      // not judged.
      const at = (t: number) => truth.reduce((best, e) => (e[0] <= t + 1 ? e : best))[1];
      const AMBIGUOUS_MS = 100;
      return shown
        .filter(([t]) => Number(t) >= truth[0]![0] && at(Number(t)).label === at(Number(t) + AMBIGUOUS_MS).label)
        .map(([t, label]) => ({ marker: at(Number(t)).label, position: at(Number(t)).position, shown: label }));
    },
    [...shown],
  );
}

/**
 * Held out: the second half of a segment, after the frame the hold was let go on (`lastRecorded`; none
 * for a model that learnt elsewhere). The last frame of a segment is left out, since the picture taken may
 * already be the next photo's first.
 */
export function heldOut(samples: Sample[], lastRecorded?: Map<string, number>): Sample[] {
  return samples.filter(
    (s) =>
      s.position >= RECORD_FRAMES &&
      s.position > (lastRecorded?.get(s.marker) ?? -1) &&
      s.position < FRAMES_PER_PHOTO - 1,
  );
}

export const rightShare = (samples: Sample[]): number =>
  samples.filter((s) => s.shown === s.marker).length / Math.max(1, samples.length);
