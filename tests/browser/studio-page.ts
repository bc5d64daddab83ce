/**
 * Driving the studio as a person does, by the accessible names the app promises (getByRole, getByLabel),
 * in a browser profile kept on disk, so that "close the browser and start it again" means what it says.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { cleanUp, startBridge, type BridgeProcess } from '../support/bridge';
import { startOscdump, type Oscdump } from '../support/oscdump';
import { REPO } from '../support/paths';

/** Where screenshots of each main screen are kept (git-ignored), to look at after a run. */
export const SHOTS = join(REPO, 'test-results');

/**
 * Chromium on a profile in `dir` (kept between launches), with the flags of browser.ts's `launch()`:
 * the fake camera playing the clip, its permission granted, WebGPU on request. At 1280×720, the size the
 * studio is laid out for.
 */
export function launchProfile(dir: string): Promise<BrowserContext> {
  const args = [
    '--disable-quic',
    '--no-first-run',
    '--enable-unsafe-webgpu',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${inject('clipPath')}`,
    '--use-fake-ui-for-media-stream',
  ];
  return chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args,
    viewport: { width: 1280, height: 720 },
    acceptDownloads: true,
  });
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** A screenshot of the studio from its top, with nothing focused (as a person arriving sees it). */
export async function screenshotFromTop(page: Page, name: string, fullPage = false): Promise<string> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  return screenshot(page, name, fullPage);
}

/** Waits for the app's engine and project, and for a camera picture. */
export async function studioReady(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="status"][data-backend]', { timeout: 60_000 });
  await page.waitForFunction(() => (document.getElementById('preview') as HTMLVideoElement).readyState >= 2);
}

/** Types the bridge's address into the Outputs panel, as a person does, and waits until OSC is connected. */
export async function sendToBridge(page: Page, wsPort: number): Promise<void> {
  const bridgeUrl = page.getByLabel('Bridge');
  await bridgeUrl.fill(`ws://127.0.0.1:${wsPort}`);
  await bridgeUrl.press('Tab');
  await page.waitForSelector('[data-testid="osc-status"][data-status="connected"]');
}

/** The cards as shown: each class's name and its example count. */
export async function cards(page: Page): Promise<{ name: string; count: number }[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="class-card"]')].map((card) => ({
      name: card.querySelector<HTMLInputElement>('input.card-name')?.value ?? '',
      count: Number(card.querySelector('[data-testid="count"]')?.textContent),
    })),
  );
}

/**
 * The cards once every hold let go has landed: a card is busy (`aria-busy`) from the release until its last
 * example is stored and counted.
 */
export async function settledCards(page: Page): Promise<{ name: string; count: number }[]> {
  await page.waitForFunction(
    () => !document.querySelector('[data-testid="class-card"][aria-busy="true"], button.record[aria-pressed="true"]'),
    undefined,
    { polling: 'raf', timeout: 30_000 },
  );
  return cards(page);
}

/** Renames the class named `from` by typing in its card, as a person does. */
export async function renameClass(page: Page, from: string, to: string): Promise<void> {
  const input = page.getByRole('region', { name: from }).getByRole('textbox', { name: 'Class name' });
  await input.fill(to);
  await input.press('Enter');
  await expect.poll(() => page.getByRole('region', { name: to }).count()).toBe(1);
}

/** The label changes in oscdump's lines, repeats folded: `chelsea coffee rocket chelsea …`. */
export function labelChanges(lines: string[]): string[] {
  const labels = lines
    .filter((l) => l.startsWith('/tw/label s '))
    .map((l) => JSON.parse(l.slice('/tw/label s '.length)) as string);
  return labels.filter((l, i) => l !== labels[i - 1]);
}

/** What a studio test file with OSC shares: a scratch folder, oscdump, a bridge sending to it, the browsers opened. */
export interface OscStudio {
  readonly scratch: string;
  readonly dump: Oscdump;
  readonly bridge: BridgeProcess;
  /** Browsers a test started: closed after it. */
  readonly contexts: BrowserContext[];
}

/**
 * Registers the file's hooks: oscdump, and a bridge that sends to it and lets the app's origin in, before its
 * tests; the browsers each test opened closed after it; all stopped and removed after the file.
 */
export function oscStudio(prefix: string): OscStudio {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  let dump: Oscdump | undefined;
  let bridge: BridgeProcess | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    dump = await startOscdump();
    const origin = new URL(inject('baseUrl')).origin;
    bridge = await startBridge(['--send', `127.0.0.1:${dump.port}`, '--allow-origin', origin]);
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    dump?.stop();
    await cleanUp();
    rmSync(scratch, { recursive: true, force: true });
  });
  return {
    scratch,
    contexts,
    get dump() {
      return dump!;
    },
    get bridge() {
      return bridge!;
    },
  };
}
