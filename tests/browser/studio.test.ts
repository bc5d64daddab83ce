/**
 * The studio, as a new user meets it (issue 8), driven only through the page by the names a screen reader
 * reads: rename the two classes a new project starts with and add a third; record each photo of the fake
 * camera's clip (with the mouse, and with a held shortcut key), upload the real photos; train (the chart gets
 * a point an epoch); the label shown and the OSC that reaches a UDP receiver through the real bridge follow
 * the clip. Then everything comes back, predicting by itself: after a reload, after the browser is closed
 * and started again on the same profile, and from a saved project file opened in a fresh profile. Bad input
 * (a corrupt file, a newer version, a second tab on the project) leaves the session as it was and says why.
 *
 * The tests share one session and run in order. Screenshots of each main screen go to test-results/.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { cleanUp, startBridge, type BridgeProcess } from '../support/bridge';
import { CLIP_LABELS, RECORD_FRAMES } from '../support/clip';
import { startOscdump, type Oscdump } from '../support/oscdump';
import { SHARED } from '../support/paths';
import { heldOut, lastRecorded, rightShare, sampleShown, trackFrames, trackHolds, type Sample } from './app-judge';
import { RELEASE_MARGIN, holdThroughSegment, waitForPosition, waitForSegmentStart } from './app-page';
import { open } from './browser';
import {
  cards,
  labelChanges,
  launchProfile,
  renameClass,
  screenshot,
  settledCards,
  SHOTS,
  studioReady,
} from './studio-page';

const PHOTOS: Record<(typeof CLIP_LABELS)[number], string> = {
  chelsea: 'chelsea.png',
  coffee: 'coffee.png',
  rocket: 'rocket.jpg',
};
/** Long enough to see each photo's held-out half at least once (the clip loops every 9 s). */
const WATCH_MS = 9500;

const profile = mkdtempSync(join(tmpdir(), 'tw-studio-'));
const fresh = mkdtempSync(join(tmpdir(), 'tw-studio-fresh-'));
const scratch = mkdtempSync(join(tmpdir(), 'tw-studio-files-'));
const saved = join(scratch, 'studio.trainwhistle');
let dump: Oscdump;
let bridge: BridgeProcess;
let context: BrowserContext;
let page: Page;
let logs: string[] = [];
/** What the first session taught: the cards, and the last frame each hold could have recorded. */
let taught: { name: string; count: number }[];
let recordedUntil: Map<string, number>;

beforeAll(async () => {
  dump = await startOscdump();
  const origin = new URL(inject('baseUrl')).origin;
  bridge = await startBridge(['--send', `127.0.0.1:${dump.port}`, '--allow-origin', origin]);
  context = await launchProfile(profile);
});
afterAll(async () => {
  await context?.close();
  dump?.stop();
  await cleanUp();
  for (const dir of [profile, fresh, scratch]) rmSync(dir, { recursive: true, force: true });
});

async function openStudio(ctx: BrowserContext): Promise<Page> {
  const opened = await open(ctx, 'index.html?backend=wasm');
  logs = opened.logs;
  await studioReady(opened.page);
  return opened.page;
}

/** What the page and the UDP receiver show while the camera plays the clip, judged frame by frame. */
async function watch(p: Page, lastRecorded?: Map<string, number>) {
  const from = dump.all.length;
  await trackFrames(p);
  const samples = await sampleShown(p, WATCH_MS);
  const held = heldOut(samples, lastRecorded);
  const osc = labelChanges(dump.all.slice(from));
  const context = JSON.stringify({ held, osc, logs: logs.slice(-10) });
  return { samples, held, osc, context };
}

/** The label shown follows the clip on frames no example came from, and the OSC labels change in the clip's order. */
function expectFollowsClip({ samples, held, osc, context }: Awaited<ReturnType<typeof watch>>): void {
  for (const label of CLIP_LABELS)
    expect(
      held.some((s: Sample) => s.marker === label && s.shown === label),
      `${label}: ${context}`,
    ).toBe(true);
  expect(held.length, context).toBeGreaterThanOrEqual(6);
  expect(rightShare(held), context).toBeGreaterThanOrEqual(0.9);
  // Smoothing and hold (on by default) keep the old label a few predictions after each cut.
  expect(rightShare(samples), context).toBeGreaterThanOrEqual(0.8);
  expect(osc.length, context).toBeGreaterThanOrEqual(3);
  for (let i = 1; i < osc.length; i++) {
    const previous = CLIP_LABELS.indexOf(osc[i - 1] as (typeof CLIP_LABELS)[number]);
    expect(osc[i], `OSC label changes ${osc.join(' → ')}`).toBe(CLIP_LABELS[(previous + 1) % CLIP_LABELS.length]);
  }
}

/** The studio shows the project as taught, predicting by itself (nobody pressed anything). */
async function expectRestored(p: Page): Promise<void> {
  await expect.poll(() => cards(p), { timeout: 10_000 }).toEqual(taught);
  await expect.poll(() => p.getAttribute('[data-testid="run"]', 'data-running'), { timeout: 20_000 }).toBe('true');
  expect(await p.getByLabel('Bridge').inputValue()).toBe(`ws://127.0.0.1:${bridge.wsPort}`);
  expect(await p.getByRole('slider', { name: 'Smoothing' }).inputValue()).toBe('0.5');
  await p.waitForSelector('[data-testid="osc-status"][data-status="connected"]');
}

