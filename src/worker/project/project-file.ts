/**
 * The project file: one zip (`.trainwhistle`) holding a whole project, so it can be saved, carried to
 * another machine and opened there. Layout (README, "Project files", says the same):
 *
 *   trainwhistle-project.json  the manifest: format, version, the project (settings, labels, …), the
 *                              examples (id, label, values, crop file) and where the rest is
 *   embeddings.f32             every example's feature vector, float32 little-endian, in manifest order
 *   head.f32                   the trained head's weights (w1, b1, w2, b2), when it is trained
 *   crops/<id>.jpg             the 224×224 picture the model saw, one per example
 *   teachable-machine/…        the Teachable Machine export whose base makes the features, as it was given
 *                              (its zip, or model.json, weights.bin and metadata.json), when it has one
 *
 * Reading checks everything (zip, manifest, sizes, every picture decodes) before returning anything, so
 * the caller can swap the project in whole or not at all.
 */
import { Zip, ZipDeflate, ZipPassThrough, strFromU8, strToU8, unzip } from 'fflate';
import { ProjectFileError } from '../../protocol/errors';
import type { ProjectProgress } from '../../protocol/project';
import type { PixelData } from '../../protocol/frame';
import type { Example } from '../examples';
import { thumbnailCanvas, thumbnailOf } from './crops';
import type { ExampleRecord, HeadState, ProjectMeta, ProjectRecord } from '../../protocol/project-record';

export const PROJECT_FORMAT = 'trainwhistle-project';
/** The newest file version this code writes and reads. */
export const PROJECT_VERSION = 1;
const MANIFEST = 'trainwhistle-project.json';

interface Manifest {
  format: typeof PROJECT_FORMAT;
  version: number;
  savedAt: string;
  project: ProjectMeta;
  examples: (Pick<ExampleRecord, 'id' | 'label' | 'values' | 'sequence'> & { crop: string | null })[];
  embeddings: { file: string; count: number; size: number };
  head:
    null | (Omit<HeadState, 'weights'> & { file: string; lengths: { w1: number; b1: number; w2: number; b2: number } });
  /** The Teachable Machine export's files in the zip (absent before issue 16, and for the built-in models). */
  teachableMachine?: { files: string[] } | null;
}

const TEACHABLE_FOLDER = 'teachable-machine/';

const cropName = (id: number) => `crops/${String(id).padStart(8, '0')}.jpg`;
/**
 * Pictures decoded at once when opening. Each waits mostly on the browser (a blob read, a JPEG decode on
 * its own threads), so a few in flight keep those busy.
 */
const LANES = 6;
/** Pictures read at once when saving: a window of them is all the worker holds. */
const SAVE_WINDOW = 32;
/** What a zip being written may hold in the worker before it joins the Blob. */
const FOLD_BYTES = 4 * 2 ** 20;

/**
 * A zip written file by file straight into a Blob: the bytes written so far move into the Blob every
 * FOLD_BYTES, so saving thousands of examples never holds them all in the worker — nor twice, as the
 * pictures plus one zip of them would.
 */
function zipWriter() {
  const blobs: Blob[] = [];
  let chunks: Uint8Array[] = [];
  let held = 0;
  let failure: Error | null = null;
  const fold = () => {
    if (chunks.length > 0) blobs.push(new Blob(chunks as Uint8Array<ArrayBuffer>[]));
    chunks = [];
    held = 0;
  };
  // fflate calls back synchronously, within add() and end(); its bytes are over plain ArrayBuffers.
  const zip = new Zip((e, chunk) => {
    if (e) failure = e;
    else {
      chunks.push(chunk);
      held += chunk.length;
      if (held >= FOLD_BYTES) fold();
    }
  });
  return {
    /** Level 0 stores the bytes as they are (JPEGs do not compress further). */
    add(name: string, data: Uint8Array, level: 0 | 1 | 6) {
      const file = level === 0 ? new ZipPassThrough(name) : new ZipDeflate(name, { level });
      zip.add(file);
      file.push(data, true);
      if (failure) throw failure;
    },
    end(): Blob {
      zip.end();
      if (failure) throw failure;
      fold();
      return new Blob(blobs, { type: 'application/zip' });
    },
  };
}

/**
 * `work(item, i)` for every item, at most `lanes` at a time; rejects with the first error (and starts
 * no more).
 */
async function eachInLanes<T>(items: readonly T[], lanes: number, work: (item: T, i: number) => Promise<void>) {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await work(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
}
const unzipAsync = (bytes: Uint8Array) =>
  new Promise<Record<string, Uint8Array>>((resolve, reject) =>
    unzip(bytes, (e, out) => (e ? reject(e) : resolve(out))),
  );

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
  const { meta, examples, head, base } = record;
  const out = zipWriter();
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
      ...(e.sequence !== undefined ? { sequence: e.sequence } : {}),
      crop: e.crop ? cropName(e.id) : null,
    })),
    embeddings: { file: 'embeddings.f32', count: examples.length, size: meta.features.size },
    head: null,
    teachableMachine: base ? { files: base.map((f) => TEACHABLE_FOLDER + f.name.split('/').pop()!) } : null,
  };
  base?.forEach((f, i) => out.add(manifest.teachableMachine!.files[i]!, f.bytes, 6));
  out.add('embeddings.f32', floats(examples.map((e) => e.embedding)), 1);
  if (head) {
    const { weights, ...rest } = head;
    manifest.head = {
      ...rest,
      file: 'head.f32',
      lengths: { w1: weights.w1.length, b1: weights.b1.length, w2: weights.w2.length, b2: weights.b2.length },
    };
    out.add('head.f32', floats([weights.w1, weights.b1, weights.w2, weights.b2]), 1);
  }
  const withCrops = examples.filter((e) => e.crop);
  for (let at = 0; at < withCrops.length; at += SAVE_WINDOW) {
    const window = withCrops.slice(at, at + SAVE_WINDOW);
    const bytes = await Promise.all(window.map((e) => e.crop!.arrayBuffer()));
    window.forEach((e, i) => out.add(cropName(e.id), new Uint8Array(bytes[i]!), 0));
  }
  out.add(MANIFEST, strToU8(JSON.stringify(manifest)), 6);
  return out.end();
}

