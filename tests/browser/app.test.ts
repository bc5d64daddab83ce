/**
 * The minimal app, driven as a person would: the camera (fake, playing the real photos) shows in the
 * page; add three labels, hold each label's record button while its photo is on screen, press Train,
 * and the label the app shows follows the clip.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLIP_LABELS, MARKER_COLOURS } from '../support/clip';
import { launch, open } from './browser';
import { installMarkerReader, waitForSegmentStart } from './app-page';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** Long enough for a few predictions of each photo, at each backend's speed. */
const RUN_MS = { wasm: 7000, webgl: 9000, webgpu: 20000 } as const;
const RECORD_MS = { wasm: 1500, webgl: 2000, webgpu: 2600 } as const;
/** Software WebGPU on a loaded machine may catch one frame in a hold; one example per photo still has to work. */
const MIN_EXAMPLES = { wasm: 2, webgl: 2, webgpu: 1 } as const;

describe.each(['wasm', 'webgl', 'webgpu'] as const)('the app on %s', (backend) => {
  test('add labels, hold to record, train, and the shown label follows the clip', async () => {
    const { page, logs } = await open(browser, `index.html?backend=${backend}`);
    await page.waitForSelector('[data-testid="status"][data-backend]', { timeout: 60_000 });
    expect(await page.getAttribute('[data-testid="status"]', 'data-backend')).toBe(backend);
    await page.waitForFunction(() => (document.getElementById('preview') as HTMLVideoElement).readyState >= 2);

    for (const label of CLIP_LABELS) {
      await page.fill('[data-testid="new-label"]', label);
      await page.click('[data-testid="add-label"]');
    }
    expect(await page.locator('#labels li').count()).toBe(3);

    for (const label of CLIP_LABELS) {
      await waitForSegmentStart(page, label);
      await page.waitForTimeout(300);
      const button = page.locator(`li[data-label="${label}"] [data-testid="record"]`);
      const box = (await button.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.waitForTimeout(RECORD_MS[backend]);
      await page.mouse.up();
    }
    await expect
      .poll(() => page.locator('#labels li [data-testid="count"]').allTextContents(), { timeout: 10_000 })
      .toSatisfy((counts: string[]) => counts.every((c) => Number(c) >= MIN_EXAMPLES[backend]));

    await page.click('[data-testid="train"]');
    await page.waitForSelector('[data-testid="train-status"][data-state="trained"]', { timeout: 120_000 });

    // Record which photo each camera frame showed, then check every label the app showed against the
    // photo in the very frame it was predicted from (the app puts that frame's time on the element).
    await installMarkerReader(page);
    await page.evaluate((markers) => {
      const video = document.getElementById('preview') as HTMLVideoElement;
      const truth: [number, string][] = ((window as unknown as { truth: [number, string][] }).truth = []);
      const tick = () => {
        truth.push([performance.now(), window.markerOf(video, markers)]);
        video.requestVideoFrameCallback(tick);
      };
      video.requestVideoFrameCallback(tick);
    }, MARKER_COLOURS);
    const shown = new Map<string, string>();
    const end = Date.now() + RUN_MS[backend];
    while (Date.now() < end) {
      const { t, label } = await page.evaluate(() => ({ ...document.getElementById('prediction')!.dataset }));
      if (t && label) shown.set(t, label);
      await page.waitForTimeout(50);
    }
    const samples = await page.evaluate(
      (shown) => {
        const truth = (window as unknown as { truth: [number, string][] }).truth;
        // The app reads the video when the worker is free: the picture it took is the last one shown before t.
        const at = (t: number) => truth.reduce((best, e) => (e[0] <= t + 1 ? e : best))[1];
        return shown
          .filter(([t]) => Number(t) >= truth[0]![0])
          .map(([t, label]) => ({ marker: at(Number(t)), shown: label }));
      },
      [...shown],
    );
    const right = samples.filter((s) => s.shown === s.marker).length;
    console.info(`app on ${backend}: ${right}/${samples.length} labels shown match the photo in their frame`);
    const context = JSON.stringify({ samples, logs: logs.slice(-10) });
    for (const label of CLIP_LABELS)
      expect(
        samples.some((s) => s.marker === label && s.shown === label),
        context,
      ).toBe(true);
    expect(right / samples.length, context).toBeGreaterThanOrEqual(0.9);
    expect(await page.textContent('[data-testid="metrics"]')).toMatch(
      new RegExp(`predictions/s .* ${backend} · \\d+ tensors`),
    );
    await page.close();
  });
});
