/**
 * Hands beside other features (`also: ['hands']`), with the real weights on wasm: the heads learn from the
 * picture or the pose, and every prediction carries the hands MediaPipe sees in the same frame. A frame with no
 * hand still teaches and predicts; the hands come where they are.
 */
import { describe, expect, test } from 'vitest';
import { frameShapeFor } from '../../src/protocol/frame';
import { mergeEngineOptions, validateEngineOptions } from '../../src/protocol/options';
import type { PixelData } from '../../src/protocol/frame';
import { place } from '../support/augment';
import { loadFixture } from '../support/clip';
import { poseEngine, realEngine } from '../support/engine';

const hands = loadFixture('hands/hands.jpg'); // 720×382: two open hands
const cat = loadFixture('chelsea.png');
const court = loadFixture('people/basketball1.png'); // 640×480: two players
const CATCHER: [number, number, number, number] = [10, 60, 190, 420];
const THROWER: [number, number, number, number] = [410, 10, 230, 470];

/** MediaPipe's wrists in the hands photo (hands_test.py), in its pixels. */
const WRISTS = [
  [580, 34],
  [138, 343],
];

/** A keypoint of the engine's square (the picture letterboxed) in the picture's pixels. */
function inPicture(k: { x: number; y: number }, picture: PixelData): [number, number] {
  const side = Math.max(picture.width, picture.height);
  return [k.x * side - (side - picture.width) / 2, k.y * side - (side - picture.height) / 2];
}

describe('hands beside other features (also: hands)', () => {
  test('image features: the classes come from the picture, the hands from the same frame; a frame with no hand still teaches', async () => {
    const engine = await realEngine({ head: 'knn', knn: { k: 1 }, also: ['hands'] });
    try {
      await engine.addExample('cat', cat);
      await engine.addExample('hands', hands);
      await engine.train();
      const withCat = await engine.predict(cat, 1000);
      expect(withCat.label).toBe('cat');
      expect(withCat.hands).toEqual([]);
      const withHands = await engine.predict(hands, 2000);
      expect(withHands.label).toBe('hands');
      expect(withHands.hands).toHaveLength(2);
      for (const wrist of WRISTS) {
        const nearest = Math.min(
          ...withHands.hands!.map((h) => Math.hypot(...inPicture(h.keypoints[0]!, hands).map((v, i) => v - wrist[i]!))),
        );
        expect(nearest).toBeLessThan(12);
      }
    } finally {
      await engine.dispose();
    }
  });

  test('pose features: a class trained on the pose, the hands streamed beside it', async () => {
    const engine = await poseEngine({ head: 'knn', knn: { k: 1 }, also: ['hands'] });
    try {
      const player = (region: [number, number, number, number], cx: number) =>
        place(court, { scale: region === CATCHER ? 0.4 : 0.45, cx, cy: 0.5, region });
      await engine.addExample('catch', player(CATCHER, 0.5));
      await engine.addExample('throw', player(THROWER, 0.5));
      await engine.train();
      const caught = await engine.predict(player(CATCHER, 0.4), 1000);
      expect(caught.pose!.noPerson).toBe(false);
      expect(caught.label).toBe('catch');
      expect(Array.isArray(caught.hands)).toBe(true);
      const thrown = await engine.predict(player(THROWER, 0.6), 2000);
      expect(thrown.label).toBe('throw');
      // The two hands' photo: both hands streamed, whatever the pose makes of it.
      expect((await engine.predict(hands, 3000)).hands).toHaveLength(2);
      // Nobody and no hand: no class, no hand.
      const empty = await engine.predict(cat, 4000);
      expect(empty.pose!.noPerson).toBe(true);
      expect(empty).toMatchObject({ label: '', hands: [] });
    } finally {
      await engine.dispose();
    }
  });

  test("the frame is the hands' square, the whole picture; asking twice for hands is refused with the reason", () => {
    expect(frameShapeFor('image', ['hands'])).toEqual({ fit: 'contain', size: 448 });
    expect(frameShapeFor('pose', ['hands'])).toEqual({ fit: 'contain', size: 448 });
    expect(frameShapeFor('image')).toEqual({ fit: 'cover', size: 224 });
    expect(() => validateEngineOptions(mergeEngineOptions({ features: 'hands', also: ['hands'] }))).toThrow(
      /features: 'hands' sees the hands already/,
    );
    expect(() => validateEngineOptions(mergeEngineOptions({ also: ['face' as 'hands'] }))).toThrow(
      /Unknown also \["face"\]: it takes \['hands'\]/,
    );
  });
});
