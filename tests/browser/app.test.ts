/**
 * The studio on the GPU backends, WebGL and WebGPU (software, SwiftShader, here), chosen in the page's
 * address as a person would: it starts on the backend asked for, the project kept in the browser comes back
 * on it and predicts by itself, and the label it shows, straight from the model, follows the fake camera's
 * photos, judged above all on held-out frames (from the second half of each photo's segment, which no
 * example came from).
 *
 * What each backend run proves, and where the rest is:
 * - teaching through the studio (naming classes, holding Record with the mouse and a key, uploading photos,
 *   training with its chart, the label and the OSC following the clip) runs on wasm, in studio.test.ts;
 * - recording, training and predicting through the public API on every backend is api.test.ts's;
 * - here, on webgl and webgpu: the studio's own start on that backend, its restored project, its live run
 *   and the label it shows. The project is taught once, on wasm, through the API, in a browser profile
 *   each test starts a copy of (taught-project.ts), so no software GPU spends a minute on what wasm does in
 *   seconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLIP_LABELS } from '../support/clip';
import { heldOut, rightShare, watchShown } from './app-judge';
import { open } from './browser';
import { cards, launchProfile } from './studio-page';
import { copyProfile, taughtProfile } from './taught-project';

const scratch = mkdtempSync(join(tmpdir(), 'tw-app-'));
/** A profile holding the taught project, made once; each test starts the studio on a copy. */
let taught: Awaited<ReturnType<typeof taughtProfile>>;
beforeAll(async () => {
  taught = await taughtProfile(scratch);
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * The evidence each run waits for: `perLabel` held-out predictions of every photo and `minSamples` in all.
 * Software WebGPU makes 0.4–1.6 predictions a second here, so there one held-out prediction of each photo
 * (a few passes of the 6 s clip) is all that is waited for.
 */
const EVIDENCE = {
  webgl: { perLabel: 2, minSamples: 10, timeoutMs: 60_000 },
  webgpu: { perLabel: 1, minSamples: 4, timeoutMs: 150_000 },
} as const;

describe.each(['webgl', 'webgpu'] as const)('the studio on %s', (backend) => {
  test('starts on it, the kept project predicts by itself, and the shown label follows the clip', async () => {
    const profile = await launchProfile(copyProfile(taught.dir, scratch));
    try {
      const { page, logs } = await open(profile, `index.html?backend=${backend}`);
      await page.waitForSelector('[data-testid="status"][data-backend]', { timeout: 60_000 });
      expect(await page.getAttribute('[data-testid="status"]', 'data-backend')).toBe(backend);
      expect(await cards(page)).toEqual(taught.cards);
      await expect.poll(() => page.getAttribute('[data-testid="run"]', 'data-running')).toBe('true');
      // The label shown straight from the model: no smoothing, no hold.
      await page.getByRole('slider', { name: 'Smoothing' }).fill('0');
      await page.getByRole('spinbutton', { name: 'Hold' }).fill('1');

      // Every label the app showed, checked against the photo in the very frame it was predicted from.
      const samples = await watchShown(page, { labels: CLIP_LABELS, ...EVIDENCE[backend] });
      const held = heldOut(samples);
      const right = samples.filter((s) => s.shown === s.marker).length;
      const heldRight = held.filter((s) => s.shown === s.marker).length;
      console.info(
        `studio on ${backend}: ${right}/${samples.length} labels shown match the photo in their frame, ${heldRight}/${held.length} on held-out frames; wrong: ${JSON.stringify(samples.filter((s) => s.shown !== s.marker))}`,
      );
      const context = JSON.stringify({ samples, logs: logs.slice(-10) });
      for (const label of CLIP_LABELS)
        expect(
          held.some((s) => s.marker === label && s.shown === label),
          `${label}: ${context}`,
        ).toBe(true);
      expect(samples.length, context).toBeGreaterThanOrEqual(EVIDENCE[backend].minSamples);
      expect(rightShare(samples), context).toBeGreaterThanOrEqual(0.9);
      expect(rightShare(held), context).toBeGreaterThanOrEqual(0.9);
      expect(await page.textContent('[data-testid="metrics"]')).toMatch(
        new RegExp(`predictions/s .* ${backend} · \\d+ tensors`),
      );
    } finally {
      await profile.close();
    }
  });
});
