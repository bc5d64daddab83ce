/**
 * The studio with pose features (issue 9), driven through the page by the names a screen reader reads: a
 * project learning from the body's keypoints shows the skeleton over a video of people (no training
 * needed) and says "Nobody in view" when there is no one; two poses taught with Record are told apart, live;
 * two gestures, one hold of Record each, are recognised when performed again, the last match shown; a
 * template is deleted; switching a project's features re-embeds its examples and a notice says so. The
 * keypoints (`/tw/pose…`), "nobody" and the gestures (`/tw/gesture`) reach a UDP receiver (liblo's oscdump)
 * through the real bridge.
 *
 * The fake camera only plays photos without people, so the app is given a video file of people instead,
 * through its source picker: a WebM made in the browser from the real photos (../shared/fixtures/people),
 * recorded by MediaRecorder from a canvas, with a marker square per segment so the test knows what is on
 * screen independently of any model:
 *
 *   kick   0.0–2.5 s  the footballer, upright, drifting and breathing a little (no two frames alike)
 *   ball   2.5–5.0 s  the basketball players, zooming in slowly
 *   cat    5.0–7.0 s  the cat: nobody in view
 *   right  7.0–9.5 s  the footballer leaning from −25° to +25° over 2 s, then still: a gesture
 *   left   9.5–12 s   back from +25° to −25° over 2 s, then still: another
 *
 * The tests share one session and run in order. Screenshots go to test-results/studio-pose-*.png.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { cleanUp, startBridge, type BridgeProcess } from '../support/bridge';
import { startOscdump, type Oscdump } from '../support/oscdump';
import { SHARED } from '../support/paths';
import { open } from './browser';
import { cards, labelChanges, launchProfile, screenshot, studioReady } from './studio-page';

const SEGMENTS = {
  kick: { from: 0, to: 2500, marker: [240, 16, 16] },
  ball: { from: 2500, to: 5000, marker: [16, 224, 16] },
  cat: { from: 5000, to: 7000, marker: [16, 16, 240] },
  right: { from: 7000, to: 9500, marker: [240, 240, 16] },
  left: { from: 9500, to: 12_000, marker: [240, 16, 240] },
} as const satisfies Record<string, { from: number; to: number; marker: [number, number, number] }>;
type Segment = keyof typeof SEGMENTS;
const VIDEO_MS = 12_000;
/** Side of the marker square, in pixels of the 640×480 picture. */
const MARKER = 40;

