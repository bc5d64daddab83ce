/** Reading the app's camera preview from a test: which photo of the clip is on screen. */
import type { Page } from 'playwright-core';
import { MARKER_COLOURS } from '../support/clip';
import { markerOf } from './harness-truth';

/** Runs in the page: the photo on screen now, from the clip's marker strip. */
export const markerNow = (page: Page): Promise<string> =>
  page.evaluate(
    ({ src, markers }) => {
      const markerOf = new Function(`return ${src}`)();
      return markerOf(document.getElementById('preview'), markers) as string;
    },
    { src: markerOf.toString(), markers: MARKER_COLOURS },
  );

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
