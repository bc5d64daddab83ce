/**
 * Pose features with the real MoveNet Lightning weights (../shared/models) on wasm, fed real photos of
 * people (../shared/fixtures/people): keypoints land on the body, a photo with nobody says so, the features
 * hold still when the person moves or comes nearer, and poses of different people are told apart.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KEYPOINT_NAMES, type Keypoint, type Pose } from '../../src/protocol/pose';
import type { PixelData } from '../../src/protocol/frame';
import type { Engine } from '../../src/worker/engine';
import { poseVector } from '../../src/worker/features/pose-vector';
import { rmsDistance } from '../../src/worker/gestures/streaming-dtw';
import { place, rng, type Placement } from '../support/augment';
import { loadFixture } from '../support/clip';
import { poseEngine } from '../support/engine';

const messi = loadFixture('people/messi5.jpg'); // 548×342: a footballer striking a ball, arms spread wide
const court = loadFixture('people/basketball1.png'); // 640×480: two players
/** The player on the left, whole, catching the ball; the one on the right, upper body, hands low. */
const CATCHER: [number, number, number, number] = [10, 60, 190, 420];
const THROWER: [number, number, number, number] = [410, 10, 230, 470];

let engine: Engine;
beforeAll(async () => {
  engine = await poseEngine({ head: 'knn' });
});
afterAll(() => engine.dispose());

const poseOf = async (image: PixelData): Promise<Pose> => (await engine.predict(image, 0)).pose!;
const kp = (pose: Pose, name: string) => pose.keypoints.find((k) => k.name === name)!;

describe('MoveNet keypoints', () => {
  test('land on the footballer: both wrists out beyond the elbows and shoulders, where the photo has them', async () => {
    const pose = await poseOf(messi);
    expect(pose.noPerson).toBe(false);
    expect(pose.keypoints.map((k) => k.name)).toEqual([...KEYPOINT_NAMES]);
    // The photo (548×342) is letterboxed to 548×548: 103 px of bar above. By eye, his wrists are at about
    // (364, 164) px (his left, on the right of the picture) and (91, 107) px.
    const [left, right] = [kp(pose, 'left_wrist'), kp(pose, 'right_wrist')];
    expect(left.score).toBeGreaterThan(0.3);
    expect(right.score).toBeGreaterThan(0.3);
    expect(Math.hypot(left.x - 364 / 548, left.y - (164 + 103) / 548)).toBeLessThan(0.05);
    expect(Math.hypot(right.x - 91 / 548, right.y - (107 + 103) / 548)).toBeLessThan(0.05);
    expect(left.x).toBeGreaterThan(kp(pose, 'left_elbow').x + 0.03);
    expect(kp(pose, 'left_elbow').x).toBeGreaterThan(kp(pose, 'left_shoulder').x + 0.03);
    expect(right.x).toBeLessThan(kp(pose, 'right_elbow').x - 0.03);
    expect(kp(pose, 'right_elbow').x).toBeLessThan(kp(pose, 'right_shoulder').x - 0.03);
    for (const name of ['left_shoulder', 'right_shoulder', 'left_hip', 'right_hip']) {
      expect(kp(pose, name).score, name).toBeGreaterThan(0.5);
    }
  });

  test('a photo with nobody in it says so: low scores, noPerson, no label', async () => {
    const withPerson = Math.max(...(await poseOf(messi)).keypoints.map((k) => k.score));
    for (const name of ['chelsea.png', 'coffee.png', 'rocket.jpg']) {
      const p = await engine.predict(loadFixture(name), 0);
      expect(p.pose!.noPerson, name).toBe(true);
      expect(p.label).toBe('');
      const scores = p.pose!.keypoints.map((k) => k.score);
      expect(scores.filter((s) => s >= 0.3).length, name).toBeLessThan(5);
      expect(Math.max(...scores), name).toBeLessThan(withPerson);
    }
  });
});

