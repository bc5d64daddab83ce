/**
 * A Teachable Machine model as the engine's model (issue 16), with the real export in
 * ../shared/fixtures/teachable-machine/ on wasm: its classes and its head answer at once, as the model itself
 * does; a new class is trained on its base's features; a project file carries the model; bad input is refused
 * and leaves nothing behind. (The browser tests check the same model against `@teachablemachine/image` itself.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TeachableMachineError } from '../../src/protocol/errors';
import type { PixelData } from '../../src/protocol/frame';
import type { ProjectMirror } from '../../src/protocol/project';
import type { ProjectRecord } from '../../src/protocol/project-record';
import type { NamedFile } from '../../src/protocol/teachable';
import { Engine } from '../../src/worker/engine';
import { readProjectFile } from '../../src/worker/project/project-file';
import { readTmExport } from '../../src/worker/teachable/tm-export';
import { TmModel } from '../../src/worker/teachable/tm-model';
import { crops } from '../support/augment';
import { loadFixture } from '../support/clip';
import { GRAPH_MODEL_DIR, folderHandler } from '../support/engine';
import { SHARED } from '../support/paths';

const ZIP: NamedFile = {
  name: 'tiny-image-model.zip',
  bytes: new Uint8Array(readFileSync(join(SHARED, 'fixtures/teachable-machine/tiny-image-model.zip'))),
};
const PHOTOS = ['chelsea.png', 'coffee.png', 'rocket.jpg'];

const engineWith = async (init: Parameters<Engine['init']>[0], mirror?: ProjectMirror) => {
  const engine = new Engine({ modelHandler: folderHandler(GRAPH_MODEL_DIR) });
  await engine.init(
    { backend: 'wasm', cacheModel: false, allowRemoteModel: false, ...init },
    () => {},
    () => {},
    mirror,
  );
  return engine;
};

/** The centre square of a photo, as the model's own code (TmModel) is given it. */
function centreSquare(photo: PixelData): tf.Tensor3D {
  return tf.tidy(() => {
    const rgba = tf.tensor3d(Int32Array.from(photo.data), [photo.height, photo.width, 4], 'int32');
    const side = Math.min(photo.width, photo.height);
    const [y, x] = [(photo.height - side) >> 1, (photo.width - side) >> 1];
    return rgba.slice<tf.Tensor3D>([y, x, 0], [side, side, 3]);
  });
}

