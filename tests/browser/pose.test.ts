/**
 * Pose through the public API in real Chromium: MoveNet in the worker (loaded from models/ like MobileNet),
 * keypoints on the body in a letterboxed frame, nobody in view said so, the skeleton before any training,
 * and a gesture (head 'dtw') performed on a canvas recognised once. Several people (features 'people'):
 * MoveNet MultiPose in the worker, three people found in a room, and a live run keeping their ids. Hands
 * (features 'hands'): MediaPipe Hands in the worker, both hands of the photo found, followed live.
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

describe('pose features in the browser', () => {
  test('keypoints land on the footballer (whole picture, letterboxed), nobody is in the cat photo', async () => {
    const { page } = await open(browser, 'tests/browser/harness.html');
    const result = await page.evaluate(
      async ({ messi, cat }) => {
        const bitmap = async (b64: string) =>
          createImageBitmap(await (await fetch(`data:image/*;base64,${b64}`)).blob());
        const canvas = Object.assign(document.createElement('canvas'), { width: 548, height: 342 });
        const g = canvas.getContext('2d')!;
        g.drawImage(await bitmap(messi), 0, 0);
        const pipe = await window.tw.createPipeline({ backend: 'wasm', features: 'pose', head: 'knn' });
        // Untrained, a pose pipeline still answers with the pose: the skeleton needs no training.
        const person = await pipe.classify(canvas);
        canvas.width = 451;
        canvas.height = 300;
        g.drawImage(await bitmap(cat), 0, 0);
        const nobody = await pipe.classify(canvas);
        await pipe.close();
        return { info: { features: pipe.info.features, model: pipe.info.model.name }, person, nobody };
      },
      { messi: photo('people/messi5.jpg'), cat: photo('chelsea.png') },
    );
    expect(result.info).toEqual({ features: 'pose', model: 'movenet-lightning' });
    const k = (name: string) => result.person.pose!.keypoints.find((p) => p.name === name)!;
    expect(result.person.pose!.noPerson).toBe(false);
    expect(result.person.label).toBe('');
    // The canvas (548×342) reaches the model whole, with bars above and below: his wrists at about
    // (364, 164) and (91, 107) px of the photo are at these fractions of the square.
    expect(Math.hypot(k('left_wrist').x - 364 / 548, k('left_wrist').y - (164 + 103) / 548)).toBeLessThan(0.06);
    expect(Math.hypot(k('right_wrist').x - 91 / 548, k('right_wrist').y - (107 + 103) / 548)).toBeLessThan(0.06);
    expect(result.nobody.pose!.noPerson).toBe(true);
    expect(result.nobody.label).toBe('');
  });

  test('a gesture performed on a canvas is recognised once, on gestures$, with OSC-ready fields', async () => {
    const { page } = await open(browser, 'tests/browser/harness.html');
    const result = await page.evaluate(
      async ({ messi }) => {
        const image = await createImageBitmap(await (await fetch(`data:image/*;base64,${messi}`)).blob());
        const canvas = Object.assign(document.createElement('canvas'), { width: 384, height: 384 });
        const g = canvas.getContext('2d')!;
        /** The footballer leaning by `angle` degrees. */
        const draw = (angle: number) => {
          g.fillStyle = '#000';
          g.fillRect(0, 0, 384, 384);
          g.save();
          g.translate(192, 192);
          g.rotate((angle * Math.PI) / 180);
          g.drawImage(image, -154, -96, 308, 192);
          g.restore();
        };
        const frames = (from: number, to: number, n: number) =>
          Array.from({ length: n }, (_, i) => from + ((to - from) * i) / Math.max(1, n - 1));
        const pipe = await window.tw.createPipeline({ backend: 'wasm', features: 'pose', head: 'dtw' });
        const errors: string[] = [];
        pipe.errors$.subscribe((e) => errors.push(e.message));
        // The canvas redrawn frame by frame as the "camera": each frame once the one before was taken (its
        // example landed, its prediction came, or it failed), so none is dropped whatever the machine's speed.
        const { Observable } = window.harness;
        const paced = (angles: number[]) => {
          let advance = () => {};
          let finished = () => {};
          const done = new Promise<void>((resolve) => (finished = resolve));
          const source = new Observable<{ bitmap: ImageBitmap; t: number }>((sub) => {
            let i = 0;
            advance = () => {
              if (i === angles.length) return (finished(), sub.complete());
              draw(angles[i++]!);
              void window.tw
                .toBitmap(canvas, 224, 'contain')
                .then((bitmap) => sub.next({ bitmap, t: performance.now() }));
            };
            advance();
          });
          return { source, next: () => advance(), done };
        };
        pipe.errors$.subscribe(() => current?.next());
        let current: ReturnType<typeof paced> | null = null;
        // Teach: one hold of Record per gesture, every frame of it (maxFps Infinity: a template must have the
        // live stream's rate, as the studio records one).
        const teach = async (name: string, angles: number[]) => {
          current = paced(angles);
          const rec = pipe.record(name, current.source, { maxFps: Infinity });
          rec.count$.subscribe((n) => n > 0 && current?.next());
          await current.done;
          return rec.stop();
        };
        const counts = [await teach('lean right', frames(-20, 20, 16)), await teach('lean left', frames(20, -20, 16))];
        await pipe.train();
        const events: { name: string; distance: number; durationMs: number; t: number }[] = [];
        pipe.gestures$.subscribe((e) => events.push(e));
        const trace: string[] = [];
        pipe.predictions$.subscribe((p) => {
          trace.push(
            `${Object.values(p.gesture?.distances ?? {})
              .map((d) => d.toFixed(2))
              .join('/')}${p.pose?.noPerson ? 'N' : ''}`,
          );
          current?.next();
        });
        const perform = async (angles: number[]) => {
          const start = events.length;
          current = paced(angles);
          pipe.start(current.source);
          await current.done;
          pipe.stop();
          return events.slice(start).map((e) => e.name);
        };
        const right = await perform([...frames(-20, -20, 4), ...frames(-20, 20, 22), ...frames(20, 20, 5)]);
        // Standing still must match nothing: performed once the refractory period after the gesture is over
        // (its frames counted from the event's capture time), so that it cannot hide a false match.
        const quietFrom = (events.at(-1)?.t ?? 0) + pipe.settings.gestures.refractoryMs;
        while (performance.now() <= quietFrom) await new Promise((r) => requestAnimationFrame(r));
        const still = await perform(frames(0, 0, 20));
        await pipe.close();
        return { counts, right, still, errors, event: events[0], trace: trace.join(' ') };
      },
      { messi: photo('people/messi5.jpg') },
    );
    expect(result.errors).toEqual([]);
    for (const n of result.counts) expect(n).toBeGreaterThanOrEqual(10);
    expect(result.right, `distances per frame: ${result.trace}`).toEqual(['lean right']);
    expect(result.still).toEqual([]);
    expect(result.event).toMatchObject({
      name: 'lean right',
      distance: expect.any(Number),
      durationMs: expect.any(Number),
    });
    expect(result.event!.distance).toBeLessThan(0.18);
  });
});

