/**
 * A Teachable Machine image model's base as the feature extractor: its MobileNet and pooling give the
 * features, its own head is the project's first dense head (`headState`), and its frames are squared as
 * `@teachablemachine/image` squares them, at the model's size. The files it came from go with it, so that the
 * project can keep them (IndexedDB, project files) and open with the same model again.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelReport } from '../../protocol/engine-api';
import type { FrameShape } from '../../protocol/frame';
import type { FeatureIdentity, HeadState } from '../../protocol/project-record';
import type { NamedFile, TeachableMachineReport } from '../../protocol/teachable';
import { readTmExport } from '../teachable/tm-export';
import { TmModel } from '../teachable/tm-model';
import type { Analysis, FeatureExtractor } from './feature-extractor';

/** The prefix of every Teachable Machine model's feature identity. */
export const TEACHABLE_MACHINE_ID = 'teachable-machine';

/** FNV-1a of the bytes, as 8 hex digits: tells one export's weights from another's. */
function fingerprint(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

export class TeachableMachineFeatures implements FeatureExtractor {
  readonly identity: FeatureIdentity;
  readonly report: ModelReport;
  readonly frame: FrameShape;
  readonly teachableMachine: TeachableMachineReport;

  private constructor(
    private readonly model: TmModel,
    /** The export as it was given (the zip, or its three files): what the project keeps. */
    readonly files: readonly NamedFile[],
    weights: Uint8Array,
  ) {
    const { modelName, labels, imageSize, grayscale, version } = model.metadata;
    const slug =
      modelName
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '') || 'model';
    this.identity = { model: `${TEACHABLE_MACHINE_ID}-${slug}-${fingerprint(weights)}`, size: model.featureSize };
    this.report = {
      name: this.identity.model,
      source: 'local',
      url: `Teachable Machine model "${modelName}"`,
      embeddingSize: model.featureSize,
      cached: false,
    };
    this.frame = { fit: 'teachable-machine', size: imageSize };
    this.teachableMachine = {
      modelName,
      labels: [...labels],
      imageSize,
      grayscale,
      version,
      featureSize: model.featureSize,
    };
  }

  /** Reads, checks and loads an export (TeachableMachineError with what to do when it is not one). */
  static async load(files: readonly NamedFile[]): Promise<TeachableMachineFeatures> {
    const tm = readTmExport(files);
    const model = await TmModel.load(tm);
    return new TeachableMachineFeatures(model, files, new Uint8Array(tm.weights));
  }

  extract(square: tf.Tensor3D): Promise<Float32Array> {
    return this.model.features(square);
  }

  async analyse(square: tf.Tensor3D): Promise<Analysis> {
    return { features: await this.extract(square) };
  }

  /** The base as a layers model (picture → features), for an export (tm-write.ts); it stays this extractor's. */
  layersBase(): tf.LayersModel {
    return this.model.base;
  }

  /** The model's own head, as this project's dense head keeps it: it predicts until the user trains one. */
  headState(): HeadState {
    return this.model.headState();
  }

  dispose(): void {
    this.model.dispose();
  }
}
