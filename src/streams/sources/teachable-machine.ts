/**
 * A Teachable Machine model as the pipeline takes it (`createPipeline({ teachableMachine })`): the zip from
 * "Export Model → Tensorflow.js → Download", its three files, or the model's share URL. Read here, on the main
 * thread, into named bytes; the worker checks and loads them (TeachableMachineError says what is wrong).
 */
import { TeachableMachineError } from '../../protocol/errors';
import type { NamedFile } from '../../protocol/teachable';

/**
 * Where a Teachable Machine model is: its share URL (`https://teachablemachine.withgoogle.com/models/<id>/`, or
 * any folder or model.json URL that serves the three files), the exported zip, or its three files (a file
 * input's `files`, an array of Files, or names with bytes).
 */
export type TeachableMachineSource = string | URL | Blob | FileList | readonly (Blob | NamedFile)[];

// Not `'bytes' in f`: a Blob has a bytes() method in today's browsers.
const isNamed = (f: Blob | NamedFile): f is NamedFile => !(f instanceof Blob);

async function named(f: Blob | NamedFile): Promise<NamedFile> {
  if (isNamed(f)) return f;
  const name = f instanceof File ? f.name : 'model.zip';
  return { name, bytes: new Uint8Array(await f.arrayBuffer()) };
}

/** The export's files, read from wherever `source` is. */
export async function teachableMachineFiles(source: TeachableMachineSource): Promise<NamedFile[]> {
  if (typeof source === 'string' || source instanceof URL) return fetchModel(String(source));
  if (source instanceof Blob) return [await named(source)];
  return Promise.all(Array.from(source as ArrayLike<Blob | NamedFile>, named));
}

/** The three files from a share URL (or any folder or model.json URL serving them). */
async function fetchModel(url: string): Promise<NamedFile[]> {
  const given = new URL(url, location.href);
  const folder = given.pathname.endsWith('/model.json')
    ? new URL('.', given)
    : new URL(given.pathname.endsWith('/') ? given.href : `${given.href}/`);
  const get = async (name: string): Promise<NamedFile> => {
    const at = new URL(name, folder).href;
    let response: Response;
    try {
      response = await fetch(at);
    } catch (e) {
      throw new TeachableMachineError(
        `The Teachable Machine model at ${folder.href} could not be reached (${(e as Error).message}): without the internet, download its zip (Export Model → Tensorflow.js → Download) and give that instead.`,
      );
    }
    if (!response.ok) {
      throw new TeachableMachineError(
        `${at} answered ${response.status} ${response.statusText}: check the model's share link (Export Model → Upload my model gives it), or give its downloaded zip instead.`,
      );
    }
    return { name, bytes: new Uint8Array(await response.arrayBuffer()) };
  };
  const [model, metadata] = await Promise.all([get('model.json'), get('metadata.json')]);
  let paths: string[] = [];
  try {
    const manifest = (JSON.parse(new TextDecoder().decode(model.bytes)) as { weightsManifest?: { paths?: string[] }[] })
      .weightsManifest;
    paths = manifest?.flatMap((g) => g.paths ?? []) ?? [];
  } catch {
    // not JSON: the worker says so
  }
  const shards = await Promise.all(paths.map(get));
  // Teachable Machine writes one shard, weights.bin; others are joined into it, in order.
  const weights = new Uint8Array(shards.reduce((n, s) => n + s.bytes.length, 0));
  shards.reduce((at, s) => (weights.set(s.bytes, at), at + s.bytes.length), 0);
  return [model, metadata, { name: 'weights.bin', bytes: weights }];
}
