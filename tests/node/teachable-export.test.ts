/**
 * Reading a Teachable Machine image export (src/worker/teachable/tm-export.ts) from the real one in
 * ../shared/fixtures/teachable-machine/ (a "tiny" model: 96×96 grey pictures, two classes): the zip and its three
 * files open, in both of the formats Teachable Machine has written since 2019; every way an export can be wrong
 * is refused with a message that says what to do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { TeachableMachineError } from '../../src/protocol/errors';
import { readTmExport, type NamedFile } from '../../src/worker/teachable/tm-export';
import { Mlp } from '../../src/worker/heads/mlp';
import { TmModel } from '../../src/worker/teachable/tm-model';
import { loadFixture } from '../support/clip';
import { SHARED } from '../support/paths';

const ZIP = join(SHARED, 'fixtures/teachable-machine/tiny-image-model.zip');
const zipBytes = new Uint8Array(readFileSync(ZIP));
const inside = unzipSync(zipBytes);
const file = (name: string): NamedFile => ({ name, bytes: inside[name]! });
const three = () => [file('model.json'), file('weights.bin'), file('metadata.json')];
const metadata = () => JSON.parse(new TextDecoder().decode(inside['metadata.json'])) as Record<string, unknown>;
const model = () => JSON.parse(new TextDecoder().decode(inside['model.json'])) as Record<string, unknown>;
const asFile = (name: string, value: unknown): NamedFile => ({ name, bytes: strToU8(JSON.stringify(value)) });
const replaced = (changed: NamedFile) => three().map((f) => (f.name === changed.name ? changed : f));

/** The refusal's message, or a failure when it opened. */
function refusal(files: NamedFile[]): string {
  try {
    readTmExport(files);
  } catch (e) {
    expect(e).toBeInstanceOf(TeachableMachineError);
    return (e as Error).message;
  }
  throw new Error('it opened');
}

describe('a Teachable Machine export opens', () => {
  test('the zip: two classes, 96-pixel grey pictures (the tiny model), the package version; the __MACOSX entries ignored', () => {
    expect(Object.keys(inside).some((n) => n.startsWith('__MACOSX/'))).toBe(true);
    const tm = readTmExport([{ name: 'tiny-image-model.zip', bytes: zipBytes }]);
    expect(tm.metadata).toEqual({
      labels: ['Class 1', 'Class 2'],
      modelName: 'tm-my-image-model',
      version: '0.8.4',
      imageSize: 96,
      grayscale: true,
      userMetadata: {},
    });
    expect(tm.weights.byteLength).toBe(973_104);
  });

  test('its three files, in any order, under any folder; and 2019 exports (tmSupportVersion, Keras list-style topology)', () => {
    const [m, w, meta] = three();
    expect(readTmExport([{ ...meta!, name: 'export/metadata.json' }, w!, m!]).metadata.labels).toEqual([
      'Class 1',
      'Class 2',
    ]);
    const old = metadata();
    delete old.packageName;
    delete old.packageVersion;
    old.tmSupportVersion = '0.1.0';
    const listStyle = model();
    const topology = listStyle.modelTopology as { config: { layers: unknown[] } };
    topology.config = topology.config.layers as never;
    const tm = readTmExport([asFile('model.json', listStyle), w!, asFile('metadata.json', old)]);
    expect(tm.metadata.version).toBe('tmSupportVersion 0.1.0');
    expect(tm.metadata.imageSize).toBe(96);
  });
});

