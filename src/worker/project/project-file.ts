/**
 * The project file: one zip (`.trainwhistle`) holding a whole project, so it can be saved, carried to
 * another machine and opened there. Layout (README, "Project files", says the same):
 *
 *   trainwhistle-project.json  the manifest: format, version, the project (settings, labels, …), the
 *                              examples (id, label, values, crop file) and where the rest is
 *   embeddings.f32             every example's feature vector, float32 little-endian, in manifest order
 *   head.f32                   the trained head's weights (w1, b1, w2, b2), when it is trained
 *   crops/<id>.jpg             the 224×224 picture the model saw, one per example
 *
 * Reading checks everything (zip, manifest, sizes, every picture decodes) before returning anything, so
 * the caller can swap the project in whole or not at all.
 */
import { strFromU8, strToU8, unzip, zip, type Zippable } from 'fflate';
import type { FeatureIdentity, HeadSettings, ProjectProgress } from '../../protocol/project';
import type { PixelData } from '../../protocol/types';
import type { Example } from '../examples';
import type { HeadState } from '../heads/head';
import { thumbnailOf } from './crops';
import type { ProjectRecord } from './store';

export const PROJECT_FORMAT = 'trainwhistle-project';
/** The newest file version this code writes and reads. */
export const PROJECT_VERSION = 1;
const MANIFEST = 'trainwhistle-project.json';

/** Thrown for a file that cannot be opened; the message says why and what to do. */
export class ProjectFileError extends Error {
  override name = 'ProjectFileError';
}

interface Manifest {
  format: typeof PROJECT_FORMAT;
  version: number;
  savedAt: string;
  project: {
    name: string;
    createdAt: number;
    updatedAt: number;
    features: FeatureIdentity;
    settings: HeadSettings;
    labels: string[];
    nextId: number;
    running: boolean;
    appSettings: unknown;
  };
  examples: { id: number; label: string; values?: Record<string, number>; crop: string | null }[];
  embeddings: { file: string; count: number; size: number };
  head: null | (Omit<HeadState, 'weights'> & { file: string; lengths: { w1: number; b1: number; w2: number; b2: number } });
}

const cropName = (id: number) => `crops/${String(id).padStart(8, '0')}.jpg`;
const zipAsync = (files: Zippable) =>
  new Promise<Uint8Array>((resolve, reject) => zip(files, (e, out) => (e ? reject(e) : resolve(out))));
const unzipAsync = (bytes: Uint8Array) =>
  new Promise<Record<string, Uint8Array>>((resolve, reject) => unzip(bytes, (e, out) => (e ? reject(e) : resolve(out))));

function floats(chunks: readonly Float32Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return new Uint8Array(out.buffer);
}

/** @example const blob = await writeProjectFile(record) */
export async function writeProjectFile(record: ProjectRecord): Promise<Blob> {
  const { meta, examples, head } = record;
  const files: Zippable = {};
  const manifest: Manifest = {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    savedAt: new Date().toISOString(),
    project: {
      name: meta.name,
      createdAt: meta.createdAt,
      updatedAt: meta.updatedAt,
      features: meta.features,
      settings: meta.settings,
      labels: meta.labels,
      nextId: meta.nextId,
      running: meta.running,
      appSettings: meta.appSettings,
    },
    examples: examples.map((e) => ({
      id: e.id,
      label: e.label,
      ...(e.values ? { values: e.values } : {}),
      crop: e.crop ? cropName(e.id) : null,
    })),
    embeddings: { file: 'embeddings.f32', count: examples.length, size: meta.features.size },
    head: null,
  };
  files['embeddings.f32'] = [floats(examples.map((e) => e.embedding)), { level: 1 }];
  if (head) {
    const { weights, ...rest } = head;
    manifest.head = {
      ...rest,
      file: 'head.f32',
      lengths: { w1: weights.w1.length, b1: weights.b1.length, w2: weights.w2.length, b2: weights.b2.length },
    };
    files['head.f32'] = [floats([weights.w1, weights.b1, weights.w2, weights.b2]), { level: 1 }];
  }
  // JPEGs do not compress further: store them as they are.
  for (const e of examples) if (e.crop) files[cropName(e.id)] = [new Uint8Array(await e.crop.arrayBuffer()), { level: 0 }];
  files[MANIFEST] = [strToU8(JSON.stringify(manifest)), { level: 6 }];
  // fflate returns bytes over a plain ArrayBuffer, never a shared one.
  return new Blob([(await zipAsync(files)) as Uint8Array<ArrayBuffer>], { type: 'application/zip' });
}

const damaged = (what: string) =>
  new ProjectFileError(`The project file is damaged: ${what}. Save it again from where it was made, or use another copy.`);