describe.sequential('the studio', () => {
  test('teach: classes, recording from the camera, uploaded photos, training with a live chart; the label and the OSC follow the clip', async () => {
    page = await openStudio(context);
    await screenshot(page, 'studio-1-new-project');
    // A new project starts with two classes.
    expect(await cards(page)).toEqual([
      { name: 'Class 1', count: 0 },
      { name: 'Class 2', count: 0 },
    ]);
    await renameClass(page, 'Class 1', 'chelsea');
    await renameClass(page, 'Class 2', 'coffee');
    await page.getByRole('button', { name: 'Add class' }).click();
    // The new card's name is ready to be typed over.
    await page.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.value === 'Class 3');
    await page.keyboard.type('rocket');
    await page.keyboard.press('Enter');
    await expect.poll(() => cards(page)).toEqual(CLIP_LABELS.map((name) => ({ name, count: 0 })));

    const bridgeUrl = page.getByLabel('Bridge');
    await bridgeUrl.fill(`ws://127.0.0.1:${bridge.wsPort}`);
    await bridgeUrl.press('Tab');
    await page.waitForSelector('[data-testid="osc-status"][data-status="connected"]');

    // Hold "Record chelsea" and "Record coffee" with the mouse, and the 3 key for the third card, each
    // through the first half of its photo's segment.
    await trackHolds(page);
    for (const [i, label] of CLIP_LABELS.entries()) {
      if (i < 2) {
        await holdThroughSegment(page, label, page.getByRole('button', { name: `Record ${label}` }));
      } else {
        await waitForSegmentStart(page, label);
        await page.locator('body').focus();
        await page.keyboard.down('3');
        await waitForPosition(page, label, RECORD_FRAMES - RELEASE_MARGIN);
        await page.keyboard.up('3');
      }
    }
    recordedUntil = await lastRecorded(page, CLIP_LABELS);
    await expect
      .poll(() => cards(page), { timeout: 10_000 })
      .toSatisfy((c: { count: number }[]) => c.every((x) => x.count >= 2));
    const recorded = await settledCards(page);

    // Upload each real photo to its class; a text file among them is skipped, and the card says so.
    for (const label of CLIP_LABELS) {
      const files = [join(SHARED, 'fixtures', PHOTOS[label])];
      await page
        .getByLabel(`Upload images for ${label}`)
        .setInputFiles(
          label === 'chelsea'
            ? [...files, { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') }].map(
                (f) =>
                  typeof f === 'string' ? { name: PHOTOS[label], mimeType: 'image/png', buffer: readFileSync(f) } : f,
              )
            : files,
        );
      await expect
        .poll(() => page.getByRole('region', { name: label }).getByRole('status').textContent())
        .toMatch(
          label === 'chelsea' ? /^Added 1 picture\. Skipped notes\.txt \(not an image\)/ : /^Added 1 picture\.$/,
        );
    }
    expect(await settledCards(page)).toEqual(recorded.map((c) => ({ ...c, count: c.count + 1 })));
    await screenshot(page, 'studio-2-recorded');

    // Train: a point an epoch on the chart, then predicting starts by itself.
    await page.getByRole('button', { name: 'Train' }).click();
    await page.waitForSelector('[data-testid="train-status"][data-state="trained"]', { timeout: 120_000 });
    expect(Number(await page.getAttribute('[data-testid="training-chart"]', 'data-points'))).toBe(20);
    await expect.poll(() => page.getAttribute('[data-testid="run"]', 'data-running')).toBe('true');
    taught = await cards(page);

    const seen = await watch(page, recordedUntil);
    console.info(
      `studio: ${seen.held.filter((s) => s.shown === s.marker).length}/${seen.held.length} held-out labels right, OSC ${seen.osc.join(' → ')}`,
    );
    expectFollowsClip(seen);
    // The outputs panel shows what Max received last.
    expect(await page.getByTestId('osc-last').textContent()).toMatch(/\/tw\/confidences( [01]\.\d{3}){3}/);
    expect(await page.getByTestId('metrics').textContent()).toMatch(/predictions\/s .* wasm · \d+ tensors/);
    // Under the hood: a row per class, the confusion matrix over the three.
    await page.waitForSelector('[data-testid="under-the-hood"][data-state="done"]');
    expect(await page.locator('[data-testid="per-class"] tbody tr').count()).toBe(3);
    expect(await page.locator('[data-testid="confusion"] tbody tr').count()).toBe(3);
    const tour = await screenshot(page, 'studio-3-trained');
    copyFileSync(tour, join(SHOTS, 'studio-tour.png'));
    await screenshot(page, 'studio-3-full', true);
    await page.getByTestId('osc-last').scrollIntoViewIfNeeded();
    await screenshot(page, 'studio-4-outputs');
  });

  test('reload: everything comes back, and it predicts again by itself', async () => {
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 60_000 });
    await studioReady(page);
    await expectRestored(page);
    expectFollowsClip(await watch(page, recordedUntil));
  });

  test('the browser closed and started again on the same profile: the same', async () => {
    await context.close();
    context = await launchProfile(profile);
    page = await openStudio(context);
    await expectRestored(page);
    expectFollowsClip(await watch(page, recordedUntil));
  });

  test('Save project, then Open project in a fresh profile: the same classes, predicting the same', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Save project' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('My project.trainwhistle');
    await download.saveAs(saved);
    await context.close();

    context = await launchProfile(fresh);
    page = await openStudio(context);
    expect(await cards(page)).toEqual([
      { name: 'Class 1', count: 0 },
      { name: 'Class 2', count: 0 },
    ]);
    await page.getByLabel('Open project').setInputFiles(saved);
    // A file becomes a project of its own, named after it; the one open before is kept.
    await expect.poll(() => page.textContent('#project-name'), { timeout: 60_000 }).toBe('studio');
    await expectRestored(page);
    expectFollowsClip(await watch(page, recordedUntil));
    await screenshot(page, 'studio-5-opened-in-a-fresh-profile');
  });

  test('a corrupt file, a newer version, or a second tab on the project: the session goes on untouched, and a message says why', async () => {
    const name = await page.textContent('#project-name');
    const zipped = unzipSync(readFileSync(saved));
    const manifest = JSON.parse(strFromU8(zipped['trainwhistle-project.json']!)) as Record<string, unknown>;
    const newer = zipSync({
      ...zipped,
      'trainwhistle-project.json': strToU8(JSON.stringify({ ...manifest, version: 2 })),
    });
    const bad = [
      {
        file: 'corrupt.trainwhistle',
        bytes: readFileSync(saved).subarray(0, 2000),
        says: /damaged|not a trainwhistle project/,
      },
      { file: 'newer.trainwhistle', bytes: Buffer.from(newer), says: /saved by a newer trainwhistle/ },
    ];
    for (const { file, bytes, says } of bad) {
      const path = join(scratch, file);
      writeFileSync(path, bytes);
      await page.getByLabel('Open project').setInputFiles(path);
      await expect.poll(() => page.getByTestId('error').textContent(), { timeout: 30_000 }).toMatch(says);
      expect(await page.textContent('#project-name')).toBe(name);
      expect(await cards(page)).toEqual(taught);
      expect(await page.getAttribute('[data-testid="run"]', 'data-running')).toBe('true');
    }
    await screenshot(page, 'studio-6-bad-file');
    // No project was left behind by the files that did not open.
    await page.locator('#projects > summary').click();
    await expect.poll(() => page.locator('#project-list li').allTextContents()).toHaveLength(2);
    await page.locator('#projects > summary').click();

    const second = await open(context, 'index.html?backend=wasm', { ready: false });
    await expect
      .poll(() => second.page.getByTestId('error').textContent(), { timeout: 60_000 })
      .toMatch(/is open in another tab or window\. Close it there/);
    expect(await second.page.textContent('[data-testid="status"]')).toMatch(/is open in another tab/);
    await screenshot(second.page, 'studio-7-second-tab');
    await second.page.close();
    await page.bringToFront();
    expect(await cards(page)).toEqual(taught);
    expectFollowsClip(await watch(page, recordedUntil));
  });
});