/** Records the video in `page` (any page of the app's origin); resolves with its bytes. About 12 s. */
async function makePeopleVideo(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(
    async ({ photos, segments, total, marker }) => {
      const load = async (b64: string) => createImageBitmap(await (await fetch(`data:image/*;base64,${b64}`)).blob());
      const [messi, players, cat] = await Promise.all([load(photos.messi), load(photos.players), load(photos.cat)]);
      const canvas = Object.assign(document.createElement('canvas'), { width: 640, height: 480 });
      const g = canvas.getContext('2d')!;
      /** `image` `width` px wide, centred at (cx, cy), turned by `angle` degrees. */
      const put = (image: ImageBitmap, width: number, cx: number, cy: number, angle = 0) => {
        const height = (width * image.height) / image.width;
        g.save();
        g.translate(cx, cy);
        g.rotate((angle * Math.PI) / 180);
        g.drawImage(image, -width / 2, -height / 2, width, height);
        g.restore();
      };
      const lean = (t: number, from: number, to: number) => from + (to - from) * Math.min(1, t / 2000);
      const draw = (t: number) => {
        g.fillStyle = '#000';
        g.fillRect(0, 0, 640, 480);
        const at = (name: keyof typeof segments) => t >= segments[name].from && t < segments[name].to;
        const name = (Object.keys(segments) as (keyof typeof segments)[]).find(at) ?? 'left';
        const local = t - segments[name].from;
        if (name === 'kick') put(messi, 470 + 20 * Math.sin(local / 400), 320 + 30 * Math.sin(local / 700), 245);
        else if (name === 'ball') put(players, 600 + local / 25, 320, 240);
        else if (name === 'cat') put(cat, 600, 320, 240);
        else if (name === 'right') put(messi, 460, 320, 245, lean(local, -25, 25));
        else put(messi, 460, 320, 245, lean(local, 25, -25));
        g.fillStyle = `rgb(${segments[name].marker.join(',')})`;
        g.fillRect(0, 0, marker, marker);
      };
      draw(0);
      const recorder = new MediaRecorder(canvas.captureStream(30), { mimeType: 'video/webm;codecs=vp8' });
      const chunks: Blob[] = [];
      recorder.ondataavailable = (e) => chunks.push(e.data);
      const stopped = new Promise((resolve) => (recorder.onstop = resolve));
      recorder.start();
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        const tick = () => {
          const t = performance.now() - t0;
          if (t >= total) return resolve();
          draw(t);
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      recorder.stop();
      await stopped;
      const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    },
    {
      photos: {
        messi: photo('people/messi5.jpg'),
        players: photo('people/basketball1.png'),
        cat: photo('chelsea.png'),
      },
      segments: SEGMENTS,
      total: VIDEO_MS,
      marker: MARKER,
    },
  );
  return Buffer.from(base64, 'base64');
}

/** Runs in the page: which segment the `<video>` with id `id` shows now, from its marker square. */
function segmentIn(id: string, markers: Record<string, readonly number[]>): string {
  const video = document.getElementById(id) as HTMLVideoElement;
  if (video.readyState < 2) return '';
  const probe = ((window as unknown as { segmentProbe?: CanvasRenderingContext2D }).segmentProbe ??= Object.assign(
    document.createElement('canvas'),
    { width: 64, height: 48 },
  ).getContext('2d', {
    willReadFrequently: true,
  })!);
  probe.drawImage(video, 0, 0, 64, 48);
  const [r, g, b] = probe.getImageData(1, 1, 1, 1).data;
  let best = '';
  let bestDistance = Infinity;
  for (const [name, [mr, mg, mb]] of Object.entries(markers)) {
    const d = (r! - mr!) ** 2 + (g! - mg!) ** 2 + (b! - mb!) ** 2;
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return bestDistance < 3 * 80 ** 2 ? best : '';
}

const markers = () => Object.fromEntries(Object.entries(SEGMENTS).map(([k, v]) => [k, v.marker]));

/** The segment the app's preview shows now ('' when none can be read). */
async function segmentNow(page: Page, id = 'preview'): Promise<string> {
  return page.evaluate(`(${segmentIn.toString()})(${JSON.stringify(id)}, ${JSON.stringify(markers())})`);
}

/** Resolves when the preview cuts to `segment` (its first frames), checked on every animation frame. */
async function waitForSegmentStart(page: Page, segment: Segment, id = 'preview'): Promise<void> {
  await page.waitForFunction(
    `(() => {
      const now = (${segmentIn.toString()})(${JSON.stringify(id)}, ${JSON.stringify(markers())});
      const before = window.__segmentBefore;
      window.__segmentBefore = now;
      return now === ${JSON.stringify(segment)} && before !== undefined && before !== now;
    })()`,
    undefined,
    { polling: 'raf', timeout: 2 * VIDEO_MS + 5000 },
  );
  await page.evaluate('delete window.__segmentBefore');
}

const photo = (name: string) => readFileSync(join(SHARED, 'fixtures', name)).toString('base64');

const profile = mkdtempSync(join(tmpdir(), 'tw-studio-pose-'));
const scratch = mkdtempSync(join(tmpdir(), 'tw-studio-pose-files-'));
const videoPath = join(scratch, 'people.webm');
let dump: Oscdump;
let bridge: BridgeProcess;
let context: BrowserContext;
let page: Page;
let logs: string[] = [];

beforeAll(async () => {
  dump = await startOscdump();
  const origin = new URL(inject('baseUrl')).origin;
  bridge = await startBridge(['--send', `127.0.0.1:${dump.port}`, '--allow-origin', origin]);
  context = await launchProfile(profile);
  const maker = await open(context, 'tests/browser/harness.html');
  writeFileSync(videoPath, await makePeopleVideo(maker.page));
  await maker.page.close();
});
afterAll(async () => {
  await context?.close();
  dump?.stop();
  await cleanUp();
  for (const dir of [profile, scratch]) rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The skeleton overlay as drawn: keypoints drawn, whether a person was seen, and how many of its pixels are painted. */
async function skeleton(p: Page) {
  return p.evaluate(() => {
    const canvas = document.getElementById('skeleton') as HTMLCanvasElement;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted += 1;
    return {
      keypoints: Number(canvas.dataset.keypoints ?? 0),
      person: canvas.dataset.person,
      painted,
      nobody: !document.getElementById('nobody')!.hidden,
    };
  });
}

/** A screenshot of the studio from its top, with nothing focused (as a person arriving sees it). */
async function shot(p: Page, name: string, fullPage = false): Promise<string> {
  await p.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  return screenshot(p, name, fullPage);
}

/** Holds a card's Record button from now for `ms`, with the mouse. */
async function holdRecord(p: Page, name: string, ms: number): Promise<void> {
  const button = p.getByRole('button', { name: `Record ${name}` });
  const box = (await button.boundingBox())!;
  await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await p.mouse.down();
  await sleep(ms);
  await p.mouse.up();
}

/**
 * The label the preview shows every 100 ms for `ms`, with the segment on screen and how long it has been
 * on (ms since the first sample that showed it).
 */
async function watchLabels(p: Page, ms: number): Promise<{ segment: string; shown: string; since: number }[]> {
  const samples: { segment: string; shown: string; since: number }[] = [];
  const end = Date.now() + ms;
  let cut = Date.now();
  while (Date.now() < end) {
    const [segment, shown] = await Promise.all([segmentNow(p), p.textContent('#prediction')]);
    if (segment !== samples.at(-1)?.segment) cut = Date.now();
    samples.push({ segment, shown: shown ?? '', since: Date.now() - cut });
    await sleep(100);
  }
  return samples;
}

/** Renames the card named `from` by typing in its name field (a class's or a gesture's). */
async function rename(p: Page, from: string, to: string, field = 'Class name'): Promise<void> {
  const input = p.getByRole('region', { name: from }).getByRole('textbox', { name: field });
  await input.fill(to);
  await input.press('Enter');
  await expect.poll(() => p.getByRole('region', { name: to }).count()).toBe(1);
}

describe.sequential('the studio with pose features', () => {
  test('the skeleton over a video of people, before any training; "Nobody in view" over the cat; the keypoints reach the patch', async () => {
    const opened = await open(context, 'index.html?backend=wasm&features=pose');
    page = opened.page;
    logs = opened.logs;
    await studioReady(page);
    expect(await page.getByLabel('Features').inputValue()).toBe('pose');
    const bridgeUrl = page.getByLabel('Bridge');
    await bridgeUrl.fill(`ws://127.0.0.1:${bridge.wsPort}`);
    await bridgeUrl.press('Tab');
    await page.waitForSelector('[data-testid="osc-status"][data-status="connected"]');
    expect(await page.getByLabel('Pose keypoints').isChecked()).toBe(true);

    // No camera with people: the video file, through the source picker.
    await page.getByLabel('Source').selectOption('file');
    await page.getByLabel('Video file').setInputFiles(videoPath);
    await waitForSegmentStart(page, 'kick');
    await sleep(800);
    await expect.poll(() => skeleton(page), { timeout: 10_000 }).toMatchObject({ person: 'true', nobody: false });
    const drawn = await skeleton(page);
    expect(drawn.keypoints, JSON.stringify({ drawn, logs: logs.slice(-5) })).toBeGreaterThanOrEqual(10);
    expect(drawn.painted).toBeGreaterThan(500);
    expect(await page.getAttribute('[data-testid="run"]', 'data-running')).toBe('true');
    await shot(page, 'studio-pose-1-skeleton');

    await waitForSegmentStart(page, 'cat');
    await sleep(700);
    await expect.poll(() => skeleton(page), { timeout: 5000 }).toMatchObject({ nobody: true, keypoints: 0 });
    expect(await page.getByRole('status').filter({ hasText: 'Nobody in view' }).isVisible()).toBe(true);
    await shot(page, 'studio-pose-2-nobody');

    // What the patch got: each keypoint as x y score, the 51 in one, and "nobody" when the cat came.
    const lines = dump.all;
    expect(lines.some((l) => /^\/tw\/pose\/nose fff [01]\.\d{6} [01]\.\d{6} [01]\.\d{6}$/.test(l))).toBe(true);
    expect(lines.some((l) => new RegExp(`^/tw/pose ${'f'.repeat(51)}( [01]\\.\\d{6}){51}$`).test(l))).toBe(true);
    expect(lines).toContain('/tw/noperson i 1');
    expect(lines).toContain('/tw/noperson i 0');
  });

  test('two poses taught with Record are told apart live; nobody in view gives no class', async () => {
    await rename(page, 'Class 1', 'kick');
    await rename(page, 'Class 2', 'ball');
    for (const name of ['kick', 'ball'] as const) {
      await waitForSegmentStart(page, name);
      await sleep(250);
      await holdRecord(page, name, 2000);
    }
    await expect
      .poll(() => cards(page), { timeout: 10_000 })
      .toSatisfy((c: { count: number }[]) => c.length === 2 && c.every((x) => x.count >= 3));
    await page.getByRole('button', { name: 'Train' }).click();
    await page.waitForSelector('[data-testid="train-status"][data-state="trained"]', { timeout: 120_000 });
    await expect.poll(() => page.getAttribute('[data-testid="run"]', 'data-running')).toBe('true');

    const from = dump.all.length;
    await waitForSegmentStart(page, 'kick');
    const samples = await watchLabels(page, VIDEO_MS);
    const context = JSON.stringify({ samples, logs: logs.slice(-5) });
    // Judged from 1.2 s after each cut: until then the label may still be the last one (the prediction's
    // latency, then smoothing and hold, on by default, at the few predictions a second MoveNet gives here).
    const on = (segment: string) => samples.filter((s) => s.segment === segment && s.since >= 1200);
    const share = (segment: string, label: string) =>
      on(segment).filter((s) => s.shown === label).length / Math.max(1, on(segment).length);
    expect(on('ball').length, context).toBeGreaterThanOrEqual(5);
    expect(share('kick', 'kick'), context).toBeGreaterThanOrEqual(0.8);
    expect(share('ball', 'ball'), context).toBeGreaterThanOrEqual(0.8);
    expect(share('cat', '—'), context).toBeGreaterThanOrEqual(0.8);
    expect(labelChanges(dump.all.slice(from))).toEqual(expect.arrayContaining(['kick', 'ball', '']));
    await shot(page, 'studio-pose-3-classes');
  });

  test('gestures: one hold of Record per gesture; each is recognised when performed again, the last match shown and sent as /tw/gesture', async () => {
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByRole('textbox', { name: 'Project name' }).fill('gestures');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.textContent('#project-name'), { timeout: 60_000 }).toBe('gestures');
    // A new project learns from the features of the one open before.
    expect(await page.getByLabel('Features').inputValue()).toBe('pose');
    await page.getByLabel('Model').selectOption('dtw');
    await page.getByRole('button', { name: 'Add gesture' }).waitFor();
    await rename(page, 'Class 1', 'lean right', 'Gesture name');
    await rename(page, 'Class 2', 'lean left', 'Gesture name');

    // Each gesture's whole movement, press to release: one template each.
    for (const [name, segment] of [
      ['lean right', 'right'],
      ['lean left', 'left'],
    ] as const) {
      await waitForSegmentStart(page, segment);
      await holdRecord(page, name, 2300);
    }
    await expect
      .poll(() => cards(page), { timeout: 10_000 })
      .toEqual([
        { name: 'lean right', count: 1 },
        { name: 'lean left', count: 1 },
      ]);
    const frames = await page
      .locator('[data-testid="templates"] li')
      .evaluateAll((items) => items.map((li) => Number((li as HTMLElement).dataset.frames)));
    expect(
      frames.every((n) => n >= 8),
      `frames per template: ${frames.join(', ')}`,
    ).toBe(true);
    await shot(page, 'studio-pose-4-templates');

    // The gestures' own settings under Advanced: the threshold empty (the default for poses), the quiet time.
    await page.getByText('Advanced settings').click();
    const threshold = page.getByLabel('Match below (distance)');
    const quiet = page.getByLabel('Quiet after a match (ms)');
    expect(await threshold.inputValue()).toBe('');
    expect(await quiet.inputValue()).toBe('600');
    expect(await page.getByLabel('Epochs').isVisible()).toBe(false);
    await quiet.fill('700');
    await quiet.press('Tab');
    await expect.poll(() => quiet.inputValue()).toBe('700');
    await page.getByText('Advanced settings').click();

    await page.getByRole('button', { name: 'Train' }).click();
    await page.waitForSelector('[data-testid="train-status"][data-state="trained"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid="train-status"]')).toMatch(/^Ready: 2 templates/);
    await expect.poll(() => page.getAttribute('[data-testid="run"]', 'data-running')).toBe('true');

    // The next time round the video, each gesture is recognised as it is performed.
    const from = dump.all.length;
    const seen: string[] = [];
    const end = Date.now() + 2 * VIDEO_MS;
    while (Date.now() < end && !(seen.includes('lean right') && seen.includes('lean left'))) {
      const name = await page.getAttribute('[data-testid="last-gesture"]', 'data-name');
      if (name && name !== seen.at(-1)) seen.push(name);
      await sleep(100);
    }
    // The page shows a match as it sends it; the bridge and the UDP hop may take a moment longer.
    const sentBoth = () => {
      const lines = dump.all.slice(from).filter((l) => l.startsWith('/tw/gesture '));
      return ['lean right', 'lean left'].every((name) => lines.some((l) => l.startsWith(`/tw/gesture sf "${name}"`)));
    };
    if (seen.includes('lean left') && seen.includes('lean right'))
      await expect.poll(sentBoth, { timeout: 5000 }).toBe(true);
    const gestures = dump.all.slice(from).filter((l) => l.startsWith('/tw/gesture '));
    const context = JSON.stringify({ seen, gestures, logs: logs.slice(-5) });
    expect(seen, context).toEqual(expect.arrayContaining(['lean right', 'lean left']));
    expect(await page.textContent('#gesture-last-text'), context).toMatch(/^lean (right|left) · distance 0\.\d{3} · /);
    expect(
      gestures.some((l) => /^\/tw\/gesture sf "lean right" 0\.\d{6}$/.test(l)),
      context,
    ).toBe(true);
    expect(
      gestures.some((l) => /^\/tw\/gesture sf "lean left" 0\.\d{6}$/.test(l)),
      context,
    ).toBe(true);
    await shot(page, 'studio-pose-5-gesture-recognised');

    // A second template of "lean right", then deleted again from its card.
    await waitForSegmentStart(page, 'right');
    await holdRecord(page, 'lean right', 2300);
    await expect.poll(() => cards(page), { timeout: 10_000 }).toContainEqual({ name: 'lean right', count: 2 });
    const card = page.getByRole('region', { name: 'lean right' });
    await card.getByRole('button', { name: 'Delete template 2 of lean right' }).click();
    await expect.poll(() => cards(page), { timeout: 10_000 }).toContainEqual({ name: 'lean right', count: 1 });
  });

  test('switching a project with examples to other features re-embeds them, and says so', async () => {
    await page.locator('#projects > summary').click();
    await page.getByRole('button', { name: 'Open My project' }).click();
    await expect.poll(() => page.textContent('#project-name'), { timeout: 60_000 }).toBe('My project');
    await expect.poll(() => cards(page), { timeout: 10_000 }).toHaveLength(2);
    const taught = await cards(page);
    expect(taught.map((c) => c.name)).toEqual(['kick', 'ball']);
    await page.getByLabel('Features').selectOption('image');
    await expect
      .poll(() => page.getByTestId('error').textContent(), { timeout: 60_000 })
      .toMatch(/were re-embedded with mobilenet/);
    expect(await page.getByLabel('Features').inputValue()).toBe('image');
    expect(await cards(page)).toEqual(taught);
    // The examples are kept, so the project trains again at once, now on pictures.
    await page.getByRole('button', { name: 'Train' }).click();
    await page.waitForSelector('[data-testid="train-status"][data-state="trained"]', { timeout: 120_000 });
    await expect.poll(() => page.getAttribute('[data-testid="run"]', 'data-running')).toBe('true');
    // Re-embedding left it untrained and stopped: nothing tried to predict before Train.
    expect(await page.getByTestId('error').textContent()).not.toMatch(/not been trained/);
    await shot(page, 'studio-pose-6-switched-to-image');
  });
});