describe('pose features', () => {
  test('are exactly the same for a skeleton moved and scaled (the vector alone)', () => {
    const next = rng(5);
    const skeleton: Keypoint[] = KEYPOINT_NAMES.map((name) => ({
      name,
      x: next(),
      y: next(),
      score: 0.2 + 0.8 * next(),
    }));
    const moved = skeleton.map((k) => ({ ...k, x: 0.1 + 0.6 * k.x, y: 0.2 + 0.6 * k.y }));
    const a = poseVector(skeleton);
    const b = poseVector(moved);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i]!, 5);
    // With mirror: the mirror image (x flipped, left and right swapped) gives the same vector.
    const swap = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15];
    const mirrored = skeleton.map((_, i) => ({
      ...skeleton[swap[i]!]!,
      name: skeleton[i]!.name,
      x: 1 - skeleton[swap[i]!]!.x,
    }));
    const [m1, m2] = [poseVector(skeleton, true), poseVector(mirrored, true)];
    for (let i = 0; i < m1.length; i++) expect(m2[i]).toBeCloseTo(m1[i]!, 5);
    expect(rmsDistance(poseVector(skeleton), poseVector(mirrored))).toBeGreaterThan(0.05); // without: they differ
  });

  test('hold nearly still when the person moves across the frame or comes nearer; another pose is far', async () => {
    const vectors = async (spots: Placement[], src: PixelData) => {
      const out: Float32Array[] = [];
      for (const s of spots) out.push(await engine.embed(place(src, s)));
      return out;
    };
    const moved = await vectors(
      [
        { scale: 0.85, cx: 0.5, cy: 0.5 },
        { scale: 0.85, cx: 0.42, cy: 0.43 },
        { scale: 0.85, cx: 0.58, cy: 0.57 },
        { scale: 0.85, cx: 0.56, cy: 0.42 },
      ],
      messi,
    );
    const scaled = await vectors(
      [
        { scale: 0.95, cx: 0.5, cy: 0.5 },
        { scale: 0.75, cx: 0.45, cy: 0.45 },
        { scale: 0.7, cx: 0.6, cy: 0.55 },
      ],
      messi,
    );
    const others = await vectors(
      [
        { scale: 0.4, cx: 0.5, cy: 0.5, region: CATCHER },
        { scale: 0.45, cx: 0.5, cy: 0.5, region: THROWER },
      ],
      court,
    );
    const reference = moved[0]!;
    const far = Math.min(...others.map((o) => rmsDistance(reference, o)));
    const shifts = moved.slice(1).map((v) => rmsDistance(reference, v));
    const zooms = scaled.map((v) => rmsDistance(reference, v));
    console.info(
      `distance to the same pose: moved ${shifts.map((d) => d.toFixed(3)).join(', ')}; nearer/further ${zooms.map((d) => d.toFixed(3)).join(', ')}; to other poses ≥ ${far.toFixed(3)}`,
    );
    for (const d of shifts) expect(d).toBeLessThan(0.3 * far);
    for (const d of zooms) expect(d).toBeLessThan(0.65 * far);
  });

  test('classify three people in three poses, learnt from a few placements, judged on others', async () => {
    const people: Record<string, { src: PixelData; region?: [number, number, number, number]; width: number }> = {
      spread: { src: messi, width: 0.85 },
      catch: { src: court, region: CATCHER, width: 0.4 },
      reach: { src: court, region: THROWER, width: 0.45 },
    };
    const placements = (seed: number, n: number) => {
      const next = rng(seed);
      return Array.from({ length: n }, () => ({
        jitter: 0.85 + 0.25 * next(),
        cx: 0.4 + 0.2 * next(),
        cy: 0.4 + 0.2 * next(),
      }));
    };
    const at = (name: string, p: { jitter: number; cx: number; cy: number }) => {
      const person = people[name]!;
      return place(person.src, {
        scale: person.width * p.jitter,
        cx: p.cx,
        cy: p.cy,
        ...(person.region ? { region: person.region } : {}),
      });
    };
    for (const head of ['knn', 'dense'] as const) {
      const pose = await poseEngine({ head, train: { epochs: 60 } });
      for (const [i, name] of Object.keys(people).entries()) {
        for (const p of placements(10 + i, 4)) await pose.addExample(name, at(name, p));
      }
      await pose.train();
      let right = 0;
      let total = 0;
      for (const [i, name] of Object.keys(people).entries()) {
        for (const p of placements(50 + i, 5)) {
          const prediction = await pose.predict(at(name, p), total);
          total += 1;
          if (prediction.label === name) right += 1;
          expect(prediction.pose!.noPerson).toBe(false);
        }
      }
      console.info(`${head}: ${right}/${total} held-out placements named right`);
      expect(right / total, head).toBeGreaterThanOrEqual(0.9);
      // Nobody in view: no label, never the last one.
      const empty = await pose.predict(loadFixture('coffee.png'), 99);
      expect(empty).toMatchObject({ label: '', confidences: { spread: 0, catch: 0, reach: 0 } });
      expect(empty.pose!.noPerson).toBe(true);
      await pose.dispose();
    }
  });

  test('a frame with nobody in it is refused as an example, saying so', async () => {
    await expect(engine.addExample('spread', loadFixture('chelsea.png'))).rejects.toMatchObject({
      name: 'NoPersonError',
      message: expect.stringMatching(/No person is in view .*step into the frame/),
    });
    expect((await engine.counts()).total).toBe(0);
  });
});
