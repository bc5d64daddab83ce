/**
 * Reading a page's camera from a test: which photo of the clip is on screen, and which frame of it. `video` is
 * the element's id: the app's `preview` by default, or the harness page's `camera`.
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

async function ensureReader(page: Page): Promise<void> {
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

/** Resolves when the video cuts to `label`'s photo. */
export async function waitForSegmentStart(page: Page, label: string, video = 'preview'): Promise<void> {
  let previous = await markerNow(page, video);
  for (;;) {
    const now = await markerNow(page, video);
    if (now === label && previous !== label) return;
    previous = now;
    await page.waitForTimeout(20);
  }
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

/**
 * Holds `button` (the mouse on it, as a person does) from the start of `label`'s segment of the clip until
 * just before its recorded half ends (`RECORD_FRAMES`), so that every example is of that photo.
 */
export async function holdThroughSegment(page: Page, label: string, button: Locator): Promise<void> {
  await waitForSegmentStart(page, label);
  const box = (await button.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await waitForPosition(page, label, RECORD_FRAMES - RELEASE_MARGIN);
  await page.mouse.up();
}
