/**
 * Judging the app's label against the clip, as a person watching would, but frame-exact: which photo
 * (and which frame of its segment) each camera frame showed, the label the app showed for it, and which
 * frames no example was taken from (held out). Watching stops as soon as the evidence asked for is in.
 */
import type { Page } from 'playwright-core';
import { FRAMES_PER_PHOTO, MARKER_COLOURS, RECORD_FRAMES } from '../support/clip';
import { ensureReader } from './app-page';
import type { Truth } from './harness';

type Holds = ({ type: string } & Truth)[];
declare global {
  interface Window {
    holds: Holds;
  }
}

/** One label the app showed, and the photo in the frame it was predicted from. */
export interface Sample {
  /** The photo (or segment) in the frame predicted. */
  marker: string;
  /** Where in its segment that frame was (the clip: its frame number; another video: as its truth says). */
  position: number;
  /** The label shown (`data-label`: '' for a regression, or nobody in view). */
  shown: string;
  /** The text shown (a regression's values, '—' for no label). */
  text: string;
  /** Whether the frame is held out: no example came from it, nor from any frame near it. */
  held: boolean;
}

/**
 * Logs the frame on screen at each press and release of a record button or shortcut key, read in the same
 * event the app's handler runs in: every example of a hold is a frame shown in between.
 */
