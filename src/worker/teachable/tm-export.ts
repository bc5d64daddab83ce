/**
 * A Teachable Machine image export, read from what "Export Model → Tensorflow.js → Download" gives: the zip, or
 * its three files (`model.json`, `weights.bin`, `metadata.json`). Everything is checked before anything is
 * loaded, and each way an export can be wrong gets a message that says what to do (TeachableMachineError): a
 * pose or audio model, a file missing or from another export, a truncated `weights.bin`, a file that is not
 * Teachable Machine's, a format newer than this reads. No tfjs here: the files are only read and checked.
 */
import { strFromU8, unzipSync } from 'fflate';
import { TeachableMachineError } from '../../protocol/errors';
import type { NamedFile } from '../../protocol/teachable';

export type { NamedFile } from '../../protocol/teachable';

/** The package versions of `@teachablemachine/image` whose exports this reads (2020 on); 2019's carry `tmSupportVersion`. */
const KNOWN_PACKAGE = /^0\.[0-8]\./;

/** What an image export says about itself, as read. */
export interface TmMetadata {
  labels: string[];
  modelName: string;
  /** `@teachablemachine/image`'s version (2020 on), or `tmSupportVersion` (2019). */
  version: string;
  /** The side of the square the model takes in: `imageSize` where given, else the model's input. */
  imageSize: number;
  /** One channel in (Teachable Machine's "tiny" models): the picture is turned grey as the package does. */
  grayscale: boolean;
  /** Whatever the user gave Teachable Machine, as it is. */
  userMetadata: unknown;
}

/** An export checked and ready to load: the layers model's JSON, its weights and what its metadata says. */
export interface TmExport {
  /** model.json as parsed: `modelTopology` and `weightsManifest`. */
  model: { modelTopology: TmTopology; weightsManifest: { paths: string[]; weights: TmWeightSpec[] }[] };
  weights: ArrayBuffer;
  metadata: TmMetadata;
}

export interface TmWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
}

interface TmLayer {
  class_name: string;
  config: { name?: string; layers?: TmLayer[] | { layers?: TmLayer[] }; units?: number; batch_input_shape?: unknown };
}

export interface TmTopology {
  class_name: string;
  config: { layers?: TmLayer[] } | TmLayer[];
}

const FILES = ['model.json', 'weights.bin', 'metadata.json'] as const;

const fail = (message: string): never => {
  throw new TeachableMachineError(message);
};

/**
 * The three files of an export, from a zip or as given (any order; folders in their names are ignored, as are
 * the `__MACOSX/` entries of zips made on macOS).
 */
export function exportFiles(given: readonly NamedFile[]): Record<(typeof FILES)[number], Uint8Array> {
  const base = (name: string) => name.split('/').pop()!;
  let files = given;
  const zip = given.find((f) => f.name.toLowerCase().endsWith('.zip'));
  if (zip) {
    if (given.length > 1)
      fail(`Give the zip Teachable Machine exported on its own, or its three files without it (got ${names(given)}).`);
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(zip.bytes, { filter: (f) => !f.name.startsWith('__MACOSX/') && !f.name.endsWith('/') });
    } catch (e) {
      return fail(
        `${zip.name} is not a zip that can be read (${(e as Error).message}): download it again from Teachable Machine (Export Model → Tensorflow.js → Download).`,
      );
    }
    files = Object.entries(entries).map(([name, bytes]) => ({ name, bytes }));
  }
  const found = Object.fromEntries(files.map((f) => [base(f.name), f.bytes]));
  const missing = FILES.filter((f) => !found[f]);
  if (missing.length > 0) {
    fail(
      `${zip ? `${zip.name} lacks` : 'The files given lack'} ${missing.join(' and ')}: a Teachable Machine image export has model.json, weights.bin and metadata.json (got ${zip ? names(files) : names(given)}). ` +
        'Give the zip from Export Model → Tensorflow.js → Download, or all three of its files together.',
    );
  }
  return {
    'model.json': found['model.json']!,
    'weights.bin': found['weights.bin']!,
    'metadata.json': found['metadata.json']!,
  };
}

const names = (files: readonly NamedFile[]) => (files.length ? files.map((f) => f.name).join(', ') : 'nothing');

