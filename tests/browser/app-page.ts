/**
 * Reading a page's camera from a test: which photo of the clip is on screen, and which frame of it. `video` is
 * the element's id: the app's `preview` by default, or the harness page's `camera`.
 */
import type { Page } from 'playwright-core';
import { MARKER_COLOURS } from '../support/clip';
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