describe.sequential('regression in the studio', () => {
  test('New project, sliders instead of classes: the examples carry the sliders’ values, and the outputs follow', async () => {
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByRole('textbox', { name: 'Project name' }).fill('sliders');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.textContent('#project-name'), { timeout: 60_000 }).toBe('sliders');
    await page.getByLabel('Model').selectOption('regression');
    await page.getByRole('button', { name: 'Add output' }).waitFor();
    const slider = page.getByRole('slider', { name: 'Target for value' });
    const record = page.getByRole('button', { name: 'Record with the slider values' });
    for (const [label, target] of [
      ['chelsea', '0.1'],
      ['coffee', '0.9'],
    ] as const) {
      await slider.fill(target);
      await holdThroughSegment(page, label, record);
    }
    await page.getByRole('button', { name: 'Train' }).click();
    await page.waitForSelector('[data-testid="train-status"][data-state="trained"]', { timeout: 120_000 });
    await screenshot(page, 'studio-8-regression');
    // On each photo's held-out half the shown value is near the target it was recorded with.
    const valueOn = async (label: string) => {
      await waitForSegmentStart(page, label);
      await waitForPosition(page, label, RECORD_FRAMES + 20);
      return Number(/value ([\d.]+)/.exec((await page.textContent('#prediction')) ?? '')?.[1]);
    };
    const chelsea = await valueOn('chelsea');
    const coffee = await valueOn('coffee');
    expect(chelsea, `chelsea ${chelsea}, coffee ${coffee}`).toBeLessThan(0.35);
    expect(coffee, `chelsea ${chelsea}, coffee ${coffee}`).toBeGreaterThan(0.65);
    expect(await page.getByTestId('osc-last').textContent()).toMatch(/^\/tw\/output\/value [01]\.\d{3}/);
  });
});