describe('a bad export is refused, saying what to do', () => {
  test('a file missing, or a zip beside files', () => {
    expect(refusal([file('model.json'), file('metadata.json')])).toMatch(
      /^The files given lack weights\.bin: a Teachable Machine image export has model\.json, weights\.bin and metadata\.json \(got model\.json, metadata\.json\)/,
    );
    const noWeights = zipSync({ 'model.json': inside['model.json']!, 'metadata.json': inside['metadata.json']! });
    expect(refusal([{ name: 'mine.zip', bytes: noWeights }])).toMatch(/^mine\.zip lacks weights\.bin/);
    expect(refusal([{ name: 'a.zip', bytes: zipBytes }, file('model.json')])).toMatch(/on its own/);
    expect(refusal([{ name: 'a.zip', bytes: zipBytes.subarray(0, 1000) }])).toMatch(
      /^a\.zip is not a zip that can be read/,
    );
  });

  test('a truncated weights.bin, or one from another export', () => {
    const w = inside['weights.bin']!;
    expect(refusal(replaced({ name: 'weights.bin', bytes: w.subarray(0, w.length - 4096) }))).toMatch(
      /^weights\.bin holds 969,008 bytes where model\.json needs 973,104: it is truncated\. Download the export again\.$/,
    );
    const longer = new Uint8Array(w.length + 400);
    longer.set(w);
    expect(refusal(replaced({ name: 'weights.bin', bytes: longer }))).toMatch(/it is from another export/);
  });

  test("metadata and model from different exports: the classes don't match the outputs", () => {
    const meta = { ...metadata(), labels: ['rock', 'paper', 'scissors'] };
    expect(refusal(replaced(asFile('metadata.json', meta)))).toMatch(
      /^metadata\.json names 3 classes \(rock, paper, scissors\), but model\.json's model has 2 outputs: the two files are from different exports/,
    );
  });

  test('a pose or an audio model, by name', () => {
    const pose = { ...metadata(), packageName: '@teachablemachine/pose', packageVersion: '0.8.6' };
    expect(refusal(replaced(asFile('metadata.json', pose)))).toMatch(
      /^This is a Teachable Machine pose model: it runs on PoseNet, which trainwhistle does not have/,
    );
    const audio = { wordLabels: ['_background_noise_', 'clap'], modelName: 'audio' };
    expect(refusal(replaced(asFile('metadata.json', audio)))).toMatch(/audio model: it needs speech-commands/);
  });

  test('files that are not Teachable Machine’s, and a newer format', () => {
    expect(refusal(replaced({ name: 'metadata.json', bytes: strToU8('<html>') }))).toMatch(
      /^metadata\.json is not JSON/,
    );
    expect(refusal(replaced(asFile('metadata.json', { labels: ['a', 'b'] })))).toMatch(
      /neither packageName nor tmSupportVersion: it is not from Teachable Machine/,
    );
    expect(refusal(replaced(asFile('model.json', { format: 'graph-model' })))).toMatch(
      /no modelTopology and weightsManifest/,
    );
    const newer = { ...metadata(), packageVersion: '0.9.0' };
    expect(refusal(replaced(asFile('metadata.json', newer)))).toMatch(
      /^This export was made by @teachablemachine\/image 0\.9\.0, newer than the 0\.8 whose format trainwhistle reads/,
    );
  });
});

describe('the model itself (tfjs layers, wasm)', () => {
  test("loads from the export, in both formats alike: the base gives 256 features, the head a probability per class; its head kept as this project's dense head gives the same", async () => {
    await tf.setBackend('wasm');
    const listStyle = model();
    const topology = listStyle.modelTopology as { config: { layers: unknown[] } };
    topology.config = topology.config.layers as never;
    const [dict, list] = await Promise.all([
      TmModel.load(readTmExport(three())),
      TmModel.load(readTmExport(replaced(asFile('model.json', listStyle)))),
    ]);
    const state = dict.headState();
    expect(state).toMatchObject({ kind: 'dense', names: ['Class 1', 'Class 2'], spec: { outputs: 2 } });
    expect(state.weights.b2).toEqual(new Float32Array(2)); // Teachable Machine's last layer has no bias
    const before = tf.memory().numTensors;
    try {
      for (const name of ['chelsea.png', 'coffee.png', 'rocket.jpg']) {
        const photo = loadFixture(name);
        const square = tf.tidy(() => {
          const rgba = tf.tensor3d(Int32Array.from(photo.data), [photo.height, photo.width, 4], 'int32');
          const side = Math.min(photo.width, photo.height);
          const [y, x] = [(photo.height - side) >> 1, (photo.width - side) >> 1];
          return rgba.slice<tf.Tensor3D>([y, x, 0], [side, side, 3]);
        });
        const features = await dict.features(square);
        expect(features).toHaveLength(256);
        const p = dict.classify(features);
        expect(p).toHaveLength(2);
        expect(p[0]! + p[1]!).toBeCloseTo(1, 5);
        expect([...list.classify(await list.features(square))]).toEqual([...p]);
        // Its head as the project keeps a dense head: the same probabilities, in plain JS.
        const mine = Mlp.fromWeights(state.spec, state.weights).predict(features);
        for (const [i, v] of p.entries()) expect(mine[i]).toBeCloseTo(v, 5);
        square.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      dict.dispose();
      list.dispose();
    }
  });
});
