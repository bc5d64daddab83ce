/**
 * Projects through the public API in real Chromium: what a user teaches is kept in IndexedDB and comes
 * back after a reload (predicting again by itself if it was), travels as a project file to a fresh
 * profile, and every bad file, a second tab, or a full disk leaves the session exactly as it was.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launch } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch({ camera: false, webgpu: false });
});
afterAll(async () => {
  await browser?.close();
});

const SCENES = ['sun', 'night', 'sea'] as const;

/** What the harness page's canvas shows: the scene asked for, the one drawn last, and how many drawings so far. */
interface Scene {
  scene: string;
  drawn: string;
  tick: number;
  /** Shows `scene` and resolves once it has been drawn anew: the next picture taken of the canvas is of it. */
  show(scene: string): Promise<void>;
}

/** A page of the harness with a 320×240 canvas drawing `window.scene`: sun, night or sea. */
async function harness(context: BrowserContext, page?: Page): Promise<Page> {
  page ??= await context.newPage();
  await page.goto(new URL('tests/browser/harness.html', inject('baseUrl')).href);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 60_000 });
  await page.evaluate(() => {
    const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 240, id: 'scene' });
    document.body.append(canvas);
    const g = canvas.getContext('2d')!;
    const w = window as unknown as Scene;
    w.scene = 'sun';
    w.tick = 0;
    w.show = async (scene) => {
      w.scene = scene;
      while (w.drawn !== scene) await new Promise((r) => requestAnimationFrame(r));
      const tick = w.tick;
      while (w.tick === tick) await new Promise((r) => requestAnimationFrame(r));
    };
    const draw = () => {
      const t = (w.tick += 1);
      w.drawn = w.scene;
      const wobble = Math.sin(t / 7) * 12;
      if (w.scene === 'sun') {
        g.fillStyle = '#fc3';
        g.fillRect(0, 0, 320, 240);
        g.fillStyle = '#f60';
        g.beginPath();
        g.arc(160 + wobble, 120, 50, 0, 7);
        g.fill();
      } else if (w.scene === 'night') {
        g.fillStyle = '#136';
        g.fillRect(0, 0, 320, 240);
        g.fillStyle = '#eee';
        for (let i = 0; i < 40; i++) g.fillRect((i * 73 + wobble) % 320, (i * 37) % 240, 4, 4);
      } else {
        for (let y = 0; y < 240; y += 20) {
          g.fillStyle = y % 40 ? '#0a6' : '#08c';
          g.fillRect(0, y + wobble / 3, 320, 20);
        }
      }
      requestAnimationFrame(draw);
    };
    draw();
  });
  return page;
}

/** Teaches three scenes (5 examples each) to a pipeline of `project`, trains it and starts it. */
async function teach(page: Page, project: string) {
  return page.evaluate(
    async ({ project, scenes }) => {
      const canvas = document.getElementById('scene') as HTMLCanvasElement;
      const w = window as unknown as Scene & { pipe: Awaited<ReturnType<typeof window.tw.createPipeline>> };
      const pipe = await window.tw.createPipeline({ backend: 'wasm', project, train: { epochs: 12 } });
      w.pipe = pipe;
      for (const scene of scenes) await pipe.addLabel(scene);
      await pipe.addLabel('empty'); // a class with no examples yet keeps its place
      // Each example a new drawing of its scene (the picture wobbles from one drawing to the next).
      for (const scene of scenes) {
        for (let i = 0; i < 5; i++) {
          await w.show(scene);
          await pipe.addExample(scene, canvas);
        }
      }
      await pipe.train();
      pipe.start(canvas);
      await pipe.flush();
      return { project: pipe.project, counts: await pipe.counts() };
    },
    { project, scenes: [...SCENES] },
  );
}

/** What the pipeline predicts for each scene now (from predictions$ if `live`, else classify()). */
async function predictEach(page: Page, live: boolean) {
  return page.evaluate(
    async ({ scenes, live }) => {
      const canvas = document.getElementById('scene') as HTMLCanvasElement;
      const w = window as unknown as Scene & { pipe: Awaited<ReturnType<typeof window.tw.createPipeline>> };
      const out: Record<string, { label: string; confidences: Record<string, number> }> = {};
      for (const scene of scenes) {
        await w.show(scene);
        const shown = performance.now();
        const p = live
          ? await new Promise<{ label: string; confidences: Record<string, number> }>((resolve) => {
              const sub = w.pipe.predictions$.subscribe((q) => {
                if (q.t < shown) return; // a frame taken before this scene was surely on the canvas
                sub.unsubscribe();
                resolve(q);
              });
            })
          : await w.pipe.classify(canvas);
        out[scene] = { label: p.label, confidences: p.confidences };
      }
      return out;
    },
    { scenes: [...SCENES], live },
  );
}

