/** Reading the app's camera preview from a test: which photo of the clip is on screen. */
import type { Page } from 'playwright-core';
import { MARKER_COLOURS } from '../support/clip';
import { markerOf } from './harness-truth';

declare global {
  interface Window {
    /** Installed into the app's page by `installMarkerReader`. */
    markerOf: typeof markerOf;
  }
}

/** Puts `markerOf` (self-contained, see harness-truth.ts) into the app's page as `window.markerOf`. */
export async function installMarkerReader(page: Page): Promise<void> {
  await page.addScriptTag({ content: `window.markerOf = ${markerOf.toString()};` });
}

/** Runs in the page: the photo on screen now, from the clip's marker strip. */
export async function markerNow(page: Page): Promise<string> {
  if (!(await page.evaluate(() => typeof window.markerOf === 'function'))) await installMarkerReader(page);
  return page.evaluate(
    (markers) => window.markerOf(document.getElementById('preview') as HTMLVideoElement, markers),
    MARKER_COLOURS,
  );
}

/** Resolves when the preview cuts to `label`'s photo. */
export async function waitForSegmentStart(page: Page, label: string): Promise<void> {
  let previous = await markerNow(page);
  for (;;) {
    const now = await markerNow(page);
    if (now === label && previous !== label) return;
    previous = now;
    await page.waitForTimeout(20);
  }
}
