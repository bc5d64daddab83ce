/**
 * A Teachable Machine model in the studio (issue 16), driven as a person does: "Import model" with the real
 * export in ../shared/fixtures/teachable-machine/ makes a project of its own, whose classes and head predict on
 * the fake camera at once, the label reaching a UDP receiver (oscdump) through the real bridge. A reload keeps
 * it, predicting by itself, and so does a restart after the worker crashes. Retrained with a class of its own
 * from the camera, the label follows the clip; Export model gives it back as Teachable Machine's zip; saved to a
 * file and opened again, the model comes with it, trained. A broken export is refused, saying why, and the
 * project open stays as it was. (teachable.test.ts checks the same model against `@teachablemachine/image`.)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { CLIP_LABELS } from '../support/clip';
import { SHARED } from '../support/paths';
import { readTmExport } from '../../src/worker/teachable/tm-export';
import { heldOut, lastRecorded, rightShare, trackHolds, watchShown } from './app-judge';
import { holdThroughSegments, mouseOn, type Press } from './app-page';
import { open } from './browser';
import { crash, engineWorker, nextEngineWorker } from './engine-worker';
import {
  cards,
  oscStudio,
  labelChanges,
  launchProfile,
  renameClass,
  screenshotFromTop,
  settledCards,
  studioReady,
  sendToBridge,
} from './studio-page';

const ZIP = join(SHARED, 'fixtures/teachable-machine/tiny-image-model.zip');
const TM_LABELS = ['Class 1', 'Class 2'];

const osc = oscStudio('tw-studio-tm-');
const { scratch, contexts } = osc;

async function studio(): Promise<{ page: Page; logs: string[] }> {
  const context = await launchProfile(mkdtempSync(join(scratch, 'profile-')));
  contexts.push(context);
  const opened = await open(context, 'index.html?backend=wasm');
  await studioReady(opened.page);
  await sendToBridge(opened.page, osc.bridge.wsPort);
  return opened;
}

const projectName = (p: Page) => p.locator('#project-name').textContent();
const shownLabel = (p: Page) => p.getAttribute('[data-testid="prediction"]', 'data-label');

/** Labels that reach oscdump from line `from` on, once at least `count` changes have come. */
async function oscLabels(from: number, count = 1): Promise<string[]> {
  await expect
    .poll(() => labelChanges(osc.dump.all.slice(from)).length, { timeout: 30_000 })
    .toBeGreaterThanOrEqual(count);
  return labelChanges(osc.dump.all.slice(from));
}

