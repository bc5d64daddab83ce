/**
 * Debian's headless Chromium, driven by playwright-core (never a downloaded browser), with the
 * flags ../shared/CHROMIUM.md lists: WebGPU on request, and a fake camera playing our clip.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';

export interface LaunchOptions {
  /** Fake camera playing the clip built from the real photos. @default true */
  camera?: boolean;
  /** With `camera`: the camera permission prompt is answered yes (`--use-fake-ui-for-media-stream`); without it, headless Chromium denies it. @default true */
  cameraPermission?: boolean;
  /** `--enable-unsafe-webgpu`: WebGPU on SwiftShader here. @default true */
  webgpu?: boolean;
  /** More Chromium flags, e.g. `--disable-webgl`. */
  args?: string[];
}

export async function launch(options: LaunchOptions = {}): Promise<Browser> {
  const args = ['--disable-quic', '--no-first-run'];
  if (options.webgpu ?? true) args.push('--enable-unsafe-webgpu');
  if (options.camera ?? true) {
    args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${inject('clipPath')}`);
    if (options.cameraPermission ?? true) args.push('--use-fake-ui-for-media-stream');
  }
  args.push(...(options.args ?? []));
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
}

export interface OpenOptions {
  /** Wait until the page sets `<body data-ready="true">`, failing with its logs if it never does. @default true */
  ready?: boolean;
}

/**
 * Opens a page of the built app, in a fresh context of `browser` or in the context given; collects console
 * errors and page errors for the assertion messages.
 */
export async function open(
  browser: Browser | BrowserContext,
  path: string,
  options: OpenOptions = {},
): Promise<{ page: Page; logs: string[] }> {
  const page = await browser.newPage();
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(new URL(path, inject('baseUrl')).href);
  if (options.ready ?? true) {
    try {
      await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 60_000 });
    } catch (e) {
      await page.close();
      throw new Error(`${path} never became ready. Its logs:\n${logs.join('\n') || '(none)'}`, { cause: e });
    }
  }
  return { page, logs };
}
