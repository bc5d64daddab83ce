/**
 * The engine's start: the feature model loaded (MobileNet, MoveNet, MoveNet MultiPose or MediaPipe Hands; and
 * MediaPipe Hands beside another with `also: ['hands']`), and the backend chosen by running it.
 * Weights load into CPU memory (wasm, else cpu); tfjs moves them when the chosen backend first uses them.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { BackendReport, LoadProgress } from '../protocol/engine-api';
import type { EngineOptions } from '../protocol/engine-options';
import { chooseBackend } from './backends';
import { measure } from './benchmark';
import type { FeatureExtractor } from './features/feature-extractor';
import { loadMobileNetFeatures } from './features/mobilenet';
import { loadMoveNetFeatures } from './features/movenet';
import { loadMultiPoseFeatures } from './features/movenet-multipose';
import { loadHandsFeatures } from './features/hands/hands-features';
import { TeachableMachineFeatures } from './features/teachable-machine';
import { WithHands } from './features/with-hands';
import { TeachableMachineError } from '../protocol/errors';
import type { NamedFile } from '../protocol/teachable';

/** Where the weights come from when not from URLs (Node tests). */
export interface ModelHandlers {
  /** MobileNet's weights. */
  modelHandler?: tf.io.IOHandler;
  /** MoveNet's weights. */
  poseModelHandler?: tf.io.IOHandler;
  /** MoveNet MultiPose's weights. */
  peopleModelHandler?: tf.io.IOHandler;
  /** MediaPipe Hands' palm detector's and landmark model's weights. */
  palmModelHandler?: tf.io.IOHandler;
  handModelHandler?: tf.io.IOHandler;
  /** The layers MobileNet that model exports of MobileNet projects are built on (tm-write.ts). */
  layersModelHandler?: tf.io.IOHandler;
}

export interface Started {
  features: FeatureExtractor;
  backend: BackendReport;
  /** Fallbacks and cache failures, for the user. */
  warnings: string[];
}

/**
 * Loads the feature model and chooses the backend. `teachableMachine`: a Teachable Machine export (the zip, or
 * its three files) whose base is the image features, instead of MobileNet.
 */
export async function startUp(
  o: EngineOptions,
  handlers: ModelHandlers,
  onProgress: (p: LoadProgress) => void,
  teachableMachine?: readonly NamedFile[] | null,
): Promise<Started> {
  if (teachableMachine && (o.features !== 'image' || o.also.length > 0)) {
    throw new TeachableMachineError(
      `A Teachable Machine image model gives image features, not ${o.features !== 'image' ? `features: '${o.features}'` : `also: ['${o.also.join("', '")}']`}: leave that option out with it.`,
    );
  }
  onProgress({ phase: 'backend', fraction: 0 });
  // A wasm that cannot start (its .wasm files unreachable) must not leave tfjs with no backend at all.
  const loadedOnWasm = tf.findBackendFactory('wasm') !== null && (await tf.setBackend('wasm').catch(() => false));
  if (!loadedOnWasm) await tf.setBackend('cpu');
  const loaded = teachableMachine
    ? { model: await TeachableMachineFeatures.load(teachableMachine), warnings: [] }
    : o.features === 'pose'
      ? await loadMoveNetFeatures(o, o.pose.mirror, onProgress, handlers.poseModelHandler)
      : o.features === 'people'
        ? await loadMultiPoseFeatures(o, onProgress, handlers.peopleModelHandler)
        : o.features === 'hands'
          ? await loadHandsFeatures(o, onProgress, {
              palm: handlers.palmModelHandler,
              landmarks: handlers.handModelHandler,
            })
          : await loadMobileNetFeatures(o, onProgress, handlers.modelHandler);
  const hands = o.also.includes('hands')
    ? await loadHandsFeatures(o, onProgress, {
        palm: handlers.palmModelHandler,
        landmarks: handlers.handModelHandler,
      }).catch((e: unknown) => {
        loaded.model.dispose();
        throw e;
      })
    : null;
  const features: FeatureExtractor = hands ? new WithHands(loaded.model, hands.model) : loaded.model;
  const backend = await chooseBackend(o, (deadline) => measure(features, deadline));
  await measure(features, 0); // warm the chosen backend (shader compilation) before the first frame
  return {
    features,
    backend: {
      ...backend.report,
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      wasmThreads: tf.getBackend() === 'wasm' ? getThreadsCount() : 0,
    },
    warnings: [...loaded.warnings, ...(hands?.warnings ?? []), ...backend.warnings],
  };
}
