/**
 * The minimal app, driven as a person would: the camera (fake, playing the real photos) shows in the
 * page; add three labels, hold each label's record button during the first half of its photo's segment,
 * press Train, and the label the app shows follows the clip — judged above all on frames from the second
 * halves, which no example was taken from.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLIP_LABELS, FRAMES_PER_PHOTO, MARKER_COLOURS, RECORD_FRAMES } from '../support/clip';
import { launch, open } from './browser';
import { installMarkerReader, waitForPosition, waitForSegmentStart } from './app-page';
import type { Truth } from './harness';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** Long enough for a few predictions of each photo, at each backend's speed (webgpu: 0.4–1 a second here). */
const RUN_MS = { wasm: 7000, webgl: 9000, webgpu: 36000 } as const;
/** Software WebGPU on a loaded machine may catch one frame in a hold; one example per photo still has to work. */
const MIN_EXAMPLES = { wasm: 2, webgl: 2, webgpu: 1 } as const;
/** Too few webgpu predictions to be sure each photo gets one on a held-out frame: there any frame will do for that check. */
const EVERY_LABEL_HELD_OUT = { wasm: true, webgl: true, webgpu: false } as const;
/** The button is let go this many frames before the recorded half ends: the round trip to the page takes a few. */
const RELEASE_MARGIN = 6;

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

    // The frame on screen at each press and release, read in the same event the app's handler runs in:
    // every example of a hold is a frame shown in between.
    await installMarkerReader(page);
    await page.evaluate((markers) => {
      const video = document.getElementById('preview') as HTMLVideoElement;
      const holds: ({ type: string } & Truth)[] = ((window as unknown as { holds: typeof holds }).holds = []);
      for (const type of ['pointerdown', 'pointerup'])
        window.addEventListener(type, () => holds.push({ type, ...window.frameTruth(video, markers) }), {
          capture: true,
        });
    }, MARKER_COLOURS);
    for (const label of CLIP_LABELS) {
      await waitForSegmentStart(page, label);
      const button = page.locator(`li[data-label="${label}"] [data-testid="record"]`);
      const box = (await button.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await waitForPosition(page, label, RECORD_FRAMES - RELEASE_MARGIN);
      await page.mouse.up();
    }
    const holds = await page.evaluate(() => (window as unknown as { holds: ({ type: string } & Truth)[] }).holds);
    // The last frame each label's hold could have recorded: the one on screen when the button was let go.
    const lastRecorded = new Map<string, number>();
    for (const [i, label] of CLIP_LABELS.entries()) {
      const [down, up] = [holds[2 * i], holds[2 * i + 1]];
      expect(down, JSON.stringify(holds)).toMatchObject({ type: 'pointerdown', label });
      expect(up?.type, JSON.stringify(holds)).toBe('pointerup');
      lastRecorded.set(label, up!.label === label ? up!.position : Infinity);
    }
    await expect
      .poll(() => page.locator('#labels li [data-testid="count"]').allTextContents(), { timeout: 10_000 })
      .toSatisfy((counts: string[]) => counts.every((c) => Number(c) >= MIN_EXAMPLES[backend]));

    await page.click('[data-testid="train"]');
    await page.waitForSelector('[data-testid="train-status"][data-state="trained"]', { timeout: 120_000 });

    // Record which photo (and which frame of it) each camera frame showed, then check every label the app
    // showed against the photo in the very frame it was predicted from (the app puts that frame's time on the element).
    await page.evaluate((markers) => {
      const video = document.getElementById('preview') as HTMLVideoElement;
      const truth: [number, Truth][] = ((window as unknown as { truth: [number, Truth][] }).truth = []);
      const tick = () => {
        truth.push([performance.now(), window.frameTruth(video, markers)]);
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
        const truth = (window as unknown as { truth: [number, Truth][] }).truth;
        // The app reads the video when the worker is free: the picture it took is the last one shown before t.
        const at = (t: number) => truth.reduce((best, e) => (e[0] <= t + 1 ? e : best))[1];
        return shown
          .filter(([t]) => Number(t) >= truth[0]![0])
          .map(([t, label]) => ({ marker: at(Number(t)).label, position: at(Number(t)).position, shown: label }));
      },
      [...shown],
    );
    // Held out: the second half of a segment, after the frame the hold was let go on. The last frame of a
    // segment is left out, since the picture taken may already be the next photo's first.
    const heldOut = samples.filter(
      (s) =>
        s.position >= RECORD_FRAMES && s.position > lastRecorded.get(s.marker)! && s.position < FRAMES_PER_PHOTO - 1,
    );
    const heldOutRight = heldOut.filter((s) => s.shown === s.marker).length;
    const right = samples.filter((s) => s.shown === s.marker).length;
    console.info(
      `app on ${backend}: ${right}/${samples.length} labels shown match the photo in their frame, ${heldOutRight}/${heldOut.length} on held-out frames; holds ${JSON.stringify(holds)}`,
    );
    const context = JSON.stringify({ samples, holds, logs: logs.slice(-10) });
    for (const label of CLIP_LABELS)
      expect(
        (EVERY_LABEL_HELD_OUT[backend] ? heldOut : samples).some((s) => s.marker === label && s.shown === label),
        context,
      ).toBe(true);
    expect(right / samples.length, context).toBeGreaterThanOrEqual(0.9);
    expect(heldOut.length, context).toBeGreaterThanOrEqual(backend === 'webgpu' ? 3 : 6);
    expect(heldOutRight / heldOut.length, context).toBeGreaterThanOrEqual(0.9);
    expect(await page.textContent('[data-testid="metrics"]')).toMatch(
      new RegExp(`predictions/s .* ${backend} · \\d+ tensors`),
    );
    await page.close();
  });
});
