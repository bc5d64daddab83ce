/**
 * The engine with real MobileNet weights (../shared/models) on the wasm backend, fed real photos.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Engine } from '../../src/worker/engine';
import type { PixelData } from '../../src/protocol/frame';
import type { TrainProgress } from '../../src/protocol/engine-api';
import { cosine, crops } from '../support/augment';
import { loadFixture } from '../support/clip';
import { GRAPH_MODEL_DIR, folderHandler, realEngine } from '../support/engine';

const photos: Record<string, PixelData> = {
  chelsea: loadFixture('chelsea.png'),
  coffee: loadFixture('coffee.png'),
  rocket: loadFixture('rocket.jpg'),
};
const labels = Object.keys(photos);

/** Adds `perLabel` augmented crops of each photo as examples (of `target(label)`). */
async function teachAndTest(
  engine: Engine,
  perLabel: number,
  target = (label: string): string | Record<string, number> => label,
) {
  for (const [i, label] of labels.entries()) {
    for (const c of crops(photos[label]!, perLabel, 100 + i)) await engine.addExample(target(label), c);
  }
}

async function heldOut(engine: Engine, check: (label: string, p: Awaited<ReturnType<Engine['predict']>>) => boolean) {
  let right = 0;
  let total = 0;
  for (const [i, label] of labels.entries()) {
    for (const c of crops(photos[label]!, 12, 900 + i)) {
      total += 1;
      if (check(label, await engine.predict(c, total))) right += 1;
    }
  }
  return right / total;
}

describe('embeddings', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await realEngine();
  });
  afterAll(() => engine.dispose());

  test('are 256 wide, differ between photos and stay close across crops of one photo', async () => {
    const full: Record<string, Float32Array> = {};
    for (const label of labels) full[label] = await engine.embed(photos[label]!);
    expect(full.chelsea!.length).toBe(256);
    for (const label of labels) {
      const others = labels.filter((l) => l !== label).map((l) => cosine(full[label]!, full[l]!));
      for (const c of crops(photos[label]!, 5, 7)) {
        const own = cosine(await engine.embed(c), full[label]!);
        expect(own).toBeGreaterThan(Math.max(...others));
      }
    }
    expect(cosine(full.chelsea!, full.coffee!)).toBeLessThan(0.8);
  });
});

