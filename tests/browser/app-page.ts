/**
 * Reading a page's camera from a test: which photo of the clip is on screen, and which frame of it. `video` is
 * the element's id: the app's `preview` by default, or the harness page's `camera`. Every wait here is on the
 * video's own frames (requestVideoFrameCallback in the page), never on a timer.
 */
import type { Locator, Page } from 'playwright-core';
import { MARKER_COLOURS, RECORD_FRAMES } from '../support/clip';
import { frameTruth, markerOf } from './harness-truth';

declare global {
  interface Window {
    /** Installed into the app's page by `installMarkerReader`. */
    markerOf: typeof markerOf;
    frameTruth: typeof frameTruth;
  }
}

/** Puts `markerOf` and `frameTruth` (self-contained, see harness-truth.ts) into the app's page. */
export async function installMarkerReader(page: Page): Promise<void> {
  await page.addScriptTag({
    content: `window.markerOf = ${markerOf.toString()};\nwindow.frameTruth = ${frameTruth.toString()};`,
  });
}

export async function ensureReader(page: Page): Promise<void> {
  if (!(await page.evaluate(() => typeof window.frameTruth === 'function'))) await installMarkerReader(page);
}

/** Runs in the page: the photo on screen now, from the clip's marker strip. */
export async function markerNow(page: Page, video = 'preview'): Promise<string> {
  await ensureReader(page);
  return page.evaluate(
    ({ markers, video }) => window.markerOf(document.getElementById(video) as HTMLVideoElement, markers),
    { markers: MARKER_COLOURS, video },
  );
}

/** The clip loops every 6 s: a cut to any photo comes within that, even on a loaded machine. */
const CUT_TIMEOUT_MS = 30_000;

/**
 * Resolves with the photo the video cuts to next, among `labels` (the first frame showing it after one that
 * did not), read in the page on every new video frame.
 */
export async function waitForCut(page: Page, labels: readonly string[], video = 'preview'): Promise<string> {
  await ensureReader(page);
  return page.evaluate(
    ({ markers, labels, video, timeoutMs }) =>
      new Promise<string>((resolve, reject) => {
        const el = document.getElementById(video) as HTMLVideoElement;
        let previous = window.markerOf(el, markers);
        const timer = setTimeout(
          () => reject(new Error(`no cut to ${labels.join(' or ')} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const tick = () => {
          const now = window.markerOf(el, markers);
          if (now !== previous && labels.includes(now)) {
            clearTimeout(timer);
            resolve(now);
          } else {
            previous = now;
            el.requestVideoFrameCallback(tick);
          }
        };
        el.requestVideoFrameCallback(tick);
      }),
    { markers: MARKER_COLOURS, labels: [...labels], video, timeoutMs: CUT_TIMEOUT_MS },
  );
}

/** Resolves when the video cuts to `label`'s photo. */
export async function waitForSegmentStart(page: Page, label: string, video = 'preview'): Promise<void> {
  await waitForCut(page, [label], video);
}

/**
 * Resolves once the video shows frame `position` or later of `label`'s segment, or has left the
 * segment (checked on every animation frame in the page).
 */
export async function waitForPosition(page: Page, label: string, position: number, video = 'preview'): Promise<void> {
  await ensureReader(page);
  await page.waitForFunction(
    ({ markers, label, position, video }) => {
      const now = window.frameTruth(document.getElementById(video) as HTMLVideoElement, markers);
      return now.label !== label || now.position >= position;
    },
    { markers: MARKER_COLOURS, label, position, video },
    { polling: 'raf', timeout: 15_000 },
  );
}

/** The button (or key) is let go this many frames before the recorded half ends: the round trip takes a few. */
export const RELEASE_MARGIN = 6;

/** Something a person holds down to record: the mouse on a button, or a key. */
export interface Press {
  down(): Promise<void>;
  up(): Promise<void>;
}

/** The mouse held on `button`, as a person does. */
export function mouseOn(page: Page, button: Locator): Press {
  return {
    async down() {
      const box = (await button.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
    },
    up: () => page.mouse.up(),
  };
}

/** A key held with nothing focused (the studio's shortcut keys 1–9). */
export function keyHeld(page: Page, key: string): Press {
  return {
    async down() {
      // As a click on an empty part of the page would: a shortcut typed into a text field is only typing.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.down(key);
    },
    up: () => page.keyboard.up(key),
  };
}

/**
 * Holds `button` (the mouse on it, as a person does) from the start of `label`'s segment of the clip until
 * just before its recorded half ends (`RECORD_FRAMES`), so that every example is of that photo.
 */
export async function holdThroughSegment(page: Page, label: string, button: Locator): Promise<void> {
  await waitForSegmentStart(page, label);
  await holdFromCut(page, label, mouseOn(page, button));
}

/**
 * Records each photo of `presses` (label → what to hold) through the recorded half of its segment, in the
 * clip's order from the next cut to any of them, so that no hold waits a whole loop of the clip for its photo.
 * Resolves with the labels in the order they were held.
 */
export async function holdThroughSegments(page: Page, presses: Record<string, Press>): Promise<string[]> {
  const order: string[] = [];
  let next = await waitForCut(page, Object.keys(presses));
  for (;;) {
    await holdFromCut(page, next, presses[next]!);
    order.push(next);
    const left = Object.keys(presses).filter((l) => !order.includes(l));
    if (left.length === 0) return order;
    next = await waitForCut(page, left);
  }
}

/** Holds `press` from now (the start of `label`'s segment) until just before its recorded half ends. */
async function holdFromCut(page: Page, label: string, press: Press): Promise<void> {
  await press.down();
  await waitForPosition(page, label, RECORD_FRAMES - RELEASE_MARGIN);
  await press.up();
}
