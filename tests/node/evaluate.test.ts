/**
 * `evaluate()` through the real engine (real MobileNet weights on wasm, real photos): per-class accuracy, the
 * confusion matrix and the examples the head gets wrong, most confidently wrong first — on the examples held
 * out of training (dense, regression), each example judged by the others (kNN), each template by the others
 * (gestures). Each case plants examples whose answer is known: a photo of the cat labelled 'coffee' must be
 * listed as a cat. What the evaluation says of every other example is checked against what `predict()` says of
 * the same picture.
 */
import { describe, expect, test } from 'vitest';
import type { PartialEngineOptions } from '../../src/protocol/engine-options';
import { NotTrainedError } from '../../src/protocol/errors';
import type { PixelData } from '../../src/protocol/frame';
import type { Evaluation, ProjectMirror } from '../../src/protocol/project';
import type { HeadState } from '../../src/protocol/project-record';
import { Engine } from '../../src/worker/engine';
import { crops, place } from '../support/augment';
import { loadFixture } from '../support/clip';
import { GRAPH_MODEL_DIR, folderHandler } from '../support/engine';

const LABELS = ['chelsea', 'coffee', 'rocket'] as const;
type Photo = (typeof LABELS)[number];
const photos: Record<Photo, PixelData> = {
  chelsea: loadFixture('chelsea.png'),
  coffee: loadFixture('coffee.png'),
  rocket: loadFixture('rocket.jpg'),
};
/** Each photo whole on a 224×224 square, so that two can be blended. */
const squares = Object.fromEntries(
  LABELS.map((l) => [l, place(photos[l], { scale: 1, cx: 0.5, cy: 0.5, size: 224 })]),
) as Record<Photo, PixelData>;
const blend = (a: PixelData, b: PixelData, k: number): PixelData => ({
  width: a.width,
  height: a.height,
  data: a.data.map((v, i) => v * (1 - k) + b.data[i]! * k),
});

/**
 * An engine with the real weights on wasm whose project is mirrored here, as the main thread keeps it when
 * nothing is persisted: the trained head's state, sent there, says which examples it held out.
 */
async function engineWith(options: PartialEngineOptions = {}) {
  let head: HeadState | null = null;
  const mirror: ProjectMirror = {
    load: () => null,
    saveMeta: () => {},
    putExamples: () => {},
    deleteExamples: () => {},
    putHead: (state) => void (head = state),
    replace: () => {},
  };
  const engine = new Engine({ modelHandler: folderHandler(GRAPH_MODEL_DIR) });
  await engine.init(
    { backend: 'wasm', cacheModel: false, allowRemoteModel: false, ...options },
    () => {},
    () => {},
    mirror,
  );
  return { engine, heldOut: () => head?.validationIds ?? [] };
}

/** An example as the test made it: what it was labelled, and what its picture shows. */
interface Shown {
  label: string;
  image: PixelData;
}

/**
 * What `evaluate()` should say of `judged` (classification), from `predict()` of each one's picture: the
 * confusion matrix over `labels`, each class's accuracy, and the wrong ones, most confidently wrong first.
 */
async function expected(engine: Engine, labels: readonly string[], judged: Map<number, Shown>) {
  const confusion = labels.map(() => labels.map(() => 0));
  const wrong: Evaluation['misclassified'] = [];
  for (const [id, { label, image }] of judged) {
    const p = await engine.predict(image, 0);
    confusion[labels.indexOf(label)]![labels.indexOf(p.label)]! += 1;
    if (p.label !== label) wrong.push({ id, label, predicted: p.label, confidence: p.confidences[p.label]! });
  }
  const perClass = labels.map((label, i) => {
    const examples = confusion[i]!.reduce((a, b) => a + b, 0);
    return { label, examples, correct: confusion[i]![i]!, accuracy: examples ? confusion[i]![i]! / examples : 0 };
  });
  return { confusion, perClass, misclassified: wrong.sort((a, b) => b.confidence - a.confidence) };
}

/** The misclassified list with its confidences to 5 places (evaluate and predict read the same float32 scores). */
const rounded = (list: Evaluation['misclassified']) => list.map((m) => ({ ...m, confidence: m.confidence.toFixed(5) }));

