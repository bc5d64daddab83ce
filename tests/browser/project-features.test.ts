/**
 * A project keeps the identity of the features that made it (MobileNet's picture embedding, MoveNet's
 * keypoints). Opened by a pipeline of other features, its examples are re-embedded from their stored
 * pictures, in real Chromium through the public API: from a project file (`openProject`), and from the
 * project kept in IndexedDB (`createPipeline({ project })`), which says so in `info.warnings`. The pictures
 * are the real photos of people, so the re-embedded poses can be checked by classifying.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SHARED } from '../support/paths';
import { launch, open } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch({ camera: false, webgpu: false });
});
afterAll(async () => {
  await browser?.close();
});

const photo = (name: string) => readFileSync(join(SHARED, 'fixtures', name)).toString('base64');
const PHOTOS = { messi: photo('people/messi5.jpg'), players: photo('people/basketball1.png') };

describe('a project made with image features, in a pose pipeline', () => {
  test('from a file: openProject re-embeds every example with MoveNet, and the poses then classify right', async () => {
    const { page, logs } = await open(browser, 'tests/browser/harness.html');
    const r = await page.evaluate(async (photos) => {
      const { tw } = window;
      const load = async (b64: string) => createImageBitmap(await (await fetch(`data:image/*;base64,${b64}`)).blob());
      const images = { kick: await load(photos.messi), ball: await load(photos.players) };
      /**
       * The photo on a square canvas (so MobileNet's centre square, kept as the example's picture, holds the
       * whole body), `shift` of the side off centre and `scale` times its usual size.
       */
      const frame = (image: ImageBitmap, shift: number, scale = 1) => {
        const canvas = Object.assign(document.createElement('canvas'), { width: 400, height: 400 });
        const g = canvas.getContext('2d')!;
        const [w, h] = [360 * scale, (360 * scale * image.height) / image.width];
        g.drawImage(image, 200 + shift * 400 - w / 2, 200 - h / 2, w, h);
        return canvas;
      };
      const image = await tw.createPipeline({ backend: 'wasm', features: 'image', head: 'knn' });
      for (const [label, picture] of Object.entries(images))
        for (const shift of [-0.05, 0, 0.05]) await image.addExample(label, frame(picture, shift));
      const made = image.project;
      const file = await image.saveProject();
      await image.close();

      const pose = await tw.createPipeline({ backend: 'wasm', features: 'pose', head: 'knn' });
      const progress: string[] = [];
      const opened = await pose.openProject(file, { onProgress: (p) => progress.push(p.phase) });
      // Elsewhere in the frame and nearer: the pose, not the picture, must carry the class now.
      const kick = await pose.classify(frame(images.kick, 0.08, 0.8));
      const ball = await pose.classify(frame(images.ball, -0.08, 1.1));
      const examples = await pose.examples();
      await pose.close();
      return {
        made: made.features,
        opened: {
          features: opened.features,
          reembedded: opened.reembedded,
          labels: opened.labels,
          trained: opened.trained,
        },
        progress: [...new Set(progress)],
        kick: kick.label,
        ball: ball.label,
        poses: [kick.pose?.noPerson, ball.pose?.noPerson],
        examples: examples.length,
      };
    }, PHOTOS);
    await page.close();
    const context = JSON.stringify({ r, logs: logs.slice(-5) });
    expect(r.made.model, context).toBe('mobilenet-v1-0.25');
    expect(r.opened, context).toEqual({
      features: { model: 'movenet-lightning', size: 51 },
      reembedded: 6,
      labels: ['kick', 'ball'],
      trained: true,
    });
    expect(r.progress, context).toContain('reembed');
    expect(r.examples).toBe(6);
    expect(r.poses).toEqual([false, false]);
    expect({ kick: r.kick, ball: r.ball }, context).toEqual({ kick: 'kick', ball: 'ball' });
  });

  test('from IndexedDB: the kept project is re-embedded when a pose pipeline restores it, and a warning says so', async () => {
    const { page, logs } = await open(browser, 'tests/browser/harness.html');
    const r = await page.evaluate(async (photos) => {
      const { tw } = window;
      const load = async (b64: string) => createImageBitmap(await (await fetch(`data:image/*;base64,${b64}`)).blob());
      const canvas = Object.assign(document.createElement('canvas'), { width: 480, height: 360 });
      const g = canvas.getContext('2d')!;
      const project = 'features-restore';
      const image = await tw.createPipeline({ backend: 'wasm', features: 'image', head: 'knn', project });
      for (const [label, b64] of Object.entries({ kick: photos.messi, ball: photos.players })) {
        g.fillRect(0, 0, 480, 360);
        g.drawImage(await load(b64), 40, 40, 400, 280);
        await image.addExample(label, canvas);
      }
      await image.flush();
      await image.close();

      const pose = await tw.createPipeline({ backend: 'wasm', features: 'pose', head: 'knn', project });
      const result = {
        warnings: pose.info.warnings,
        features: pose.project.features.model,
        reembedded: pose.project.reembedded,
        restored: pose.project.restored,
        labels: pose.project.labels,
      };
      await pose.close();
      // Opened again with the same features: nothing more to re-embed.
      const again = await tw.createPipeline({ backend: 'wasm', features: 'pose', head: 'knn', project });
      const second = { reembedded: again.project.reembedded, warnings: again.info.warnings };
      await again.close();
      await tw.deleteProject(project);
      return { ...result, second };
    }, PHOTOS);
    await page.close();
    const context = JSON.stringify({ r, logs: logs.slice(-5) });
    expect(r.restored, context).toBe(true);
    expect(r.features).toBe('movenet-lightning');
    expect(r.reembedded).toBe(2);
    expect(r.labels).toEqual(['kick', 'ball']);
    expect(r.warnings.join('\n'), context).toMatch(
      /made with mobilenet-v1-0\.25; its 2 examples were re-embedded with movenet-lightning\. Train again\./,
    );
    expect(r.second.reembedded).toBe(0);
    expect(r.second.warnings.some((w) => w.includes('re-embedded'))).toBe(false);
  });
});