describe('several people in the browser', () => {
  test('MoveNet MultiPose in the worker: three people in the room, each with an id; a live run keeps their ids', async () => {
    const { page } = await open(browser, 'tests/browser/harness.html');
    const result = await page.evaluate(
      async ({ room }) => {
        const image = await createImageBitmap(await (await fetch(`data:image/*;base64,${room}`)).blob());
        const canvas = Object.assign(document.createElement('canvas'), { width: 1049, height: 861 });
        canvas.getContext('2d')!.drawImage(image, 0, 0);
        const pipe = await window.tw.createPipeline({ backend: 'wasm', features: 'people', head: 'knn' });
        const still = await pipe.classify(canvas);
        // Live: ten predictions of the canvas, each with who is in view and who came and went.
        const live: { ids: number[]; entered: number[]; left: number[] }[] = [];
        const ten = new Promise<void>((resolve) =>
          pipe.predictions$.subscribe((p) => {
            live.push({ ids: p.people!.map((q) => q.id), ...p.peopleChanged! });
            if (live.length === 10) resolve();
          }),
        );
        pipe.start(canvas);
        await ten;
        pipe.stop();
        await pipe.close();
        return {
          info: { features: pipe.info.features, model: pipe.info.model.name },
          still: {
            people: still.people!.map((q) => ({ id: q.id, score: q.score, box: q.box })),
            changed: still.peopleChanged,
          },
          live,
        };
      },
      { room: photo('people/three_people.jpg') },
    );
    const why = JSON.stringify(result);
    expect(result.info).toEqual({ features: 'people', model: 'movenet-multipose' });
    expect(
      result.still.people.map((q) => q.id),
      why,
    ).toEqual([1, 2, 3]);
    expect(result.still.changed).toEqual({ entered: [1, 2, 3], left: [] });
    // Three boxes apart enough to be three people: no two share their middle.
    const middles = result.still.people.map((q) => [(q.box.xMin + q.box.xMax) / 2, (q.box.yMin + q.box.yMax) / 2]);
    for (let i = 0; i < 3; i++)
      for (let j = i + 1; j < 3; j++)
        expect(Math.hypot(middles[i]![0]! - middles[j]![0]!, middles[i]![1]! - middles[j]![1]!), why).toBeGreaterThan(
          0.1,
        );
    // The same people, live: the ids they had, nobody new, nobody gone.
    for (const frame of result.live) {
      expect(
        frame.ids.every((id) => [1, 2, 3].includes(id)),
        why,
      ).toBe(true);
      expect(frame.entered, why).toEqual([]);
      expect(frame.left, why).toEqual([]);
    }
  });
});