describe('dense head', () => {
  test('judged on the examples held out of training: those labelled wrongly are listed, most confidently wrong first', async () => {
    const { engine, heldOut } = await engineWith();
    await expect(engine.evaluate()).rejects.toThrow(NotTrainedError);
    // 14 examples of each label: the split (validationSplit 0.15) holds out 2 of each, the 7th and the 14th.
    // There the test plants pictures of another photo: the cat labelled 'coffee', the cup labelled 'rocket'
    // (clearly wrong), and the cup blended with the rocket labelled 'chelsea' (wrong, but less clearly).
    const planted: Partial<Record<Photo, Record<number, { image: PixelData; shows: Photo | null }>>> = {
      chelsea: { 7: { image: blend(squares.coffee, squares.rocket, 0.7), shows: null } },
      coffee: { 7: { image: crops(photos.chelsea, 1, 71)[0]!, shows: 'chelsea' } },
      rocket: { 14: { image: crops(photos.coffee, 1, 72)[0]!, shows: 'coffee' } },
    };
    const shown = new Map<number, Shown>();
    const plantedIds = new Map<number, Photo | null>();
    for (const [i, label] of LABELS.entries()) {
      for (const [n, crop] of crops(photos[label], 14, 700 + i).entries()) {
        const plant = planted[label]?.[n + 1];
        const { id } = await engine.addExample(label, plant?.image ?? crop);
        shown.set(id, { label, image: plant?.image ?? crop });
        if (plant) plantedIds.set(id, plant.shows);
      }
    }
    await engine.train();
    const held = heldOut();
    expect(held, 'the planted examples are where the split holds examples out').toEqual(
      expect.arrayContaining([...plantedIds.keys()]),
    );

    const evaluation = await engine.evaluate();
    expect(evaluation).toMatchObject({ head: 'dense', on: 'validation', examples: 6, labels: [...LABELS] });
    // The known answer: exactly the planted ones are wrong, and each picture of a photo is taken for that photo.
    const wrong = evaluation.misclassified;
    expect(new Set(wrong.map((m) => m.id))).toEqual(new Set(plantedIds.keys()));
    for (const m of wrong) {
      expect(m.label).toBe(shown.get(m.id)!.label);
      if (plantedIds.get(m.id)) expect(m.predicted).toBe(plantedIds.get(m.id));
    }
    const blended = wrong.find((m) => plantedIds.get(m.id) === null)!;
    expect(blended.confidence).toBeLessThan(Math.min(...wrong.filter((m) => m !== blended).map((m) => m.confidence)));
    expect(wrong.at(-1)).toBe(blended); // listed after the clearly wrong ones, though its id comes first

    const judged = new Map(held.map((id) => [id, shown.get(id)!]));
    const want = await expected(engine, LABELS, judged);
    expect(evaluation.confusion).toEqual(want.confusion);
    expect(evaluation.perClass).toEqual(want.perClass);
    expect(evaluation.accuracy).toBeCloseTo(3 / 6, 10);
    expect(rounded(wrong)).toEqual(rounded(want.misclassified));
    console.info(`dense: wrong ${wrong.map((m) => `${m.label}→${m.predicted} ${m.confidence.toFixed(3)}`).join(', ')}`);
    await engine.dispose();
  });

  test('with too few examples to hold any out, judged on all of them; a label added since training is left out', async () => {
    const { engine, heldOut } = await engineWith();
    const shown = new Map<number, Shown>();
    for (const [i, label] of LABELS.entries()) {
      for (const image of crops(photos[label], 4, 740 + i)) {
        shown.set((await engine.addExample(label, image)).id, { label, image });
      }
    }
    await engine.train();
    expect(heldOut()).toEqual([]);
    await engine.addExample('mug', crops(photos.coffee, 1, 749)[0]!); // not a class of the trained head yet
    const evaluation = await engine.evaluate();
    expect(evaluation).toMatchObject({ head: 'dense', on: 'training', examples: 12, labels: [...LABELS] });
    const want = await expected(engine, LABELS, shown);
    expect(evaluation.confusion).toEqual(want.confusion);
    expect(evaluation.perClass).toEqual(want.perClass);
    expect(rounded(evaluation.misclassified)).toEqual(rounded(want.misclassified));
    await engine.dispose();
  });
});