describe('a Teachable Machine model as the project model', () => {
  let engine: Engine;
  let reference: TmModel;
  beforeAll(async () => {
    engine = await engineWith({ teachableMachine: [ZIP] });
    reference = await TmModel.load(readTmExport([ZIP]));
  });
  afterAll(async () => {
    reference.dispose();
    await engine.dispose();
  });

  test('starts with its classes and its own head: trained, answering as the model does on each photo', async () => {
    const info = await engine.project();
    expect(info).toMatchObject({ labels: ['Class 1', 'Class 2'], trained: true, examples: 0 });
    expect(info.features.model).toMatch(/^teachable-machine-tm-my-image-model-[0-9a-f]{8}$/);
    expect(info.features.size).toBe(256);
    for (const name of PHOTOS) {
      const photo = loadFixture(name);
      const p = await engine.predict(photo, 0);
      const square = centreSquare(photo);
      const expected = reference.classify(await reference.features(square));
      square.dispose();
      expect(p.confidences['Class 1']).toBeCloseTo(expected[0]!, 4);
      expect(p.confidences['Class 2']).toBeCloseTo(expected[1]!, 4);
      expect(p.label).toBe(expected[0]! >= expected[1]! ? 'Class 1' : 'Class 2');
    }
  });

  test('retrains with a class of its own on the base features: the new head tells all three photos apart', async () => {
    const photos = PHOTOS.map(loadFixture);
    await engine.addLabel('rocket');
    const labels = ['Class 1', 'Class 2', 'rocket'];
    for (const [i, photo] of photos.entries())
      for (const crop of crops(photo, 8, 10 + i)) await engine.addExample(labels[i]!, crop);
    await engine.configure({ train: { epochs: 60 } });
    const report = await engine.train();
    expect(report.examples).toBe(24);
    for (const [i, photo] of photos.entries()) {
      const p = await engine.predict(photo, 0);
      expect(Object.keys(p.confidences)).toEqual(labels);
      expect(p.label).toBe(labels[i]);
    }
  });

  test('exports as Teachable Machine does: its own base under the head trained here, which reads back as an export and answers as the project does', async () => {
    const before = tf.memory().numTensors;
    const phases: string[] = [];
    const zip = await engine.exportModel((p) => phases.push(p.phase));
    expect(tf.memory().numTensors).toBe(before);
    expect(phases).toEqual(['write']);
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(['metadata.json', 'model.json', 'weights.bin']);
    const metadata = JSON.parse(new TextDecoder().decode(files['metadata.json'])) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      packageName: '@teachablemachine/image',
      labels: ['Class 1', 'Class 2', 'rocket'],
      imageSize: 96,
      grayscale: true,
    });
    // Read as any Teachable Machine export is (the outer Sequential of base and head), it answers as the project.
    const exported = await TmModel.load(
      readTmExport([{ name: 'export.zip', bytes: new Uint8Array(await zip.arrayBuffer()) }]),
    );
    try {
      for (const name of PHOTOS) {
        const photo = loadFixture(name);
        const square = centreSquare(photo);
        const p = exported.classify(await exported.features(square));
        square.dispose();
        const ours = await engine.predict(photo, 0);
        for (const [i, label] of ['Class 1', 'Class 2', 'rocket'].entries())
          expect(p[i]).toBeCloseTo(ours.confidences[label]!, 4);
      }
    } finally {
      exported.dispose();
    }
  });

  test('a project file carries the model: its zip opens with the same features, and an engine started from it runs the model', async () => {
    const file = await engine.saveProject();
    const record = await readProjectFile(file, () => {});
    expect(record.base?.map((f) => f.name)).toEqual(['tiny-image-model.zip']);
    expect(record.base?.[0]?.bytes).toEqual(ZIP.bytes);
    // A worker that starts from that record (a reload of a kept project) loads the model from it.
    const mirror: ProjectMirror = {
      load: (): ProjectRecord => record,
      saveMeta: () => {},
      putExamples: () => {},
      deleteExamples: () => {},
      putHead: () => {},
      replace: () => {},
    };
    const again = await engineWith({}, mirror);
    try {
      const info = await again.project();
      expect(info.features).toEqual((await engine.project()).features);
      expect(info).toMatchObject({
        labels: ['Class 1', 'Class 2', 'rocket'],
        trained: true,
        examples: 24,
        reembedded: 0,
      });
      expect((await again.predict(loadFixture('rocket.jpg'), 0)).label).toBe('rocket');
    } finally {
      await again.dispose();
    }
  });
});

describe('refused, leaving nothing behind', () => {
  test('an export of a kNN head, or of a head not trained yet, says why and what to do', async () => {
    const engine = await engineWith({ teachableMachine: [ZIP], head: 'knn' });
    try {
      await expect(engine.exportModel()).rejects.toThrow(
        /A kNN head answers by its nearest examples, .* Choose Model → Classes: neural network, train, then export/,
      );
      await engine.configure({ head: 'regression', outputs: ['x'] });
      await expect(engine.exportModel()).rejects.toThrow(/A regression head gives values/);
      await engine.configure({ head: 'dense' });
      await expect(engine.exportModel()).rejects.toThrow(/Train the project before exporting its model/);
    } finally {
      await engine.dispose();
    }
  });

  test('with pose features: a Teachable Machine image model gives image features', async () => {
    const before = tf.memory().numTensors;
    const engine = new Engine({ modelHandler: folderHandler(GRAPH_MODEL_DIR) });
    const init = engine.init({ backend: 'wasm', features: 'pose', teachableMachine: [ZIP] });
    await expect(init).rejects.toThrow(TeachableMachineError);
    await expect(init).rejects.toThrow(/gives image features, not features: 'pose'/);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a truncated weights.bin: the message says to download it again', async () => {
    const inside = unzipSync(ZIP.bytes);
    const files = ['model.json', 'metadata.json'].map((name) => ({ name, bytes: inside[name]! }));
    files.push({ name: 'weights.bin', bytes: inside['weights.bin']!.slice(0, 1000) });
    const engine = new Engine({ modelHandler: folderHandler(GRAPH_MODEL_DIR) });
    await expect(engine.init({ backend: 'wasm', teachableMachine: files })).rejects.toThrow(
      /weights\.bin holds 1,000 bytes .* truncated\. Download the export again/,
    );
  });
});