describe('dense head', () => {
  test('learns three photos from augmented crops and classifies held-out crops, reporting every epoch', async () => {
    const engine = await realEngine();
    await teachAndTest(engine, 10);
    const progress: TrainProgress[] = [];
    const report = await engine.train((p) => progress.push(p));
    expect(progress.map((p) => p.epoch)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(progress.at(-1)!.loss).toBeLessThan(progress[0]!.loss);
    expect(progress.at(-1)!.valAccuracy).toBeDefined(); // 10 per label ≥ 1/0.15: some held out
    expect(report.examples).toBe(30);
    const accuracy = await heldOut(engine, (label, p) => p.label === label);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    const p = await engine.predict(crops(photos.coffee!, 1, 5)[0]!, 42);
    expect(Object.keys(p.confidences)).toEqual(labels);
    expect(Object.values(p.confidences).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(p.t).toBe(42);
    await engine.dispose();
  });
});

describe('knn head', () => {
  test('predicts after one example per label, and well after a few', async () => {
    const engine = await realEngine({ head: 'knn' });
    for (const [i, label] of labels.entries()) await engine.addExample(label, crops(photos[label]!, 1, 300 + i)[0]!);
    const p = await engine.predict(photos.rocket!, 1);
    expect(p.label).toBe('rocket');
    await teachAndTest(engine, 6);
    expect(await heldOut(engine, (label, q) => q.label === label)).toBeGreaterThanOrEqual(0.95);
    await engine.dispose();
  });
});

describe('regression head', () => {
  test('learns continuous outputs and predicts held-out crops near their targets', async () => {
    const targets: Record<string, Record<string, number>> = {
      chelsea: { x: 0.1, y: 0.9 },
      coffee: { x: 0.5, y: 0.5 },
      rocket: { x: 0.9, y: 0.1 },
    };
    const engine = await realEngine({ head: 'regression', outputs: ['x', 'y'], train: { epochs: 60 } });
    await teachAndTest(engine, 10, (label) => targets[label]!);
    await engine.train();
    const close = await heldOut(
      engine,
      (label, p) =>
        p.label === '' &&
        Math.abs(p.values!.x! - targets[label]!.x!) < 0.15 &&
        Math.abs(p.values!.y! - targets[label]!.y!) < 0.15,
    );
    expect(close).toBeGreaterThanOrEqual(0.9);
    await engine.dispose();
  });
});

describe('every tensor has an owner', () => {
  test.each(['dense', 'knn', 'regression'] as const)(
    '%s: predict, add, remove and retrain leave the tensor count unchanged',
    async (head) => {
      const engine = await realEngine({ head, train: { epochs: 3 } });
      const target = (label: string) => (head === 'regression' ? { value: label === 'chelsea' ? 0 : 1 } : label);
      await teachAndTest(engine, 3, target);
      await engine.train();
      const count = async () => (await engine.memory()).numTensors;
      const image = crops(photos.chelsea!, 1, 11)[0]!;

      let before = await count();
      for (let i = 0; i < 5; i++) await engine.predict(image, i);
      expect(await count()).toBe(before);

      before = await count();
      const added = await engine.addExample(target('chelsea'), image);
      expect(await count()).toBe(before);
      await engine.removeExample(added.id);
      expect(await count()).toBe(before);

      await engine.train();
      expect(await count()).toBe(before);

      await engine.dispose();
    },
  );
});

describe('bad input', () => {
  // A fresh engine for each test: what one test adds must not decide what another sees.
  let engine: Engine;
  beforeEach(async () => {
    engine = await realEngine();
  });
  afterEach(() => engine.dispose());

  test('training with fewer than 2 labels says what to add, and keeps the examples', async () => {
    await expect(engine.train()).rejects.toThrow(/at least 2 labels; there are none/);
    await engine.addExample('cat', photos.chelsea!);
    await engine.addExample('cat', photos.chelsea!);
    await expect(engine.train()).rejects.toThrow(/only 'cat' \(2 examples\).*another label/);
    expect((await engine.counts()).perLabel).toEqual({ cat: 2 });
  });

  test('an empty label is refused', async () => {
    await expect(engine.addExample('  ', photos.chelsea!)).rejects.toThrow(/label cannot be empty/);
    await expect(engine.addExample(7 as unknown as string, photos.chelsea!)).rejects.toThrow(TypeError);
  });

  test('classify before training says to train (or use knn)', async () => {
    await expect(engine.predict(photos.chelsea!, 0)).rejects.toMatchObject({
      name: 'NotTrainedError',
      message: expect.stringMatching(/call train\(\).*knn/),
    });
  });

  test('wrong image types and sizes get a clear error', async () => {
    await expect(engine.embed('cat.png' as never)).rejects.toThrow(
      /Cannot read an image from a string. Pass an ImageBitmap, ImageData/,
    );
    await expect(engine.embed({ width: 0, height: 10, data: new Uint8Array(0) })).rejects.toThrow(
      /0×10: it needs at least one pixel/,
    );
    await expect(engine.embed({ width: 4, height: 4, data: new Uint8Array(10) })).rejects.toThrow(
      /needs 64 bytes, got 10/,
    );
  });

  test('label management: rename, clear, remove, with errors naming what exists', async () => {
    const a = await engine.addExample('cat', photos.chelsea!);
    await engine.addExample('cup', photos.coffee!);
    expect((await engine.renameLabel('cat', 'kitten')).perLabel).toEqual({ kitten: 1, cup: 1 });
    await expect(engine.renameLabel('cup', 'kitten')).rejects.toThrow(/already exists/);
    await expect(engine.clearLabel('dog')).rejects.toThrow(/no label 'dog'. Labels are: kitten, cup/);
    await expect(engine.removeExample(9999)).rejects.toThrow(RangeError);
    // A class stays until it is cleared, even with no examples left (a card in the app keeps its place).
    expect((await engine.removeExample(a.id)).perLabel).toEqual({ kitten: 0, cup: 1 });
    const [ex] = await engine.examples();
    expect(ex!.thumbnail.width * ex!.thumbnail.height * 4).toBe(ex!.thumbnail.data.length);
    expect((await engine.clearLabel('cup')).total).toBe(0);
  });
});

describe('set-up errors', () => {
  test('unreachable weights name npm run models', async () => {
    const { Engine } = await import('../../src/worker/engine');
    const engine = new Engine({ modelHandler: { load: () => Promise.reject(new Error('404 Not Found')) } });
    await expect(engine.init({ backend: 'wasm', cacheModel: false })).rejects.toMatchObject({
      name: 'ModelUnavailableError',
      message: expect.stringMatching(/404 Not Found.*npm run models/),
    });
  });

  test('an unavailable backend falls back and says so', async () => {
    const { Engine } = await import('../../src/worker/engine');
    const engine = new Engine({ modelHandler: folderHandler(GRAPH_MODEL_DIR) });
    const report = await engine.init({ backend: 'webgpu', cacheModel: false });
    expect(report.backend.backend).toBe('wasm'); // Node has neither WebGPU nor WebGL
    expect(report.warnings.join(' ')).toMatch(
      /WebGPU was requested but is unavailable \(.+\); fell back to WebAssembly/,
    );
    expect((await engine.embed(photos.chelsea!)).length).toBe(256);
    await engine.dispose();
  });

  test('invalid options name the valid choices', async () => {
    await expect(realEngine({ backend: 'metal' as never })).rejects.toThrow(
      /Valid backends are: auto, webgpu, webgl, wasm, cpu/,
    );
    await expect(realEngine({ model: { version: 2, alpha: 0.25 } })).rejects.toThrow(
      /Valid alphas for this version are: 0.5, 0.75, 1/,
    );
    await expect(realEngine({ head: 'regression', outputs: [] })).rejects.toThrow(/one or more distinct output names/);
  });

  test('regression targets are checked against the outputs', async () => {
    const engine = await realEngine({ head: 'regression', outputs: ['x'] });
    await expect(engine.addExample('cat', photos.chelsea!)).rejects.toThrow(/needs target values \{ x: 0..1 \}/);
    await expect(engine.addExample({ x: 2 }, photos.chelsea!)).rejects.toThrow(/'x' needs a number in \[0, 1\]/);
    await expect(engine.addExample({ x: 0.5, y: 1 }, photos.chelsea!)).rejects.toThrow(/Unknown output 'y'/);
    await engine.dispose();
  });
});

/** Nearest-rank median. */
const median = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;

describe('raw benchmark', () => {
  test('runs the model alone for the time asked, faster than embed() and in the same range, leaving no tensors', async () => {
    const engine = await realEngine();
    const DURATION_MS = 1000;
    // embed() of a whole photo does what raw does (the same inference, on the same backend) plus reading
    // the pixels, cropping and resizing: timed here, by this test's own clock, before and after.
    const photo = photos.rocket!;
    const embedTimes: number[] = [];
    const timeEmbed = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await engine.embed(photo);
        embedTimes.push(performance.now() - t0);
      }
    };
    await timeEmbed(15);
    const before = (await engine.memory()).numTensors;
    const t0 = performance.now();
    const raw = await engine.rawBenchmark(DURATION_MS);
    const wall = performance.now() - t0;
    expect((await engine.memory()).numTensors).toBe(before);
    await timeEmbed(15);
    const embedMs = median(embedTimes);
    await engine.dispose();

    expect(raw.backend).toBe('wasm');
    // The call ran at least as long as asked, and its frames, mean and fps fit inside the time it took...
    const measuredMs = (raw.frames * 1000) / raw.fps;
    expect(wall).toBeGreaterThanOrEqual(DURATION_MS);
    expect(raw.frames * raw.msPerFrame.mean).toBeLessThanOrEqual(wall);
    expect(raw.frames * raw.msPerFrame.mean).toBeGreaterThanOrEqual(0.9 * DURATION_MS);
    expect(measuredMs).toBeLessThanOrEqual(wall);
    expect(measuredMs).toBeGreaterThanOrEqual(0.9 * DURATION_MS);
    // ...as do its percentiles: at least half the frames took p50 or more, at least one took p95 or more.
    expect(raw.msPerFrame.p50 * Math.ceil(raw.frames / 2)).toBeLessThanOrEqual(wall);
    expect(raw.msPerFrame.p95 * (raw.frames - Math.floor(0.95 * raw.frames))).toBeLessThanOrEqual(wall);
    // ...and it stopped soon after: a warm-up and one last frame past the duration, not another duration.
    expect(wall).toBeLessThan(1.5 * DURATION_MS + 5 * embedMs);
    // Less work than embed(), so not slower; the same inference, so not absurdly faster (nothing skipped).
    expect(raw.msPerFrame.p50).toBeLessThanOrEqual(embedMs);
    expect(raw.msPerFrame.p50).toBeGreaterThan(embedMs / 10);
    expect(raw.msPerFrame.p95).toBeGreaterThan(embedMs / 10);
    expect(raw.msPerFrame.mean).toBeGreaterThan(embedMs / 10);
  });
});
