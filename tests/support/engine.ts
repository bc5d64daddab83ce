/**
 * The real engine in Node: real MobileNet weights from ../shared/models on the wasm backend.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Engine } from '../../src/worker/engine';
import type { PartialEngineOptions } from '../../src/protocol/engine-options';
import { SHARED } from './paths';

export const GRAPH_MODEL_DIR = join(SHARED, 'models/mobilenet_v1_025_224_graph');

const require = createRequire(import.meta.url);
setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');

/**
 * An IOHandler that reads a TF.js graph model from a folder, as tf.io.http would over HTTP.
 * Throws at once, saying where the weights should be, when the folder has no model.json.
 */
export function folderHandler(dir: string, file = 'model.json'): tf.io.IOHandler {
  if (!existsSync(join(dir, file))) {
    throw new Error(
      `No weights at ${join(dir, file)}: the engine tests need the real weights in ../shared/models beside the ` +
        'checkout (CI provides that folder; copy it there from a machine that has it).',
    );
  }
  return {
    async load() {
      const json = JSON.parse(await readFile(join(dir, file), 'utf8')) as tf.io.ModelJSON;
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const path of group.paths) buffers.push(await readFile(join(dir, path)));
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}

export const MOVENET_DIR = join(SHARED, 'models/movenet_singlepose_lightning');

/** An initialised pose engine (features: 'pose') with the real MoveNet Lightning weights on wasm. */
export async function poseEngine(options: PartialEngineOptions = {}): Promise<Engine> {
  const engine = new Engine({
    modelHandler: folderHandler(GRAPH_MODEL_DIR),
    poseModelHandler: folderHandler(MOVENET_DIR, 'movenet-lightning.json'),
    ...(options.also?.includes('hands') ? handModelHandlers(options.hands?.model) : {}),
  });
  await engine.init({ backend: 'wasm', cacheModel: false, allowRemoteModel: false, features: 'pose', ...options });
  return engine;
}

export const MULTIPOSE_DIR = join(SHARED, 'models/movenet_multipose_lightning');

/** An initialised engine for several people (features: 'people') with the real MoveNet MultiPose weights on wasm. */
export async function peopleEngine(options: PartialEngineOptions = {}): Promise<Engine> {
  const engine = new Engine({
    modelHandler: folderHandler(GRAPH_MODEL_DIR),
    peopleModelHandler: folderHandler(MULTIPOSE_DIR, 'movenet-multipose.json'),
  });
  await engine.init({ backend: 'wasm', cacheModel: false, allowRemoteModel: false, features: 'people', ...options });
  return engine;
}

/** MediaPipe Hands' real weights (the palm detector, and the landmark model `model`) from ../shared/models. */
export function handModelHandlers(model: 'full' | 'lite' = 'full') {
  return {
    palmModelHandler: folderHandler(join(SHARED, 'models/hand_detector_palm'), 'handdetect.json'),
    handModelHandler: folderHandler(join(SHARED, `models/hand_landmark_${model}`), `handlandmark-${model}.json`),
  };
}

/** An initialised engine for hands (features: 'hands') with the real MediaPipe Hands weights on wasm. */
export async function handsEngine(options: PartialEngineOptions = {}): Promise<Engine> {
  const engine = new Engine({
    modelHandler: folderHandler(GRAPH_MODEL_DIR),
    ...handModelHandlers(options.hands?.model),
  });
  await engine.init({ backend: 'wasm', cacheModel: false, allowRemoteModel: false, features: 'hands', ...options });
  return engine;
}

/** An initialised engine with the real v1 α0.25 weights on wasm. */
export async function realEngine(options: PartialEngineOptions = {}): Promise<Engine> {
  const engine = new Engine({
    modelHandler: folderHandler(GRAPH_MODEL_DIR),
    ...(options.also?.includes('hands') ? handModelHandlers(options.hands?.model) : {}),
  });
  await engine.init({ backend: 'wasm', cacheModel: false, allowRemoteModel: false, ...options });
  return engine;
}