// Errors are written `<class>: <message>`, the class found by `instanceof` with the one the package exports (the
// worker's errors arrive as themselves), else by its constructor: a plain Error named like one shows as `Error`.
describe('a project kept in IndexedDB', () => {
  test('comes back after a reload with its labels, examples and trained head, and predicts again by itself', async () => {
    const context = await browser.newContext();
    const first = await harness(context);
    const taught = await teach(first, 'studio');
    expect(taught.counts.perLabel).toEqual({ sun: 5, night: 5, sea: 5, empty: 0 });
    expect(taught.project).toMatchObject({ name: 'studio', restored: false, running: true, trained: true });
    const before = await predictEach(first, true);
    for (const scene of SCENES) expect(before[scene]!.label, JSON.stringify(before)).toBe(scene);
    await first.reload(); // the tab goes away without close(): as a crash or an accidental refresh would

    const second = await harness(context);
    await first.close();
    const restored = await second.evaluate(async () => {
      const canvas = document.getElementById('scene') as HTMLCanvasElement;
      const w = window as unknown as { pipe: Awaited<ReturnType<typeof window.tw.createPipeline>> };
      w.pipe = await window.tw.createPipeline({ backend: 'wasm', project: 'studio', source: canvas });
      const examples = await w.pipe.examples();
      return {
        project: w.pipe.project,
        settings: w.pipe.settings,
        running: w.pipe.running,
        counts: await w.pipe.counts(),
        thumbnails: examples.map((e) => e.thumbnail.width),
        ids: examples.map((e) => e.id),
      };
    });
    expect(restored.project).toMatchObject({ name: 'studio', restored: true, running: true, trained: true });
    expect(restored.project.labels).toEqual(['sun', 'night', 'sea', 'empty']);
    expect(restored.settings.train.epochs).toBe(12);
    expect(restored.counts.perLabel).toEqual({ sun: 5, night: 5, sea: 5, empty: 0 });
    expect(restored.thumbnails).toEqual(Array(15).fill(48));
    expect(restored.running).toBe(true); // started by itself: nobody called start()
    const after = await predictEach(second, true);
    for (const scene of SCENES) {
      expect(after[scene]!.label).toBe(scene);
    }
    const listed = await second.evaluate(() => window.tw.listProjects());
    expect(listed).toEqual([expect.objectContaining({ name: 'studio', head: 'dense', examples: 15 })]);
    await context.close();
  });

  test('a second tab on the same project is refused, and the first goes on', async () => {
    const context = await browser.newContext();
    const first = await harness(context);
    await teach(first, 'shared');
    const second = await harness(context);
    const refused = await second.evaluate(() =>
      window.tw.createPipeline({ backend: 'wasm', project: 'shared' }).then(
        () => null,
        (e: Error) =>
          `${e instanceof window.tw.ProjectLockedError ? 'ProjectLockedError' : e.constructor.name}: ${e.message}`,
      ),
    );
    expect(refused).toMatch(
      /^ProjectLockedError: The project 'shared' is open in another tab or window\. Close it there/,
    );
    const deleting = await second.evaluate(() =>
      window.tw.deleteProject('shared').then(
        () => null,
        (e: Error) => (e instanceof window.tw.ProjectLockedError ? 'ProjectLockedError' : e.constructor.name),
      ),
    );
    expect(deleting).toBe('ProjectLockedError');
    await first.bringToFront(); // a tab in the background draws no animation frames
    const still = await predictEach(first, false);
    for (const scene of SCENES) expect(still[scene]!.label).toBe(scene);
    await context.close();
  });
});