const damaged = (what: string) =>
  new ProjectFileError(
    `The project file is damaged: ${what}. Save it again from where it was made, or use another copy.`,
  );

/** Checks the manifest's shape; says what is wrong. */
function checkManifest(value: unknown): Manifest {
  const m = value as Partial<Manifest> | null;
  if (!m || typeof m !== 'object' || m.format !== PROJECT_FORMAT) {
    throw new ProjectFileError(
      `This zip is not a trainwhistle project (its ${MANIFEST} does not say format "${PROJECT_FORMAT}"). Choose a file made with Save project.`,
    );
  }
  if (typeof m.version !== 'number' || !Number.isInteger(m.version) || m.version < 1)
    throw damaged('its version is missing');
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
 * The files in a zip. Its own function so that the whole file's bytes are let go once unzipped, not held
 * while thousands of pictures are decoded.
 */
async function unzipFile(file: Blob): Promise<Record<string, Uint8Array>> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    return await unzipAsync(bytes);
  } catch (e) {
    const zipMagic = bytes[0] === 0x50 && bytes[1] === 0x4b;
    throw zipMagic
      ? damaged(`the zip is truncated or corrupt (${(e as Error).message})`)
      : new ProjectFileError(
          'This file is not a trainwhistle project (it is not a zip archive). Choose a file made with Save project (.trainwhistle).',
        );
  }
}

/**
 * Reads and checks a project file; every picture is decoded (and becomes its example's thumbnail).
 * Throws a ProjectFileError saying what is wrong; returns only a whole project.
 */
export async function readProjectFile(file: Blob, onProgress: (p: ProjectProgress) => void): Promise<ProjectRecord> {
  onProgress({ phase: 'read', fraction: 0 });
  const files = await unzipFile(file);
  const manifestBytes = files[MANIFEST];
  if (!manifestBytes) {
    throw new ProjectFileError(
      `This zip is not a trainwhistle project (it has no ${MANIFEST}). Choose a file made with Save project.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(strFromU8(manifestBytes));
  } catch {
    throw damaged(`${MANIFEST} is not valid JSON`);
  }
  const m = checkManifest(parsed);
  const size = m.project.features.size;
  if (m.embeddings.count !== m.examples.length || m.embeddings.size !== size)
    throw damaged('the embeddings do not match the examples');
  const all = floatsOf(files[m.embeddings.file], m.embeddings.file, m.examples.length * size);
  onProgress({ phase: 'read', fraction: 1 });

  const examples = new Array<Example>(m.examples.length);
  const canvases: OffscreenCanvasRenderingContext2D[] = [];
  let decoded = 0;
  await eachInLanes(m.examples, LANES, async (e, i) => {
    let crop: Blob | null = null;
    let thumbnail: PixelData;
    if (e.crop) {
      const data = files[e.crop];
      if (!data) throw damaged(`the picture of example ${e.id} (${e.crop}) is missing`);
      crop = new Blob([data as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }); // a copy of its own: no slice() first
      const g = canvases.pop() ?? thumbnailCanvas();
      try {
        thumbnail = await thumbnailOf(crop, g);
      } catch {
        throw damaged(`the picture of example ${e.id} (${e.crop}) does not decode`);
      } finally {
        canvases.push(g);
      }
    } else {
      thumbnail = { width: 1, height: 1, data: new Uint8ClampedArray([128, 128, 128, 255]) };
    }
    examples[i] = {
      id: e.id,
      label: e.label,
      ...(e.values ? { values: e.values } : {}),
      ...(e.sequence !== undefined ? { sequence: e.sequence } : {}),
      embedding: all.slice(i * size, (i + 1) * size),
      thumbnail,
      crop,
    };
    decoded += 1;
    if (decoded % 50 === 1 || decoded === m.examples.length)
      onProgress({ phase: 'decode', fraction: decoded / m.examples.length });
  });

  let head: HeadState | null = null;
  if (m.head) {
    const { file: name, lengths, ...rest } = m.head;
    const w = floatsOf(files[name], name, lengths.w1 + lengths.b1 + lengths.w2 + lengths.b2);
    let at = 0;
    const take = (n: number) => w.slice(at, (at += n));
    head = {
      ...rest,
      weights: { w1: take(lengths.w1), b1: take(lengths.b1), w2: take(lengths.w2), b2: take(lengths.b2) },
    };
  }
  const base =
    m.teachableMachine?.files.map((name) => {
      const bytes = files[name];
      if (!bytes) throw damaged(`the Teachable Machine model's ${name} is missing`);
      return { name: name.slice(TEACHABLE_FOLDER.length), bytes };
    }) ?? null;
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
    base,
  };
}