describe('knn head', () => {
  test('each example judged by the others (leave one out): one labelled wrongly is taken, by all its neighbours, for what it shows', async () => {
    const { engine } = await engineWith({ head: 'knn' });
    const shown = new Map<number, Shown>();
    const add = async (label: string, image: PixelData) => {
      const { id } = await engine.addExample(label, image);
      shown.set(id, { label, image });
      return id;
    };
    for (const [i, label] of LABELS.entries())
      for (const image of crops(photos[label], 6, 760 + i)) await add(label, image);
    const cat = crops(photos.chelsea, 1, 771)[0]!;
    const cup = crops(photos.coffee, 1, 772)[0]!;
    const catId = await add('rocket', cat);
    const cupId = await add('chelsea', cup);

    const evaluation = await engine.evaluate();
    expect(evaluation).toMatchObject({ head: 'knn', on: 'leave-one-out', examples: 20, labels: [...LABELS] });
    expect(evaluation.confusion).toEqual([
      [6, 1, 0], // 6 cats, and the cup labelled 'chelsea'
      [0, 6, 0],
      [1, 0, 6], // the cat labelled 'rocket'
    ]);
    expect(evaluation.perClass.map((c) => [c.label, c.examples, c.correct])).toEqual([
      ['chelsea', 7, 6],
      ['coffee', 6, 6],
      ['rocket', 7, 6],
    ]);
    expect(evaluation.accuracy).toBeCloseTo(18 / 20, 10);
    // Judged by the others only: all k = 3 votes are the photo it shows. Had it voted for itself, its own
    // label would have a third of the votes.
    expect(evaluation.misclassified.map((m) => ({ ...m, confidence: m.confidence.toFixed(5) }))).toEqual(
      expect.arrayContaining([
        { id: catId, label: 'rocket', predicted: 'chelsea', confidence: (1).toFixed(5) },
        { id: cupId, label: 'chelsea', predicted: 'coffee', confidence: (1).toFixed(5) },
      ]),
    );
    expect(evaluation.misclassified).toHaveLength(2);
    // predict() of the same picture counts the example itself among its neighbours: no judge of it.
    expect((await engine.predict(cat, 0)).confidences.rocket).toBeGreaterThan(0.2);
    await engine.dispose();
  });
});

describe('regression head', () => {
  test('mean absolute error per output and the worst examples, on the held-out ones; a wrong target comes first', async () => {
    const targets: Record<Photo, { x: number; y: number }> = {
      chelsea: { x: 0.1, y: 0.9 },
      coffee: { x: 0.5, y: 0.5 },
      rocket: { x: 0.9, y: 0.1 },
    };
    const { engine, heldOut } = await engineWith({ head: 'regression', outputs: ['x', 'y'], train: { epochs: 60 } });
    // 10 of each photo, in order: the split holds out every 7th example (ids 7, 14, 21, 28). The 28th, a
    // rocket, is given the cat's target.
    const shown = new Map<number, { image: PixelData; target: { x: number; y: number } }>();
    for (const [i, label] of LABELS.entries()) {
      for (const image of crops(photos[label], 10, 780 + i)) {
        const target = shown.size + 1 === 28 ? targets.chelsea : targets[label];
        shown.set((await engine.addExample(target, image)).id, { image, target });
      }
    }
    await engine.train();
    const held = heldOut();
    expect(held, 'the planted example is where the split holds examples out').toContain(28);

    const evaluation = await engine.evaluate();
    expect(evaluation).toMatchObject({ head: 'regression', on: 'validation', examples: held.length, labels: [] });
    const errors: { id: number; x: number; y: number }[] = [];
    for (const id of held) {
      const { image, target } = shown.get(id)!;
      const { values } = await engine.predict(image, 0);
      errors.push({ id, x: Math.abs(values!.x! - target.x), y: Math.abs(values!.y! - target.y) });
    }
    const mean = (k: 'x' | 'y') => errors.reduce((a, e) => a + e[k], 0) / errors.length;
    expect(evaluation.meanAbsoluteError!.x).toBeCloseTo(mean('x'), 5);
    expect(evaluation.meanAbsoluteError!.y).toBeCloseTo(mean('y'), 5);
    const worst = errors.map((e) => ({ id: e.id, error: Math.max(e.x, e.y) })).sort((a, b) => b.error - a.error);
    expect(evaluation.worst!.map((w) => w.id)).toEqual(worst.map((w) => w.id));
    evaluation.worst!.forEach((w, i) => expect(w.error).toBeCloseTo(worst[i]!.error, 5));
    // The known answer: the rocket taught as the cat is off by about the distance between their targets.
    expect(evaluation.worst![0]).toMatchObject({ id: 28 });
    expect(evaluation.worst![0]!.error).toBeGreaterThan(0.5);
    expect(evaluation.worst![1]!.error).toBeLessThan(0.2);
    await engine.dispose();
  });
});