describe('project files', () => {
  test('Save project, then open it in a fresh profile: the same examples and the same predictions', async () => {
    const source = await browser.newContext();
    const page = await harness(source);
    await teach(page, 'travel');
    const before = await predictEach(page, false);
    const bytes = await page.evaluate(async () => {
      const w = window as unknown as { pipe: Awaited<ReturnType<typeof window.tw.createPipeline>> };
      const blob = await w.pipe.saveProject();
      return [...new Uint8Array(await blob.arrayBuffer())];
    });
    await source.close();

    const files = unzipSync(Uint8Array.from(bytes));
    const manifest = JSON.parse(strFromU8(files['trainwhistle-project.json']!)) as {
      format: string;
      version: number;
      examples: { crop: string }[];
      project: { labels: string[]; running: boolean };
    };
    expect(manifest).toMatchObject({ format: 'trainwhistle-project', version: 1 });
    expect(manifest.project.labels).toEqual(['sun', 'night', 'sea', 'empty']);
    expect(manifest.examples).toHaveLength(15);
    for (const e of manifest.examples) expect(files[e.crop]!.slice(0, 2)).toEqual(Uint8Array.of(0xff, 0xd8)); // JPEG

    const fresh = await browser.newContext();
    const other = await harness(fresh);
    const opened = await other.evaluate(async (bytes) => {
      const canvas = document.getElementById('scene') as HTMLCanvasElement;
      const w = window as unknown as { pipe: Awaited<ReturnType<typeof window.tw.createPipeline>> };
      w.pipe = await window.tw.createPipeline({ backend: 'wasm', project: 'opened', source: canvas });
      const phases: string[] = [];
      const project = await w.pipe.openProject(new Blob([Uint8Array.from(bytes)]), {
        onProgress: (p) => phases.push(p.phase),
      });
      return { project, running: w.pipe.running, counts: await w.pipe.counts(), phases: [...new Set(phases)] };
    }, bytes);
    expect(opened.project).toMatchObject({ name: 'opened', trained: true, running: true });
    expect(opened.running).toBe(true); // saved while predicting: predicting again once opened
    expect(opened.counts.perLabel).toEqual({ sun: 5, night: 5, sea: 5, empty: 0 });
    expect(opened.phases).toEqual(['read', 'decode', 'store']);
    const after = await predictEach(other, false);
    for (const scene of SCENES) {
      expect(after[scene]!.label).toBe(scene);
      for (const label of SCENES)
        expect(after[scene]!.confidences[label]).toBeCloseTo(before[scene]!.confidences[label]!, 1);
    }
    await fresh.close();
  });

  test('a corrupt, truncated, foreign or newer file, or a picture that does not decode, changes nothing', async () => {
    const context = await browser.newContext();
    const page = await harness(context);
    await teach(page, 'kept');
    const good = await page.evaluate(async () => {
      const w = window as unknown as { pipe: Awaited<ReturnType<typeof window.tw.createPipeline>> };
      return [...new Uint8Array(await (await w.pipe.saveProject()).arrayBuffer())];
    });
    const files = unzipSync(Uint8Array.from(good));
    const manifest = JSON.parse(strFromU8(files['trainwhistle-project.json']!)) as Record<string, unknown> & {
      examples: { crop: string }[];
    };
    const rezip = (changes: Record<string, Uint8Array>) => [...zipSync({ ...files, ...changes })];
    const bad: Record<string, number[]> = {
      'not a zip': [...strToU8('just some text, not a project')],
      truncated: good.slice(0, Math.floor(good.length / 2)),
      foreign: [...zipSync({ 'readme.txt': strToU8('hello') })],
      newer: rezip({ 'trainwhistle-project.json': strToU8(JSON.stringify({ ...manifest, version: 2 })) }),
      'broken picture': rezip({ [manifest.examples[3]!.crop]: strToU8('not a jpeg at all') }),
      'missing embeddings': [...zipSync({ 'trainwhistle-project.json': files['trainwhistle-project.json']! })],
    };
    const results = await page.evaluate(async (bad) => {
      const w = window as unknown as { pipe: Awaited<ReturnType<typeof window.tw.createPipeline>> };
      const out: Record<string, string> = {};
      for (const [name, bytes] of Object.entries(bad)) {
        out[name] = await w.pipe.openProject(new Blob([Uint8Array.from(bytes)])).then(
          () => 'opened',
          (e: Error) =>
            `${e instanceof window.tw.ProjectFileError ? 'ProjectFileError' : e.constructor.name}: ${e.message}`,
        );
      }
      return { out, counts: await w.pipe.counts(), project: w.pipe.project, running: w.pipe.running };
    }, bad);
    expect(results.out['not a zip']).toMatch(
      /^ProjectFileError: This file is not a trainwhistle project \(it is not a zip archive\)/,
    );
    expect(results.out.truncated).toMatch(
      /^ProjectFileError: The project file is damaged: the zip is truncated or corrupt/,
    );
    expect(results.out.foreign).toMatch(
      /^ProjectFileError: This zip is not a trainwhistle project \(it has no trainwhistle-project\.json\)/,
    );
    expect(results.out.newer).toMatch(
      /^ProjectFileError: This project was saved by a newer trainwhistle \(file version 2; this one reads up to 1\)\. Update trainwhistle/,
    );
    expect(results.out['broken picture']).toMatch(
      /^ProjectFileError: The project file is damaged: the picture of example 4 .* does not decode/,
    );
    expect(results.out['missing embeddings']).toMatch(
      /^ProjectFileError: The project file is damaged: embeddings\.f32 is missing/,
    );
    // Nothing lost, nothing half-loaded: the same classes, examples and head, and still predicting.
    expect(results.counts.perLabel).toEqual({ sun: 5, night: 5, sea: 5, empty: 0 });
    expect(results.project).toMatchObject({ name: 'kept', trained: true, examples: 15 });
    expect(results.running).toBe(true);
    const still = await predictEach(page, true);
    for (const scene of SCENES) expect(still[scene]!.label).toBe(scene);
    await context.close();
  });
});