describe('a Teachable Machine model in the studio', () => {
  test('Import model: its classes and its head predict on the camera, the label reaches oscdump; a reload keeps it, and so does a crash; retrained with a class of its own, the label follows the clip; exported; a project file carries it', async () => {
    const { page, logs } = await studio();
    await page.getByLabel('Import model').setInputFiles(ZIP);
    await expect.poll(() => projectName(page), { timeout: 60_000 }).toBe('tiny-image-model');
    await studioReady(page);
    // Its classes, no examples, and trained: its own head answers.
    expect(await cards(page)).toEqual(TM_LABELS.map((name) => ({ name, count: 0 })));
    await page.waitForSelector('[data-testid="train-status"][data-state="trained"]');
    expect(await page.getByTestId('error').isHidden()).toBe(true);

    let from = osc.dump.all.length;
    await page.getByTestId('run').click();
    await expect.poll(() => page.getAttribute('[data-testid="run"]', 'data-running')).toBe('true');
    for (const label of await oscLabels(from)) expect(TM_LABELS).toContain(label);
    await expect.poll(() => shownLabel(page)).toMatch(/^Class [12]$/);
    await screenshotFromTop(page, 'teachable-1-imported');

    // A reload: the project comes back with its model, predicting by itself.
    from = osc.dump.all.length;
    await page.reload();
    await studioReady(page);
    expect(await projectName(page)).toBe('tiny-image-model');
    expect(await cards(page)).toEqual(TM_LABELS.map((name) => ({ name, count: 0 })));
    await expect.poll(() => page.getAttribute('[data-testid="run"]', 'data-running'), { timeout: 20_000 }).toBe('true');
    for (const label of await oscLabels(from)) expect(TM_LABELS).toContain(label);

    // A crash of the engine's worker: the one restarted loads the model the project keeps, and predicts on.
    const old = engineWorker(page);
    await crash(old);
    await nextEngineWorker(page, old);
    await expect
      .poll(() => page.getByTestId('error').textContent(), { timeout: 30_000 })
      .toMatch(/The engine's worker stopped .* and was restarted/);
    // Predictions go on from the model's two classes (the label itself is sent only when it changes).
    from = osc.dump.all.length;
    const confidences = () => osc.dump.all.slice(from).filter((l) => l.startsWith('/tw/confidences '));
    await expect.poll(() => confidences().length, { timeout: 30_000 }).toBeGreaterThan(5);
    expect(confidences().at(-1)).toMatch(/^\/tw\/confidences ff [\d.]+ [\d.]+$/);
    expect(await cards(page)).toEqual(TM_LABELS.map((name) => ({ name, count: 0 })));

    // Retrain: its two classes named for two photos, a class of its own for the third, each recorded from the camera.
    await page.getByTestId('run').click();
    await expect.poll(() => page.getAttribute('[data-testid="run"]', 'data-running')).toBe('false');
    await renameClass(page, 'Class 1', 'chelsea');
    await renameClass(page, 'Class 2', 'coffee');
    await page.getByRole('button', { name: 'Add class' }).click();
    await page.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.value === 'Class 3');
    await page.keyboard.type('rocket');
    await page.keyboard.press('Enter');
    await expect.poll(() => cards(page)).toEqual(CLIP_LABELS.map((name) => ({ name, count: 0 })));
    await trackHolds(page);
    const presses = Object.fromEntries(
      CLIP_LABELS.map((label) => [label, mouseOn(page, page.getByRole('button', { name: `Record ${label}` }))]),
    ) as Record<string, Press>;
    const order = await holdThroughSegments(page, presses);
    const recordedUntil = await lastRecorded(page, order);
    const recorded = await settledCards(page);
    for (const c of recorded) expect(c.count, JSON.stringify(recorded)).toBeGreaterThanOrEqual(2);
    from = osc.dump.all.length;
    await page.getByRole('button', { name: 'Train' }).click();
    await page.waitForSelector('[data-testid="train-status"][data-state="trained"]', { timeout: 120_000 });
    await expect.poll(() => page.getAttribute('[data-testid="run"]', 'data-running')).toBe('true');
    const samples = await watchShown(page, {
      labels: CLIP_LABELS,
      perLabel: 2,
      timeoutMs: 60_000,
      lastRecorded: recordedUntil,
    });
    const held = heldOut(samples);
    const context = JSON.stringify({ samples, logs: logs.slice(-10) });
    // The class of its own, "rocket", is told apart on frames it was not taught, and sent on. The tiny model sees
    // 96² grey pictures: coffee and chelsea, alike in grey, it tells apart far less surely than MobileNet (56–100 %
    // of held-out frames in runs here), so that is left to the node test, which tells all three photos apart.
    console.info(
      `studio-teachable: after retraining, ${Math.round(rightShare(samples) * 100)} % of frames right, ${Math.round(rightShare(held) * 100)} % of held-out frames`,
    );
    const rocket = held.filter((s) => s.marker === 'rocket');
    expect(rocket.length, context).toBeGreaterThan(0);
    expect(rightShare(rocket), context).toBeGreaterThanOrEqual(0.9);
    expect(
      held.filter((s) => s.shown === 'rocket' && s.marker !== 'rocket'),
      context,
    ).toEqual([]);
    await expect.poll(() => osc.dump.all.slice(from), { timeout: 30_000 }).toContain('/tw/label s "rocket"');
    await screenshotFromTop(page, 'teachable-2-retrained');

    // Export model: the model as Teachable Machine exports one, its own base under the head trained here.
    const [exported] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export model' }).click(),
    ]);
    expect(exported.suggestedFilename()).toBe('tiny-image-model-tm.zip');
    const zip = join(scratch, 'export.zip');
    await exported.saveAs(zip);
    expect(readTmExport([{ name: 'export.zip', bytes: new Uint8Array(readFileSync(zip)) }]).metadata).toMatchObject({
      labels: CLIP_LABELS,
      imageSize: 96,
      grayscale: true,
    });

    // Saved and opened again: a project of its own, with the model, trained (nothing re-embedded).
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Save project' }).click(),
    ]);
    const saved = join(scratch, 'tm.trainwhistle');
    await download.saveAs(saved);
    expect(Object.keys(unzipSync(readFileSync(saved))).filter((n) => n.startsWith('teachable-machine/'))).toEqual([
      'teachable-machine/tiny-image-model.zip',
    ]);
    await page.getByLabel('Open project').setInputFiles(saved);
    await expect.poll(() => projectName(page), { timeout: 60_000 }).toBe('tm');
    await studioReady(page);
    expect(await cards(page)).toEqual(recorded);
    await page.waitForSelector('[data-testid="train-status"][data-state="trained"]');
  });

  test('a broken export is refused, saying why, and the project open stays as it was', async () => {
    const { page } = await studio();
    const before = await projectName(page);
    const inside = unzipSync(readFileSync(ZIP));
    const truncated = join(scratch, 'truncated-model.zip');
    writeFileSync(truncated, zipSync({ ...inside, 'weights.bin': inside['weights.bin']!.slice(0, 4096) }));
    await page.getByLabel('Import model').setInputFiles(truncated);
    await expect
      .poll(() => page.getByTestId('error').textContent(), { timeout: 60_000 })
      .toMatch(
        /weights\.bin holds 4,096 bytes where model\.json needs 973,104: it is truncated\. Download the export again/,
      );
    expect(await projectName(page)).toBe(before);
    expect(await cards(page)).toEqual(TM_LABELS.map((name) => ({ name, count: 0 })));
    await page.getByLabel('Import model').setInputFiles([
      { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(inside['model.json']!) },
      { name: 'metadata.json', mimeType: 'application/json', buffer: Buffer.from(inside['metadata.json']!) },
    ]);
    await expect.poll(() => page.getByTestId('error').textContent(), { timeout: 60_000 }).toMatch(/lack weights\.bin/);
    expect(await projectName(page)).toBe(before);
    // Nothing trained here yet: Export model says so.
    await page.getByRole('button', { name: 'Export model' }).click();
    await expect
      .poll(() => page.getByTestId('error').textContent())
      .toMatch(/Train the project before exporting its model: press Train/);
    await page.locator('#projects summary').click();
    await expect.poll(() => page.locator('#project-list li').count()).toBe(1);
    await screenshotFromTop(page, 'teachable-3-refused');
  });
});
