/**
 * A model taught here goes out as a Teachable Machine export (issue 16) and runs in the libraries sketches
 * use: `@teachablemachine/image` 0.8.5 (`tmImage.load`, with the tfjs 1.3.1 it pins) and ml5 1.4
 * (`ml5.imageClassifier`), each from npm, each in a page of its own on another origin, as a sketch loads them.
 * The project is taught through the public API in real Chromium (MobileNet's graph model, three classes from the
 * real photos); its export re-learns them on Teachable Machine's layers MobileNet. Both libraries give the
 * project's own labels on the same pictures.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO, SHARED } from '../support/paths';
import { launch, open } from './browser';
import { serveOtherOrigin, type Served } from './other-origin';
import { TEACHABLE_MACHINE_PAGE, type TheirAnswer } from './teachable-package';
import { SHOTS } from './studio-page';

const PHOTOS: Record<string, string> = { chelsea: 'chelsea.png', coffee: 'coffee.png', rocket: 'rocket.jpg' };
const LABELS = Object.keys(PHOTOS);

const ML5_PAGE = `<!doctype html>
<script src="ml5.min.js"></script>
<script>
  window.theirLabels = async (urls) => {
    // Outside p5's preload, ml5 1.x gives a promise of the classifier.
    const classifier = await ml5.imageClassifier(new URL('model.json', location.href).href);
    const out = [];
    for (const url of urls) {
      const image = new Image();
      image.src = url;
      await image.decode();
      out.push((await classifier.classify(image))[0].label);
    }
    return { labels: classifier.mapStringToIndex, out };
  };
</script>`;

let browser: Browser;
let context: BrowserContext;
/** The export, the pictures (224² PNGs, so that no library's own cropping differs) and our labels for them. */
let taught: { files: Record<string, Uint8Array>; pictures: Uint8Array[]; ours: string[]; phases: string[] };

