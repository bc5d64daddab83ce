/**
 * The whole path, as a Max user runs it: the app (fake camera playing the real photos) connects to a
 * real bridge process; the "patch" (UDP) drives the session — record each photo, train, run — and the
 * predictions come back over UDP, read by liblo's oscdump, an OSC implementation that is not ours.
 */
import OSC from 'osc-js';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { cleanUp, startBridge, udpPeer } from '../support/bridge';
import { CLIP_LABELS } from '../support/clip';
import { startOscdump, type Oscdump } from '../support/oscdump';
import { waitForSegmentStart } from './app-page';
import { launch, open } from './browser';

let browser: Browser;
let dump: Oscdump | undefined;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  dump?.stop();
  await cleanUp();
});

/** Label changes in order of arrival, repeats folded: `chelsea coffee rocket chelsea …`. */
function changes(lines: string[]): string[] {
  const labels = lines
    .filter((l) => l.startsWith('/tw/label s '))
    .map((l) => JSON.parse(l.slice('/tw/label s '.length)) as string);
  return labels.filter((l, i) => l !== labels[i - 1]);
}

test('a patch records, trains and runs the app over UDP, and gets the predictions back as OSC', async () => {
  dump = await startOscdump();
  const origin = new URL(inject('baseUrl')).origin;
  const bridge = await startBridge(['--send', `127.0.0.1:${dump.port}`, '--allow-origin', origin]);
  const patch = await udpPeer();
  const control = (address: string, ...args: (string | number)[]) =>
    patch.send(new OSC.Message(address, ...args).pack(), bridge.listenPort);

  const { page, logs } = await open(browser, 'index.html?backend=wasm');
  await page.waitForSelector('[data-testid="status"][data-backend]', { timeout: 60_000 });
  await page.fill('[data-testid="bridge-url"]', `ws://127.0.0.1:${bridge.wsPort}`);
  await page.dispatchEvent('[data-testid="bridge-url"]', 'change');
  await page.waitForSelector('[data-testid="osc-status"][data-status="connected"]');
  await page.waitForSelector('[data-testid="control-status"][data-status="connected"]');

  for (const label of CLIP_LABELS) {
    await waitForSegmentStart(page, label);
    await page.waitForTimeout(300);
    await control('/tw/record', label, 1);
    await page.waitForTimeout(1500);
    await control('/tw/record', label, 0);
  }
  await expect
    .poll(() => page.locator('#labels li [data-testid="count"]').allTextContents(), { timeout: 10_000 })
    .toSatisfy((counts: string[]) => counts.length === 3 && counts.every((c) => Number(c) >= 3));
  await control('/tw/train');
  await page.waitForFunction(
    () => document.getElementById('train-status')!.textContent.startsWith('epoch 20/20'),
    undefined,
    { timeout: 60_000 },
  );
  await control('/tw/run', 1);
  await page.waitForTimeout(7000);
  await control('/tw/run', 0);
  await page.waitForTimeout(500);
  const received = [...dump.all];
  await page.waitForTimeout(1000);
  const context = JSON.stringify({ tail: received.slice(-8), logs: logs.slice(-10) });

  expect(dump.all.length, 'predictions stop after /tw/run 0').toBe(received.length);
  expect(received, context).toContain('/tw/labels sss "chelsea" "coffee" "rocket"');
  for (const label of CLIP_LABELS) {
    expect(
      received.some((l) => new RegExp(`^/tw/confidence/${label} f [01]\\.\\d{6}$`).test(l)),
      `${label}: ${context}`,
    ).toBe(true);
  }
  expect(
    received.some((l) => /^\/tw\/confidences fff( [01]\.\d{6}){3}$/.test(l)),
    context,
  ).toBe(true);
  expect(
    received.some((l) => /^\/tw\/class i [012]$/.test(l)),
    context,
  ).toBe(true);
  // Over 7 s the clip shows each photo at least once for 3 s: the labels change in the clip's order.
  const seq = changes(received);
  expect(seq.length, context).toBeGreaterThanOrEqual(3);
  for (let i = 1; i < seq.length; i++) {
    const expectedNext =
      CLIP_LABELS[(CLIP_LABELS.indexOf(seq[i - 1] as (typeof CLIP_LABELS)[number]) + 1) % CLIP_LABELS.length];
    expect(seq[i], `label changes ${seq.join(' → ')}`).toBe(expectedNext);
  }
  await page.close();
});