describe('gesture head', () => {
  test('each template judged by the nearest of the others: one recorded under the wrong name is listed, most confidently wrong first', async () => {
    const { engine } = await engineWith({ head: 'dtw' });
    /** 0 is the cat, 1 the cup, 2 the rocket; in between, one fades into the next. */
    const at = (x: number) => {
      const i = Math.min(1, Math.floor(x));
      return blend(i === 0 ? squares.chelsea : squares.coffee, i === 0 ? squares.coffee : squares.rocket, x - i);
    };
    const sweep = (from: number, to: number, n: number) =>
      Array.from({ length: n }, (_, i) => at(from + ((to - from) * i) / (n - 1)));
    const firstFrames = new Map<string, number>();
    const teach = async (name: string, frames: PixelData[], as = name) => {
      const sequence = await engine.beginSequence();
      for (const [i, f] of frames.entries()) {
        const { id } = await engine.addExample(name, f, { sequence });
        if (i === 0) firstFrames.set(as, id);
      }
      await engine.endSequence(sequence);
    };
    await teach('forth', sweep(0, 2, 16));
    await teach('forth', sweep(0, 2, 18));
    await teach('back', sweep(2, 0, 16));
    await teach('back', sweep(2, 0, 18));
    // A gesture with one template: judged by the nearest of the others, it can only be wrong.
    await teach('hold', sweep(1, 1, 8));
    // The last part of 'forth', recorded as 'back': nearer the 'forth' templates than to any 'back' one, and
    // (being only part of it) further from each 'forth' than they are from each other.
    await teach('back', sweep(0.8, 2, 12), 'planted');
    await engine.train();

    const evaluation = await engine.evaluate();
    expect(evaluation).toMatchObject({
      head: 'dtw',
      on: 'leave-one-out',
      examples: 6,
      labels: ['forth', 'back', 'hold'],
    });
    expect(evaluation.confusion[0]).toEqual([2, 0, 0]);
    expect(evaluation.confusion[1]).toEqual([1, 2, 0]);
    expect(evaluation.confusion[2]![2]).toBe(0);
    expect(evaluation.perClass.map((c) => [c.label, c.examples, c.correct])).toEqual([
      ['forth', 2, 2],
      ['back', 3, 2],
      ['hold', 1, 0],
    ]);
    expect(evaluation.accuracy).toBeCloseTo(4 / 6, 10);
    const [first, second, ...rest] = evaluation.misclassified;
    expect(rest).toEqual([]);
    // The planted template is the clearly wrong one: it is a 'forth'. The lone 'hold' is far from everything.
    expect(first).toMatchObject({ id: firstFrames.get('planted'), label: 'back', predicted: 'forth' });
    expect(second).toMatchObject({ id: firstFrames.get('hold'), label: 'hold' });
    expect(first!.confidence).toBeGreaterThan(second!.confidence);
    console.info(
      `gestures: wrong ${evaluation.misclassified.map((m) => `${m.label}→${m.predicted} ${m.confidence.toFixed(3)}`).join(', ')}`,
    );
    await engine.dispose();
  });
});
