/**
 * Debian's headless Chromium, driven by playwright-core (never a downloaded browser), with the
 * flags ../shared/CHROMIUM.md lists: WebGPU on request, and a fake camera playing our clip.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';

export interface LaunchOptions {
  /** Fake camera playing the clip built from the real photos. @default true */
  camera?: boolean;
  /** `--enable-unsafe-webgpu`: WebGPU on SwiftShader here. @default true */
  webgpu?: boolean;
}

export async function launch(options: LaunchOptions = {}): Promise<Browser> {
  const args = ['--disable-quic', '--no-first-run'];
  if (options.webgpu ?? true) args.push('--enable-unsafe-webgpu');
  if (options.camera ?? true) {
    args.push(
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${inject('clipPath')}`,
    );
  }
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
}

/** Opens a page of the built app; collects console errors and page errors for the assertion messages. */
export async function open(browser: Browser, path: string): Promise<{ page: Page; logs: string[] }> {
  const page = await browser.newPage();
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(new URL(path, inject('baseUrl')).href);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 60_000 }).catch(() => {});
  return { page, logs };
}