describe('storage full', () => {
  test('says so once, keeps every example in the session, and a project too big to store changes nothing', async () => {
    // Chromium applies a quota override to an origin's storage before its first write, so: first the quota.
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(inject('baseUrl')).origin, quotaSize: 1 });
    await harness(context, page);
    const result = await page.evaluate(async () => {
      const canvas = document.getElementById('scene') as HTMLCanvasElement;
      const w = window as unknown as Scene & { pipe: Awaited<ReturnType<typeof window.tw.createPipeline>> };
      // A project file to open later: another pipeline's, kept nowhere (so it writes nothing here), of the sea.
      const maker = await window.tw.createPipeline({ backend: 'wasm', cacheModel: false });
      for (let i = 0; i < 3; i++) {
        await w.show('sea');
        await maker.addExample('sea', canvas);
      }
      const file = await maker.saveProject();
      await maker.close();
      const errors: string[] = [];
      const pipe = await window.tw.createPipeline({ backend: 'wasm', project: 'full', cacheModel: false });
      w.pipe = pipe;
      pipe.errors$.subscribe((e) =>
        errors.push(`${e instanceof window.tw.StorageError ? 'StorageError' : e.constructor.name}: ${e.message}`),
      );
      for (const scene of ['sun', 'night']) {
        for (let i = 0; i < 4; i++) {
          await w.show(scene);
          await pipe.addExample(scene, canvas);
        }
      }
      const flushed = await pipe.flush().then(
        () => 'stored',
        (e: Error) => (e instanceof window.tw.StorageError ? 'StorageError' : e.constructor.name),
      );
      const trained = await pipe.train().then((r) => r.examples);
      const opened = await pipe.openProject(file).then(
        () => 'opened',
        (e: Error) => `${e instanceof window.tw.StorageError ? 'StorageError' : e.constructor.name}: ${e.message}`,
      );
      const saved = (await pipe.saveProject()).size;
      return { errors, flushed, trained, opened, counts: await pipe.counts(), saved, project: pipe.project };
    });
    expect(result.flushed).toBe('StorageError');
    expect(result.errors).toHaveLength(1); // told once, not per example
    expect(result.errors[0]).toMatch(
      /^StorageError: The browser's storage for this site is full, so the project 'full' is not being saved\. .*Save the project to a file now/,
    );
    expect(result.trained).toBe(8);
    expect(result.opened).toMatch(/^StorageError: .*too full to hold the opened project; nothing was changed/);
    expect(result.counts.perLabel).toEqual({ sun: 4, night: 4 }); // the session, not the file that failed to open
    expect(result.project).toMatchObject({ name: 'full', trained: true, examples: 8 });
    expect(result.saved).toBeGreaterThan(1000); // the way out still works: save to a file
    await context.close();
  });
});
