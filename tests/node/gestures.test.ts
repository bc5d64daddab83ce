/**
 * Gestures (head 'dtw') through the engine, on sequences made from the real photos with known answers: a
 * lean taught one way is recognised when performed faster or slower, the opposite lean is the other
 * gesture, and a zoom (which pose features do not see) or standing still matches nothing. With pose
 * features (MoveNet) and with image features (MobileNet).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GestureEvent } from '../../src/protocol/engine-api';
import type { PixelData } from '../../src/protocol/frame';
import type { Engine } from '../../src/worker/engine';
import { place } from '../support/augment';
import { loadFixture } from '../support/clip';
import { poseEngine, realEngine } from '../support/engine';

const messi = loadFixture('people/messi5.jpg');
const FRAME_MS = 1000 / 30;

/** The footballer leaning from `from`° to `to`° over `n` frames. */
const lean = (from: number, to: number, n: number): PixelData[] =>
  Array.from({ length: n }, (_, i) =>
    place(messi, { scale: 0.8, cx: 0.5, cy: 0.5, angle: from + ((to - from) * i) / (n - 1) }),
  );
const hold = (angle: number, n: number) => lean(angle, angle, n);
const zoom = (n: number) =>
  Array.from({ length: n }, (_, i) => place(messi, { scale: 0.7 + (0.25 * i) / (n - 1), cx: 0.5, cy: 0.5 }));

/** Records `frames` as one template of `name`. */
async function teach(engine: Engine, name: string, frames: PixelData[]) {
  const sequence = await engine.beginSequence();
  for (const f of frames) await engine.addExample(name, f, { sequence });
  await engine.endSequence(sequence);
}

/** Plays frames at 30 fps from time `t0`; returns the gestures recognised. */
async function play(engine: Engine, frames: PixelData[], t0: number): Promise<GestureEvent[]> {
  const events: GestureEvent[] = [];
  for (const [i, f] of frames.entries()) {
    const p = await engine.predict(f, t0 + i * FRAME_MS);
    if (p.gesture?.match) events.push(p.gesture.match);
  }
  return events;
}

describe('gestures from pose features', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await poseEngine({ head: 'dtw' });
    await engine.addLabel('lean right');
    await engine.addLabel('lean left');
    await expect(engine.train()).rejects.toThrow(/No template for 'lean right', 'lean left': hold Record/);
    await teach(engine, 'lean right', lean(-20, 20, 24));
    await expect(engine.train()).rejects.toThrow(/No template for 'lean left'/);
    await teach(engine, 'lean left', lean(20, -20, 24));
    await engine.train(); // one template per gesture is enough
  });
  afterAll(() => engine.dispose());

  test('a lean taught at one speed is recognised slower and faster, once, with its duration', async () => {
    const slow = await play(engine, [...hold(-20, 8), ...lean(-20, 20, 36), ...hold(20, 10)], 0);
    expect(slow.map((e) => e.name)).toEqual(['lean right']);
    expect(slow[0]!.durationMs).toBeGreaterThan(25 * FRAME_MS);
    const fast = await play(engine, [...hold(20, 8), ...lean(20, -20, 15), ...hold(-20, 10)], 10_000);
    expect(fast.map((e) => e.name)).toEqual(['lean left']);
    expect(fast[0]!.durationMs).toBeLessThan(25 * FRAME_MS);
    console.info(`distances: slow ${slow[0]!.distance.toFixed(3)}, fast ${fast[0]!.distance.toFixed(3)}`);
  });

  test('a zoom and standing still match nothing', async () => {
    expect(await play(engine, zoom(30), 20_000)).toEqual([]);
    expect(await play(engine, hold(0, 30), 30_000)).toEqual([]);
  });

  test('nobody in view: no gesture, and a recording too short is refused', async () => {
    const cat = loadFixture('chelsea.png');
    const p = await engine.predict(cat, 40_000);
    expect(p.pose!.noPerson).toBe(true);
    expect(p.gesture).toBeUndefined();
    const sequence = await engine.beginSequence();
    for (const f of lean(-20, -15, 3)) await engine.addExample('lean right', f, { sequence });
    await expect(engine.endSequence(sequence)).rejects.toThrow(/only 3 frames, too short for a gesture/);
    expect((await engine.counts()).perLabel).toEqual({ 'lean right': 24, 'lean left': 24 });
  });
});

describe('gestures from image features', () => {
  test('MobileNet: a sweep from the cat through the cup to the rocket is told from the way back', async () => {
    const engine = await realEngine({ head: 'dtw' });
    const photos = ['chelsea.png', 'coffee.png', 'rocket.jpg'].map((n) =>
      place(loadFixture(n), { scale: 1, cx: 0.5, cy: 0.5, size: 224 }),
    );
    const blend = (a: PixelData, b: PixelData, k: number): PixelData => ({
      width: 224,
      height: 224,
      data: a.data.map((v, i) => v * (1 - k) + b.data[i]! * k),
    });
    /** 0 is the cat, 1 the cup, 2 the rocket; in between, one fades into the next. */
    const at = (x: number) => {
      const i = Math.min(1, Math.floor(x));
      return blend(photos[i]!, photos[i + 1]!, x - i);
    };
    const sweep = (from: number, to: number, n: number) =>
      Array.from({ length: n }, (_, i) => at(from + ((to - from) * i) / (n - 1)));
    await teach(engine, 'forth', sweep(0, 2, 20));
    await teach(engine, 'back', sweep(2, 0, 20));
    await engine.train();
    expect(
      (await play(engine, [...sweep(0, 0, 6), ...sweep(0, 2, 30), ...sweep(2, 2, 8)], 0)).map((e) => e.name),
    ).toEqual(['forth']);
    expect(
      (await play(engine, [...sweep(2, 2, 6), ...sweep(2, 0, 12), ...sweep(0, 0, 8)], 10_000)).map((e) => e.name),
    ).toEqual(['back']);
    // Must match nothing: holding still, and going halfway and back.
    expect(await play(engine, sweep(1, 1, 30), 20_000)).toEqual([]);
    expect(await play(engine, [...sweep(0, 0, 4), ...sweep(0, 1, 15), ...sweep(1, 0, 15)], 30_000)).toEqual([]);
    await engine.dispose();
  });
});