describe('a project made with hand features', () => {
  test('saves and opens like the others: a fresh hands pipeline gets its examples and head back, and tells the hands apart the same; an image pipeline re-embeds it', async () => {
    const { page, logs } = await open(browser, 'tests/browser/harness.html');
    const r = await page.evaluate(async (picture) => {
      const { tw } = window;
      const photo = await createImageBitmap(await (await fetch(`data:image/*;base64,${picture}`)).blob());
      /** One hand of the photo alone (the left half: pointing up; the right half: down), a little off centre. */
      const alone = (half: 0 | 1, shift: number) => {
        const canvas = Object.assign(document.createElement('canvas'), { width: 480, height: 480 });
        const g = canvas.getContext('2d')!;
        g.fillStyle = '#fff';
        g.fillRect(0, 0, 480, 480);
        g.drawImage(photo, half * 360, 0, 360, 382, 60 + shift, 49, 360 * 0.75, 382 * 0.75);
        return canvas;
      };
      const made = await tw.createPipeline({ backend: 'wasm', features: 'hands', head: 'knn', knn: { k: 1 } });
      for (const shift of [-20, 0, 20]) {
        await made.addExample('up', alone(0, shift));
        await made.addExample('down', alone(1, shift));
      }
      const before = [(await made.classify(alone(0, 30))).label, (await made.classify(alone(1, 10))).label];
      const file = await made.saveProject();
      await made.close();

      const hands = await tw.createPipeline({ backend: 'wasm', features: 'hands', head: 'knn', knn: { k: 1 } });
      const opened = await hands.openProject(file);
      const after = [(await hands.classify(alone(0, 30))).label, (await hands.classify(alone(1, 10))).label];
      await hands.close();

      const image = await tw.createPipeline({ backend: 'wasm', features: 'image', head: 'knn' });
      const asImage = await image.openProject(file);
      await image.close();
      return {
        made: opened.features,
        opened: { reembedded: opened.reembedded, labels: opened.labels, examples: opened.examples },
        before,
        after,
        asImage: { features: asImage.features.model, reembedded: asImage.reembedded },
      };
    }, photo('hands/hands.jpg'));
    await page.close();
    const context = JSON.stringify({ r, logs: logs.slice(-5) });
    expect(r.made, context).toEqual({ model: 'mediapipe-hand-full', size: 128 });
    expect(r.opened, context).toEqual({ reembedded: 0, labels: ['up', 'down'], examples: 6 });
    expect(r.before, context).toEqual(['up', 'down']);
    expect(r.after, context).toEqual(['up', 'down']);
    expect(r.asImage, context).toEqual({ features: 'mobilenet-v1-0.25', reembedded: 6 });
  });
});