export async function trackHolds(page: Page, video = 'preview'): Promise<void> {
  await ensureReader(page);
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

export interface WatchOptions {
  /** The photos (segments) that must each be seen held out. */
  labels: readonly string[];
  /** Held-out samples of each of `labels` to collect before judging. */
  perLabel: number;
  /** Samples in all (held out or not) to collect too. @default 0 */
  minSamples?: number;
  /** Gives up after this long; the assertions then say what is missing. */
  timeoutMs: number;
  /** The `<video>`'s id. @default 'preview' */
  video?: string;
}

export interface ClipWatchOptions extends WatchOptions {
  /** From `lastRecorded`: a frame is held out only after the frame its segment's hold was let go on. */
  lastRecorded?: Map<string, number> | undefined;
}

/**
 * What a `<video>` shows in a frame, computed in the page from the frame and its metadata: the source text of
 * a self-contained function `(video, config, metadata) => ({ label, position })`.
 */
export interface TruthReader {
  source: string;
  config: unknown;
  /** Per label, the first position that is held out; positions from `heldBefore` on are not. */
  heldFrom: Record<string, number>;
  heldBefore: number;
}

/**
 * Watches the app's label (the element carries the capture time of the frame it is about) and every frame
 * of the video, until each of `labels` has `perLabel` samples on held-out frames (whether right or wrong:
 * stopping never depends on the answer), then gives every label shown with the photo of its frame, by the
 * frames' capture times. A frame is judged only when the frames captured 100 ms either side of `t` show the
 * same photo: with the camera read in the worker, `t` is the frame's arrival there, a frame or more after its
 * capture when the worker is busy, so a frame that close to a cut could be either.
 */
export async function watchShown(page: Page, options: ClipWatchOptions): Promise<Sample[]> {
  await ensureReader(page);
  const heldFrom = Object.fromEntries(
    options.labels.map((l) => [l, Math.max(RECORD_FRAMES, (options.lastRecorded?.get(l) ?? -1) + 1)]),
  );
  return watchWith(page, options, {
    source: '(video, markers) => window.frameTruth(video, markers)',
    config: MARKER_COLOURS,
    heldFrom,
    // The last frame of a segment is left out, since the picture taken may already be the next photo's first.
    heldBefore: FRAMES_PER_PHOTO - 1,
  });
}

/** `watchShown` for any video whose truth `reader` can read from its frames. */
export async function watchWith(page: Page, options: WatchOptions, reader: TruthReader): Promise<Sample[]> {
  return page.evaluate(
    `(${judgeInPage.toString()})(${JSON.stringify({
      video: options.video ?? 'preview',
      labels: options.labels,
      perLabel: options.perLabel,
      minSamples: options.minSamples ?? 0,
      timeoutMs: options.timeoutMs,
      config: reader.config,
      heldFrom: reader.heldFrom,
      heldBefore: reader.heldBefore,
    })}, ${reader.source})`,
  );
}

interface JudgeArgs {
  video: string;
  labels: string[];
  perLabel: number;
  minSamples: number;
  timeoutMs: number;
  config: unknown;
  heldFrom: Record<string, number>;
  heldBefore: number;
}

/** Runs in the page (self-contained): see `watchShown`. */
function judgeInPage(
  args: JudgeArgs,
  truthOf: (video: HTMLVideoElement, config: unknown, meta: VideoFrameCallbackMetadata) => Truth,
): Promise<Sample[]> {
  const AMBIGUOUS_MS = 100;
  const video = document.getElementById(args.video) as HTMLVideoElement;
  const prediction = document.getElementById('prediction')!;
  const frames: [number, Truth][] = [];
  const shown: { t: number; label: string; text: string }[] = [];
  /** The index of the last frame captured at or before `t`. */
  const index = (t: number) => {
    let [lo, hi] = [0, frames.length - 1];
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (frames[mid]![0] <= t + 1) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const at = (t: number) => frames[index(t)]![1];
  const judged = (): Sample[] => {
    const last = frames.at(-1)?.[0] ?? -Infinity;
    return shown
      .filter(({ t }) => frames.length > 0 && t - AMBIGUOUS_MS >= frames[0]![0] && t + AMBIGUOUS_MS < last)
      .filter(({ t }) => {
        const i = index(t);
        // The next frame the page saw too: when the page skipped frames, a cut could hide in the gap.
        const { label } = frames[i]![1];
        return (
          label === at(t - AMBIGUOUS_MS).label &&
          label === at(t + AMBIGUOUS_MS).label &&
          label === frames[i + 1]?.[1].label
        );
      })
      .map(({ t, label, text }) => {
        const { label: marker, position } = at(t);
        const held = position >= (args.heldFrom[marker] ?? Infinity) && position < args.heldBefore;
        return { marker, position, shown: label, text, held };
      });
  };
  const enough = (samples: Sample[]) =>
    samples.length >= args.minSamples &&
    args.labels.every((l) => samples.filter((s) => s.held && s.marker === l).length >= args.perLabel);

  return new Promise((resolve) => {
    let handle = 0;
    const finish = () => {
      video.cancelVideoFrameCallback(handle);
      observer.disconnect();
      clearTimeout(timer);
      const samples = judged();
      // Said in the page's log, which the tests print when an assertion fails.
      if (!enough(samples))
        console.warn(
          `watching gave up after ${args.timeoutMs} ms: ${frames.length} frames, ${shown.length} labels shown, ${samples.length} judged`,
        );
      resolve(samples);
    };
    const tick = (now: number, meta: VideoFrameCallbackMetadata) => {
      // A camera's frames carry their capture time: the page may show them late (a software GPU busy), and
      // `t` is the time the frame was taken. A file's frames are taken as the page shows them.
      frames.push([meta.captureTime ?? now, truthOf(video, args.config, meta)]);
      if (enough(judged())) finish();
      else handle = video.requestVideoFrameCallback(tick);
    };
    // Every prediction shown: its frame's capture time and the label, as the preview sets them.
    const observer = new MutationObserver(() => {
      const { t, label } = prediction.dataset;
      if (t && label !== undefined && Number(t) !== shown.at(-1)?.t)
        shown.push({ t: Number(t), label, text: prediction.textContent ?? '' });
    });
    observer.observe(prediction, { attributes: true, attributeFilter: ['data-t'] });
    const timer = setTimeout(finish, args.timeoutMs);
    handle = video.requestVideoFrameCallback(tick);
  });
}

export const rightShare = (samples: Sample[]): number =>
  samples.filter((s) => s.shown === s.marker).length / Math.max(1, samples.length);

export const heldOut = (samples: Sample[]): Sample[] => samples.filter((s) => s.held);
