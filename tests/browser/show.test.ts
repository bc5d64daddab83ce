/**
 * A show that starts itself (issue 17, the studio's part): `index.html?project=<name>&run=1` opens that project
 * and predicts with no click, its labels reaching a UDP receiver (oscdump) through the real bridge; and with no
 * camera at boot, it says so on screen and keeps trying, with nothing waiting for a dialog.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { describe, expect, inject, test } from 'vitest';
import { SHARED } from '../support/paths';
import { open } from './browser';
import { cards, labelChanges, launchProfile, oscStudio, sendToBridge, studioReady } from './studio-page';

const osc = oscStudio('tw-show-');
const { scratch, contexts } = osc;

const running = (page: Page) => page.getAttribute('[data-testid="run"]', 'data-running');

describe('a show that starts itself', () => {
  test('?project=<name>&run=1 opens that project and predicts with no click; the labels reach oscdump', async () => {
    const context = await launchProfile(mkdtempSync(join(scratch, 'profile-')));
    contexts.push(context);
    // A trained project that is not predicting: a Teachable Machine model, imported (its own head is trained).
    const { page } = await open(context, 'index.html?backend=wasm');
    await studioReady(page);
    await sendToBridge(page, osc.bridge.wsPort);
    await page
      .getByLabel('Import model')
      .setInputFiles(join(SHARED, 'fixtures/teachable-machine/tiny-image-model.zip'));
    await expect.poll(() => page.locator('#project-name').textContent(), { timeout: 60_000 }).toBe('tiny-image-model');
    await page.waitForSelector('[data-testid="train-status"][data-state="trained"]');
    // Back to another project, so that the show's address is what opens this one.
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByRole('textbox', { name: 'Project name' }).fill('other');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.locator('#project-name').textContent(), { timeout: 60_000 }).toBe('other');
    await page.close();

    const from = osc.dump.all.length;
    const show = await context.newPage();
    await show.goto(new URL('index.html?backend=wasm&project=tiny-image-model&run=1', inject('baseUrl')).href);
    await studioReady(show);
    expect(await show.locator('#project-name').textContent()).toBe('tiny-image-model');
    expect(await cards(show)).toEqual([
      { name: 'Class 1', count: 0 },
      { name: 'Class 2', count: 0 },
    ]);
    await expect.poll(() => running(show), { timeout: 20_000 }).toBe('true');
    await expect.poll(() => labelChanges(osc.dump.all.slice(from)).length, { timeout: 30_000 }).toBeGreaterThan(0);
    for (const label of labelChanges(osc.dump.all.slice(from))) expect(['Class 1', 'Class 2']).toContain(label);
  });

  test('with no camera at boot it says so and keeps trying, with nothing waiting for a dialog', async () => {
    // Chromium with no camera at all (no fake device), the permission granted as a kiosk's would be.
    const context = await chromium.launchPersistentContext(mkdtempSync(join(scratch, 'profile-')), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--disable-quic', '--no-first-run', '--use-fake-ui-for-media-stream'],
      viewport: { width: 1280, height: 720 },
    });
    contexts.push(context);
    await context.addInitScript(() => {
      const w = window as unknown as { cameraTries: number };
      w.cameraTries = 0;
      const ask = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (constraints) => ((w.cameraTries += 1), ask(constraints));
    });
    const { page } = await open(context, 'index.html?backend=wasm&run=1');
    await page.waitForSelector('[data-testid="status"][data-backend]', { timeout: 60_000 });
    await expect
      .poll(() => page.getByTestId('error').textContent(), { timeout: 20_000 })
      .toMatch(/camera.*Trying again every 3 s\./i);
    // Tried again and again, the camera picker still showing (not the file picker, which waits for a person).
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { cameraTries: number }).cameraTries), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(3);
    expect(await page.getByLabel('Source').inputValue()).toBe('camera');
    expect(await page.locator('dialog[open]').count()).toBe(0);
  });
});