/** Checks the manifest's shape; says what is wrong. */
function checkManifest(value: unknown): Manifest {
  const m = value as Partial<Manifest> | null;
  if (!m || typeof m !== 'object' || m.format !== PROJECT_FORMAT) {
    throw new ProjectFileError(
      `This zip is not a trainwhistle project (its ${MANIFEST} does not say format "${PROJECT_FORMAT}"). Choose a file made with Save project.`,
    );
  }
  if (typeof m.version !== 'number' || !Number.isInteger(m.version) || m.version < 1) throw damaged('its version is missing');
  if (m.version > PROJECT_VERSION) {
    throw new ProjectFileError(
      `This project was saved by a newer trainwhistle (file version ${m.version}; this one reads up to ${PROJECT_VERSION}). Update trainwhistle to open it.`,
    );
  }
  const p = m.project;
  if (!p || typeof p.name !== 'string' || !Array.isArray(p.labels) || !p.settings || !p.features) {
    throw damaged('its project description is incomplete');
  }
  if (!Array.isArray(m.examples) || !m.embeddings) throw damaged('its list of examples is missing');
  for (const e of m.examples) {
    if (!Number.isInteger(e?.id) || typeof e.label !== 'string') throw damaged('an example has no id or label');
  }
  return m as Manifest;
}

function floatsOf(bytes: Uint8Array | undefined, what: string, length: number): Float32Array {
  if (!bytes) throw damaged(`${what} is missing`);
  if (bytes.byteLength !== length * 4) throw damaged(`${what} holds ${bytes.byteLength} bytes, not ${length * 4}`);
  return new Float32Array(bytes.slice().buffer);
}

/**
 * Reads and checks a project file; every picture is decoded (and becomes its example's thumbnail).
 * Throws a ProjectFileError saying what is wrong; returns only a whole project.
 */
export async function readProjectFile(file: Blob, onProgress: (p: ProjectProgress) => void): Promise<ProjectRecord> {
  onProgress({ phase: 'read', fraction: 0 });
  const bytes = new Uint8Array(await file.arrayBuffer());
  let files: Record<string, Uint8Array>;
  try {
    files = await unzipAsync(bytes);
  } catch (e) {
    const zipMagic = bytes[0] === 0x50 && bytes[1] === 0x4b;
    throw zipMagic
      ? damaged(`the zip is truncated or corrupt (${(e as Error).message})`)
      : new ProjectFileError(
          'This file is not a trainwhistle project (it is not a zip archive). Choose a file made with Save project (.trainwhistle).',
        );
  }
  const manifestBytes = files[MANIFEST];
  if (!manifestBytes) {
    throw new ProjectFileError(`This zip is not a trainwhistle project (it has no ${MANIFEST}). Choose a file made with Save project.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(strFromU8(manifestBytes));
  } catch {
    throw damaged(`${MANIFEST} is not valid JSON`);
  }
  const m = checkManifest(parsed);
  const size = m.project.features.size;
  if (m.embeddings.count !== m.examples.length || m.embeddings.size !== size) throw damaged('the embeddings do not match the examples');
  const all = floatsOf(files[m.embeddings.file], m.embeddings.file, m.examples.length * size);
  onProgress({ phase: 'read', fraction: 1 });

  const examples: Example[] = [];
  for (const [i, e] of m.examples.entries()) {
    let crop: Blob | null = null;
    let thumbnail: PixelData;
    if (e.crop) {
      const data = files[e.crop];
      if (!data) throw damaged(`the picture of example ${e.id} (${e.crop}) is missing`);
      crop = new Blob([data.slice()], { type: 'image/jpeg' });
      try {
        thumbnail = await thumbnailOf(crop);
      } catch {
        throw damaged(`the picture of example ${e.id} (${e.crop}) does not decode`);
      }
    } else {
      thumbnail = { width: 1, height: 1, data: new Uint8ClampedArray([128, 128, 128, 255]) };
    }
    examples.push({
      id: e.id,
      label: e.label,
      ...(e.values ? { values: e.values } : {}),
      embedding: all.slice(i * size, (i + 1) * size),
      thumbnail,
      crop,
    });
    if (i % 50 === 0 || i === m.examples.length - 1) onProgress({ phase: 'decode', fraction: (i + 1) / m.examples.length });
  }

  let head: HeadState | null = null;
  if (m.head) {
    const { file: name, lengths, ...rest } = m.head;
    const w = floatsOf(files[name], name, lengths.w1 + lengths.b1 + lengths.w2 + lengths.b2);
    let at = 0;
    const take = (n: number) => w.slice(at, (at += n));
    head = { ...rest, weights: { w1: take(lengths.w1), b1: take(lengths.b1), w2: take(lengths.w2), b2: take(lengths.b2) } };
  }
  const p = m.project;
  return {
    meta: {
      name: p.name,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      features: p.features,
      settings: p.settings,
      labels: p.labels,
      nextId: p.nextId,
      running: p.running === true,
      appSettings: p.appSettings ?? null,
    },
    examples,
    head,
  };
}