function json(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(strFromU8(bytes));
  } catch {
    return fail(
      `${file} is not JSON, so this is not a Teachable Machine export: give the zip from Export Model → Tensorflow.js.`,
    );
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and checks an export: the zip, or its three files. Throws TeachableMachineError with what to do. */
export function readTmExport(given: readonly NamedFile[]): TmExport {
  const files = exportFiles(given);
  const meta = json(files['metadata.json'], 'metadata.json');
  if (!isObject(meta)) return fail('metadata.json holds no object: this is not a Teachable Machine export.');
  const packageName = typeof meta.packageName === 'string' ? meta.packageName : null;
  if (packageName === '@teachablemachine/pose' || 'modelSettings' in meta)
    fail(
      'This is a Teachable Machine pose model: it runs on PoseNet, which trainwhistle does not have. Teach the poses here instead (Features → Pose), or export an image model.',
    );
  if (packageName?.includes('audio') || 'wordLabels' in meta || packageName?.includes('speech'))
    fail(
      'This is a Teachable Machine audio model: it needs speech-commands, which trainwhistle does not have. Export an image model.',
    );
  if (packageName !== null && packageName !== '@teachablemachine/image')
    fail(
      `metadata.json is from ${packageName}, not @teachablemachine/image: only Teachable Machine image models open here.`,
    );
  const version =
    packageName !== null
      ? typeof meta.packageVersion === 'string'
        ? meta.packageVersion
        : ''
      : typeof meta.tmSupportVersion === 'string' || typeof meta.tmSupportVersion === 'number'
        ? `tmSupportVersion ${String(meta.tmSupportVersion)}`
        : fail(
            'metadata.json has neither packageName nor tmSupportVersion: it is not from Teachable Machine. Give the metadata.json of the same export as model.json.',
          );
  if (packageName !== null && !KNOWN_PACKAGE.test(version))
    fail(
      `This export was made by @teachablemachine/image ${version || '(no version)'}, newer than the 0.8 whose format trainwhistle reads: update trainwhistle, or export from a Teachable Machine of 2020–2021.`,
    );
  const labels = meta.labels;
  if (!Array.isArray(labels) || labels.length < 1 || !labels.every((l) => typeof l === 'string'))
    return fail('metadata.json has no list of class names (labels): it is not from a Teachable Machine image export.');

  const model = json(files['model.json'], 'model.json');
  if (!isObject(model) || !isObject(model.modelTopology) || !Array.isArray(model.weightsManifest))
    return fail(
      'model.json has no modelTopology and weightsManifest: it is not a TensorFlow.js layers model as Teachable Machine exports.',
    );
  const m = model as unknown as TmExport['model'];
  const topology = m.modelTopology;
  const outer = layersOf(topology.config);
  if (topology.class_name !== 'Sequential' || outer.length !== 2 || outer[1]?.class_name !== 'Sequential')
    fail(
      'model.json is not a Teachable Machine image model (a base model, then a Sequential head): it cannot open here.',
    );
  const [base, head] = [outer[0]!, outer[1]!];
  const input = inputShape(base);
  if (!input) return fail('model.json does not say what size of picture its model takes in: it cannot open here.');
  const [, height, width, channels] = input;
  if (height !== width || (channels !== 1 && channels !== 3))
    fail(
      `model.json's model takes ${String(height)}×${String(width)}×${String(channels)} pictures: only square grey or colour pictures are supported.`,
    );
  const units = layersOf(head.config).at(-1)?.config.units;
  if (units !== labels.length)
    fail(
      `metadata.json names ${labels.length} classes (${labels.join(', ')}), but model.json's model has ${String(units)} outputs: the two files are from different exports. Give the three files of one export.`,
    );

  const specs = m.weightsManifest.flatMap((g) => g.weights);
  const needed = specs.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * bytesOf(w.dtype), 0);
  const weights = files['weights.bin'];
  if (weights.byteLength < needed)
    fail(
      `weights.bin holds ${weights.byteLength.toLocaleString('en')} bytes where model.json needs ${needed.toLocaleString('en')}: it is truncated. Download the export again.`,
    );
  if (weights.byteLength > needed)
    fail(
      `weights.bin holds ${weights.byteLength.toLocaleString('en')} bytes where model.json needs ${needed.toLocaleString('en')}: it is from another export. Give the three files of one export.`,
    );
  const imageSize = typeof meta.imageSize === 'number' ? meta.imageSize : height;
  if (imageSize !== height)
    fail(
      `metadata.json says ${imageSize}-pixel pictures, the model takes ${String(height)}: the files are from different exports.`,
    );
  return {
    model: m,
    weights: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    metadata: {
      labels: labels,
      modelName: typeof meta.modelName === 'string' ? meta.modelName : 'teachable-machine-model',
      version,
      imageSize,
      grayscale: channels === 1,
      userMetadata: meta.userMetadata ?? null,
    },
  };
}

/** The layers of a Sequential's config: tfjs-layers' dict (`{ layers: [...] }`) or Keras's 2019 list. */
function layersOf(config: TmTopology['config'] | TmLayer['config']): TmLayer[] {
  if (Array.isArray(config)) return config;
  const layers = (config as { layers?: unknown }).layers;
  return Array.isArray(layers) ? (layers as TmLayer[]) : [];
}

/** `[null, h, w, c]` of a model's input, from its first layer that says. */
function inputShape(layer: TmLayer): [unknown, number, number, number] | null {
  const shape = layer.config.batch_input_shape;
  if (Array.isArray(shape) && shape.length === 4) return shape as [unknown, number, number, number];
  for (const inner of layersOf(layer.config)) {
    const found = inputShape(inner);
    if (found) return found;
  }
  return null;
}

const bytesOf = (dtype: string) => (dtype === 'float32' || dtype === 'int32' ? 4 : dtype === 'bool' ? 1 : 4);