describe('hands in the browser', () => {
  test('MediaPipe Hands in the worker: both hands of the photo, their keypoints on them; a live run follows them with their ids', async () => {
    const { page } = await open(browser, 'tests/browser/harness.html');
    const result = await page.evaluate(
      async ({ hands }) => {
        const image = await createImageBitmap(await (await fetch(`data:image/*;base64,${hands}`)).blob());
        const canvas = Object.assign(document.createElement('canvas'), { width: 720, height: 382 });
        canvas.getContext('2d')!.drawImage(image, 0, 0);
        const pipe = await window.tw.createPipeline({ backend: 'wasm', features: 'hands', head: 'knn' });
        const still = await pipe.classify(canvas);
        const live: number[][] = [];
        const ten = new Promise<void>((resolve) =>
          pipe.predictions$.subscribe((p) => {
            live.push(p.hands!.map((h) => h.id));
            if (live.length === 10) resolve();
          }),
        );
        pipe.start(canvas);
        await ten;
        pipe.stop();
        await pipe.close();
        return {
          info: { features: pipe.info.features, model: pipe.info.model.name },
          hands: still.hands!.map((h) => ({
            id: h.id,
            handedness: h.handedness,
            wrist: h.keypoints[0]!,
            tip: h.keypoints[12]!,
          })),
          live,
        };
      },
      { hands: photo('hands/hands.jpg') },
    );
    const why = JSON.stringify(result);
    expect(result.info).toEqual({ features: 'hands', model: 'mediapipe-hand-full' });
    expect(result.hands, why).toHaveLength(2);
    // The photo (720×382) letterboxed into a 720 square: 169 px of bar above. MediaPipe's own answer puts the
    // wrists at (580, 34) and (138, 343), the middle fingertips at (536, 360) and (185, 19), within the 12 px
    // tfjs-models allows. Hands frames reach the worker as 448² squares (at 224², one wrist was 19 px off).
    const near = (k: { x: number; y: number }, [x, y]: readonly [number, number]) =>
      Math.hypot(k.x * 720 - x, k.y * 720 - 169 - y) <= 12;
    for (const [wrist, tip] of [
      [
        [580, 34],
        [536, 360],
      ],
      [
        [138, 343],
        [185, 19],
      ],
    ] as const)
      expect(
        result.hands.some((h) => near(h.wrist, wrist) && near(h.tip, tip)),
        why,
      ).toBe(true);
    const ids = result.hands.map((h) => h.id).sort();
    for (const frame of result.live) expect([...frame].sort(), why).toEqual(ids);
  });
});