beforeAll(async () => {
  browser = await launch({ camera: false });
  context = await browser.newContext();
  const photos = await serveOtherOrigin(
    Object.fromEntries(
      Object.values(PHOTOS).map((p) => [
        `/${p}`,
        { body: readFileSync(join(SHARED, 'fixtures', p)), type: 'image/png' },
      ]),
    ),
  );
  try {
    const { page } = await open(context, 'tests/browser/harness.html');
    const made = await page.evaluate(
      async ({ labels, urls }) => {
        const load = async (url: string) => {
          const image = new Image();
          image.crossOrigin = 'anonymous';
          image.src = url;
          await image.decode();
          return image;
        };
        const canvas = Object.assign(document.createElement('canvas'), { width: 224, height: 224 });
        const g = canvas.getContext('2d')!;
        /** A square of the photo: its centre square scaled by `zoom`, moved by (dx, dy) of its side. */
        const square = (image: HTMLImageElement, zoom: number, dx: number, dy: number) => {
          const side = Math.min(image.width, image.height) / zoom;
          const sx = (image.width - side) / 2 + dx * side;
          const sy = (image.height - side) / 2 + dy * side;
          g.drawImage(image, sx, sy, side, side, 0, 0, 224, 224);
          return canvas;
        };
        const pipe = await window.tw.createPipeline({ backend: 'wasm', cacheModel: false });
        const images = await Promise.all(urls.map(load));
        const variants: [number, number, number][] = [
          [1, 0, 0],
          [1.2, 0.05, 0],
          [1.2, -0.05, 0],
          [1.4, 0, 0.05],
          [1.4, 0, -0.05],
          [1.1, 0.03, 0.03],
        ];
        for (const [i, image] of images.entries())
          for (const v of variants) await pipe.addExample(labels[i]!, square(image, ...v));
        await pipe.train();
        // The pictures: each photo's centre square, and another square of it no example was.
        const pictures: string[] = [];
        const ours: string[] = [];
        for (const image of images)
          for (const v of [
            [1, 0, 0],
            [1.3, 0.04, -0.04],
          ] as [number, number, number][]) {
            pictures.push(square(image, ...v).toDataURL('image/png'));
            ours.push((await pipe.classify(canvas)).label);
          }
        const phases: string[] = [];
        const zip = await pipe.exportModel({
          onProgress: (p) => void (phases.at(-1) !== p.phase && phases.push(p.phase)),
        });
        const dataUrl = await new Promise<string>((resolve) => {
          const reader = new FileReader();
          reader.onload = () => resolve(reader.result as string);
          reader.readAsDataURL(zip);
        });
        await pipe.close();
        return { pictures, ours, zip: dataUrl, phases };
      },
      { labels: LABELS, urls: Object.values(PHOTOS).map((p) => `${photos.base}${p}`) },
    );
    const bytes = (dataUrl: string) => new Uint8Array(Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'));
    taught = {
      files: unzipSync(bytes(made.zip)),
      pictures: made.pictures.map(bytes),
      ours: made.ours,
      phases: made.phases,
    };
  } finally {
    await photos.close();
  }
}, 240_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

/**
 * Each picture's label by a library: its page (`/page.html`, whose `theirLabels(urls)` answers) and scripts, served
 * on another origin with an export's files and the pictures.
 */
async function theirLabels(
  library: Served,
  { files, pictures }: { files: Record<string, Uint8Array>; pictures: Uint8Array[] } = taught,
): Promise<Pick<TheirAnswer, 'labels' | 'out'>> {
  const served: Served = {
    ...library,
    '/model.json': { body: files['model.json']!, type: 'application/json' },
    '/weights.bin': { body: files['weights.bin']!, type: 'application/octet-stream' },
    '/metadata.json': { body: files['metadata.json']!, type: 'application/json' },
  };
  pictures.forEach((p, i) => (served[`/pictures/${i}.png`] = { body: p, type: 'image/png' }));
  const { base, close } = await serveOtherOrigin(served);
  const page = await context.newPage();
  try {
    await page.goto(`${base}page.html`);
    return await page.evaluate(
      (urls) => window.theirLabels(urls),
      pictures.map((_, i) => `${base}pictures/${i}.png`),
    );
  } finally {
    await page.close();
    await close();
  }
}

describe('a Teachable Machine model by its share URL', () => {
  test('a folder URL serving the three files (as teachablemachine.withgoogle.com/models/<id>/ does) opens; a wrong one says what to do', async () => {
    const inside = unzipSync(
      new Uint8Array(readFileSync(join(SHARED, 'fixtures/teachable-machine/tiny-image-model.zip'))),
    );
    const { base, close } = await serveOtherOrigin({
      '/models/abc123/model.json': { body: inside['model.json']!, type: 'application/json' },
      '/models/abc123/weights.bin': { body: inside['weights.bin']!, type: 'application/octet-stream' },
      '/models/abc123/metadata.json': { body: inside['metadata.json']!, type: 'application/json' },
    });
    const { page } = await open(context, 'tests/browser/harness.html');
    try {
      const opened = await page.evaluate(async (url) => {
        const pipe = await window.tw.createPipeline({ backend: 'wasm', cacheModel: false, teachableMachine: url });
        const report = { tm: pipe.info.teachableMachine, labels: pipe.project.labels, trained: pipe.project.trained };
        await pipe.close();
        const wrong = await window.tw
          .createPipeline({ backend: 'wasm', teachableMachine: url.replace('abc123', 'nothing') })
          .then(
            () => 'opened',
            (e: Error) => `${e.name}: ${e.message}`,
          );
        return { ...report, wrong };
      }, `${base}models/abc123/`);
      expect(opened.tm).toMatchObject({
        modelName: 'tm-my-image-model',
        labels: ['Class 1', 'Class 2'],
        imageSize: 96,
      });
      expect(opened).toMatchObject({ labels: ['Class 1', 'Class 2'], trained: true });
      expect(opened.wrong).toMatch(
        /^TeachableMachineError: http:\/\/127\.0\.0\.1:\d+\/models\/nothing\/model\.json answered 404 .*check the model's share link/,
      );
    } finally {
      await page.close();
      await close();
    }
  });
});

describe('a Teachable Machine model on every backend', () => {
  test('webgpu, webgl and cpu give what wasm gives on each photo: the same label, each probability within 0.02', async () => {
    const { base, close } = await serveOtherOrigin(
      Object.fromEntries(
        Object.values(PHOTOS).map((p) => [
          `/${p}`,
          { body: readFileSync(join(SHARED, 'fixtures', p)), type: 'image/png' },
        ]),
      ),
    );
    const { page } = await open(context, 'tests/browser/harness.html');
    try {
      const zip = [...readFileSync(join(SHARED, 'fixtures/teachable-machine/tiny-image-model.zip'))];
      const runs = await page.evaluate(
        async ({ zip, urls }) => {
          const images = await Promise.all(
            urls.map(async (url) => {
              const image = new Image();
              image.crossOrigin = 'anonymous';
              image.src = url;
              await image.decode();
              return image;
            }),
          );
          const out: { backend: string; asked: string; confidences: Record<string, number>[] }[] = [];
          for (const asked of ['wasm', 'webgpu', 'webgl', 'cpu'] as const) {
            const pipe = await window.tw.createPipeline({
              backend: asked,
              cacheModel: false,
              teachableMachine: [{ name: 'model.zip', bytes: new Uint8Array(zip) }],
            });
            const confidences = [];
            for (const image of images) confidences.push((await pipe.classify(image)).confidences);
            out.push({ asked, backend: pipe.info.backend.backend, confidences });
            await pipe.close();
          }
          return out;
        },
        { zip, urls: Object.values(PHOTOS).map((p) => `${base}${p}`) },
      );
      const [wasm, ...others] = runs;
      for (const run of others) {
        expect(run.backend, JSON.stringify(runs)).toBe(run.asked);
        for (const [i, c] of run.confidences.entries())
          for (const [label, p] of Object.entries(wasm!.confidences[i]!))
            expect(
              Math.abs(c[label]! - p),
              `${run.backend}, photo ${i}, ${label}: ${JSON.stringify(runs)}`,
            ).toBeLessThanOrEqual(0.02);
      }
    } finally {
      await page.close();
      await close();
    }
  });
});

describe('a model taught here, exported for Teachable Machine, ml5 and p5', () => {
  test("the export is Teachable Machine's layout: one layers model of 224² colour pictures, its weights, its metadata; made by learning the examples again on Teachable Machine's MobileNet", () => {
    expect(Object.keys(taught.files).sort()).toEqual(['metadata.json', 'model.json', 'weights.bin']);
    const metadata = JSON.parse(new TextDecoder().decode(taught.files['metadata.json'])) as Record<string, unknown>;
    expect(metadata).toMatchObject({ packageName: '@teachablemachine/image', labels: LABELS, imageSize: 224 });
    const model = JSON.parse(new TextDecoder().decode(taught.files['model.json'])) as {
      modelTopology: { model_config?: { class_name: string } };
      weightsManifest: { paths: string[] }[];
    };
    expect(model.weightsManifest.map((g) => g.paths)).toEqual([['weights.bin']]);
    expect(taught.phases).toEqual(['base', 'reembed', 'train', 'write']);
    // Our labels on the pictures are the photos' own: the pictures tell the classes apart.
    expect(taught.ours).toEqual(LABELS.flatMap((l) => [l, l]));
  });

  test('@teachablemachine/image 0.8.5 loads it (tmImage.load) and gives our labels on the same pictures', async () => {
    const theirs = await theirLabels(TEACHABLE_MACHINE_PAGE);
    expect(theirs.labels).toEqual(LABELS);
    expect(theirs.out).toEqual(taught.ours);
  });

  test('a Teachable Machine tiny model, imported and exported again, still loads in @teachablemachine/image (96×96 grey), with our labels', async () => {
    const { page } = await open(context, 'tests/browser/harness.html');
    try {
      const zip = [...readFileSync(join(SHARED, 'fixtures/teachable-machine/tiny-image-model.zip'))];
      const made = await page.evaluate(
        async ({ zip, pictures }) => {
          const pipe = await window.tw.createPipeline({
            backend: 'wasm',
            teachableMachine: [{ name: 'model.zip', bytes: new Uint8Array(zip) }],
          });
          const ours: string[] = [];
          for (const url of pictures) {
            const image = new Image();
            image.src = url;
            await image.decode();
            ours.push((await pipe.classify(image)).label);
          }
          const exported = await pipe.exportModel();
          await pipe.close();
          return { ours, zip: [...new Uint8Array(await exported.arrayBuffer())] };
        },
        { zip, pictures: taught.pictures.map((p) => `data:image/png;base64,${Buffer.from(p).toString('base64')}`) },
      );
      const files = unzipSync(new Uint8Array(made.zip));
      expect(JSON.parse(new TextDecoder().decode(files['metadata.json']))).toMatchObject({
        imageSize: 96,
        grayscale: true,
      });
      const theirs = await theirLabels(TEACHABLE_MACHINE_PAGE, { files, pictures: taught.pictures });
      expect(theirs.labels).toEqual(['Class 1', 'Class 2']);
      expect(theirs.out).toEqual(made.ours);
    } finally {
      await page.close();
    }
  });

  test('the p5 example (examples/p5-teachable-machine) runs it with ml5 on the camera: the label drawn follows the photos of the clip', async () => {
    const example = 'examples/p5-teachable-machine';
    const file = (path: string, type: string) => ({ body: readFileSync(join(REPO, path)), type });
    const served: Served = {
      [`/${example}/`]: file(`${example}/index.html`, 'text/html'),
      [`/${example}/sketch.js`]: file(`${example}/sketch.js`, 'text/javascript'),
      '/node_modules/p5/lib/p5.esm.min.js': file('node_modules/p5/lib/p5.esm.min.js', 'text/javascript'),
      '/node_modules/ml5/dist/ml5.min.js': file('node_modules/ml5/dist/ml5.min.js', 'text/javascript'),
    };
    for (const name of ['model.json', 'weights.bin', 'metadata.json'])
      served[`/${example}/model/${name}`] = { body: taught.files[name]!, type: 'application/octet-stream' };
    const { base, close } = await serveOtherOrigin(served);
    const withCamera = await launch();
    try {
      const page = await withCamera.newPage();
      await page.goto(`${base}${example}/`);
      // Every label the sketch shows, until it has shown each photo's (the clip shows each for 2 s, in turn).
      const seen = await page.evaluate(
        (labels) =>
          new Promise<string[]>((resolve, reject) => {
            const shown = new Set<string>();
            const label = document.getElementById('label')!;
            const status = document.getElementById('status')!;
            const timer = setTimeout(
              () => reject(new Error(`after 60 s: ${[...shown].join(', ') || 'nothing'}; ${status.textContent}`)),
              60_000,
            );
            new MutationObserver(() => {
              if (status.classList.contains('error')) reject(new Error(status.textContent ?? ''));
              if (label.dataset.label) shown.add(label.dataset.label);
              if (labels.every((l) => shown.has(l))) {
                clearTimeout(timer);
                resolve([...shown]);
              }
            }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
          }),
        LABELS,
      );
      expect(seen.sort()).toEqual([...LABELS].sort());
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'p5-teachable-machine.png') });
    } finally {
      await withCamera.close();
      await close();
    }
  });

  test('ml5 1.4 loads it (ml5.imageClassifier of its model.json URL) and gives our labels on the same pictures', async () => {
    const theirs = await theirLabels({
      '/page.html': { body: ML5_PAGE, type: 'text/html' },
      '/ml5.min.js': { body: readFileSync(join(REPO, 'node_modules/ml5/dist/ml5.min.js')), type: 'text/javascript' },
    });
    expect(theirs.labels).toEqual(LABELS);
    expect(theirs.out).toEqual(taught.ours);
  });
});
