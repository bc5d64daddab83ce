#!/usr/bin/env node
// @ts-check
/**
 * Puts model weights (MobileNet, MoveNet) where the app serves them from: `public/models/<name>/`.
 *
 * Two ways in:
 * - `npm run models -- <folder>` copies the model folders found in a local folder (each subfolder that
 *   holds a model.json, or the folder itself), checking every weight shard and any SHA256SUMS file.
 * - `npm run models` downloads the TF Hub graph model that `@tensorflow-models/mobilenet` would load
 *   (MobileNet v1 α0.25 unless `--model` says otherwise).
 *
 * Plain Node (>= 20), no dependencies, so it runs before or without `npm install`.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_DEST = join(REPO, 'public', 'models');
const DEFAULT_MODEL = 'v1-0.25';
/** How long one HTTP request may take before we call the network unreachable. */
const FETCH_TIMEOUT_MS = 60_000;

/**
 * `MODEL_INFO` of @tensorflow-models/mobilenet 2.1.1 (dist/index.js), version → alpha → TF Hub URL.
 * tests/node/models-script.test.ts checks that the installed package still lists these URLs.
 */
export const MODEL_URLS = {
  '1.00': {
    0.25: 'https://tfhub.dev/google/imagenet/mobilenet_v1_025_224/classification/1',
    '0.50': 'https://tfhub.dev/google/imagenet/mobilenet_v1_050_224/classification/1',
    0.75: 'https://tfhub.dev/google/imagenet/mobilenet_v1_075_224/classification/1',
    '1.00': 'https://tfhub.dev/google/imagenet/mobilenet_v1_100_224/classification/1',
  },
  '2.00': {
    '0.50': 'https://tfhub.dev/google/imagenet/mobilenet_v2_050_224/classification/2',
    0.75: 'https://tfhub.dev/google/imagenet/mobilenet_v2_075_224/classification/2',
    '1.00': 'https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/classification/2',
  },
};

const MODEL_CHOICES = Object.entries(MODEL_URLS).flatMap(([v, alphas]) =>
  Object.keys(alphas).map((a) => `v${Number(v)}-${a}`),
);

const USAGE = `Usage:
  npm run models -- <folder>     copy the model folders in <folder> into public/models/
  npm run models                 download MobileNet v1 0.25 (TF Hub graph model) into public/models/

Options:
  --model <v1-0.25|...>   which TF Hub model to download (default ${DEFAULT_MODEL}); one of:
                          ${MODEL_CHOICES.join(', ')}
  --url <base>            download from this TF Hub-style base URL instead (fetches <base>/model.json?tfjs-format=file)
  --dest <dir>            where the model folders go (default: <repo>/public/models)
  --force                 download again even if the model is already there
  -h, --help              print this help

A model folder is one that holds a model.json; every weight shard its weightsManifest lists must sit
next to it. If <folder> has a SHA256SUMS file ("<sha256>  <relative/path>" lines), every copied file is
checked against it.

Examples:
  npm run models -- ../shared/models
  npm run models -- --model v2-1.00`;

/**
 * @typedef {{ paths: string[], weights?: { dtype?: string, shape?: number[], quantization?: { dtype?: string } }[] }} WeightsGroup
 * @typedef {{ weightsManifest: WeightsGroup[] }} ModelJson
 */

/** An error whose message is meant for the person at the terminal; no stack trace needed. */
class UserError extends Error {
  /** @param {string} message @param {number} [exitCode] */
  constructor(message, exitCode = 1) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** @param {string[]} argv */
async function main(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        model: { type: 'string' },
        url: { type: 'string' },
        dest: { type: 'string' },
        force: { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UserError(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length > 1) {
    throw new UserError(
      `Expected at most one folder, got ${positionals.length}: ${positionals.join(' ')}\n\n${USAGE}`,
      2,
    );
  }
  const dest = resolve(values.dest ?? DEFAULT_DEST);
  if (positionals.length === 1) {
    if (values.model || values.url) {
      throw new UserError('--model and --url are for downloading; leave them out when copying from a folder.', 2);
    }
    await copyFromFolder(resolve(/** @type {string} */ (positionals[0])), dest);
  } else {
    await download(values.model ?? DEFAULT_MODEL, values.url, dest, Boolean(values.force));
  }
}

// ───────────────────────────── copy from a local folder ─────────────────────────────

/** @param {string} source @param {string} dest */
async function copyFromFolder(source, dest) {
  const info = await stat(source).catch(() => null);
  if (!info) {
    throw new UserError(
      `Folder not found: ${source}\nPass the folder that holds the model folders, e.g. npm run models -- ../shared/models`,
    );
  }
  if (!info.isDirectory()) {
    throw new UserError(
      `Not a folder: ${source}\nPass the folder that holds the model folders (each with a model.json).`,
    );
  }
  const modelDirs = await findModelDirs(source);
  if (modelDirs.length === 0) {
    throw new UserError(
      `No model.json (or other TF.js model JSON) in ${source} or in any folder directly inside it.\n` +
        `Expected e.g. ${join(source, 'mobilenet_v1_025_224_graph', 'model.json')} next to its weight shards.`,
    );
  }
  const sumsRoot = existsSync(join(source, 'SHA256SUMS')) ? source : null;
  const sums = sumsRoot ? await readSums(join(sumsRoot, 'SHA256SUMS')) : new Map();

  // Check everything before copying anything, so a broken source leaves the destination untouched.
  const plans = [];
  for (const dir of modelDirs) {
    const modelJson = /** @type {string} */ (await modelJsonOf(dir)); // findModelDirs found one
    await checkShards(dir, await readModelJson(modelJson), modelJson);
    const files = await listFiles(dir);
    const hashes = new Map();
    for (const file of files) {
      const hash = await sha256(file);
      hashes.set(file, hash);
      if (sumsRoot) checkSum(sums, sumsRoot, file, hash);
    }
    if (sumsRoot) checkListedFilesExist(sums, sumsRoot, dir);
    plans.push({ dir, name: basename(dir), files, hashes });
  }

  let totalCopied = 0;
  let totalBytes = 0;
  let totalFiles = 0;
  let verified = 0;
  for (const { dir, name, files, hashes } of plans) {
    let copied = 0;
    let bytes = 0;
    for (const file of files) {
      const target = join(dest, name, relative(dir, file));
      const size = (await stat(file)).size;
      bytes += size;
      if (!(await sameContent(target, size, hashes.get(file)))) {
        await mkdir(dirname(target), { recursive: true });
        const partial = `${target}.partial-${process.pid}`;
        await copyFile(file, partial);
        await rename(partial, target);
        copied++;
      }
      const written = await sha256(target);
      if (written !== hashes.get(file)) {
        throw new UserError(
          `Copy of ${file} to ${target} differs from its source (disk full?). Run the command again.`,
        );
      }
      if (sumsRoot && sums.has(sumsKey(sumsRoot, file))) verified++;
    }
    console.log(
      `${name}: ${files.length} files, ${formatBytes(bytes)} → ${join(dest, name)}` +
        ` (${copied} copied, ${files.length - copied} already identical)`,
    );
    totalCopied += copied;
    totalBytes += bytes;
    totalFiles += files.length;
  }
  console.log(
    `Done: ${plans.length} model folder${plans.length === 1 ? '' : 's'}, ${totalFiles} files, ${formatBytes(totalBytes)}` +
      ` (${totalCopied} copied).` +
      (sumsRoot
        ? ` ${verified} files match ${join(sumsRoot, 'SHA256SUMS')}.`
        : ' No SHA256SUMS found; checked shards only.'),
  );
}

/**
 * @param {string} dir
 * @returns {Promise<string | null>}
 * The TF.js model JSON of a folder: its model.json, or else its one `*.json` that has a weightsManifest
 * (MoveNet ships as movenet-lightning.json); null when it has neither.
 */
async function modelJsonOf(dir) {
  if (existsSync(join(dir, 'model.json'))) return join(dir, 'model.json');
  const names = (await readdir(dir).catch(() => [])).filter((n) => n.endsWith('.json'));
  const manifests = [];
  for (const name of names) {
    const json = await readFile(join(dir, name), 'utf8').then(JSON.parse, () => null);
    if (Array.isArray(json?.weightsManifest)) manifests.push(join(dir, name));
  }
  return manifests.length === 1 ? (manifests[0] ?? null) : null;
}

/**
 * The folder itself if it holds a model JSON, else its direct subfolders that do.
 * @param {string} source
 */
async function findModelDirs(source) {
  if (await modelJsonOf(source)) return [source];
  const entries = await readdir(source, { withFileTypes: true });
  const dirs = [];
  for (const e of entries)
    if (e.isDirectory() && (await modelJsonOf(join(source, e.name)))) dirs.push(join(source, e.name));
  return dirs.sort();
}

/**
 * Every regular file under `dir` (hidden ones and our own leftovers excluded), sorted.
 * @param {string} dir
 */
async function listFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.') && !/\.partial-\d+$/.test(e.name))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

/** @param {string} file */
async function readModelJson(file) {
  let json;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file} is not valid JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  return validateModelJson(json, file);
}

/**
 * @param {any} json
 * @param {string} where
 * @returns {ModelJson}
 */
function validateModelJson(json, where) {
  const manifest = json?.weightsManifest;
  if (!Array.isArray(manifest) || manifest.some((g) => !Array.isArray(g?.paths))) {
    throw new UserError(
      `${where} has no valid weightsManifest (an array of {paths, weights}); is it a TF.js model.json?`,
    );
  }
  return json;
}

/**
 * Every shard listed in the manifest exists, and each group's files add up to its weights' size.
 * @param {string} dir @param {ModelJson} modelJson @param {string} [jsonPath]
 */
async function checkShards(dir, modelJson, jsonPath = join(dir, 'model.json')) {
  const missing = [];
  for (const group of modelJson.weightsManifest) {
    let actual = 0;
    let complete = true;
    for (const path of group.paths) {
      const info = await stat(join(dir, path)).catch(() => null);
      if (!info?.isFile()) {
        missing.push(path);
        complete = false;
      } else {
        actual += info.size;
      }
    }
    const expected = groupBytes(group);
    if (complete && expected !== null && expected !== actual) {
      throw new UserError(
        `${jsonPath}: shards ${group.paths.join(', ')} hold ${actual} bytes but their weights need ${expected}. ` +
          'A shard is truncated or from another model; copy the model again from its source.',
      );
    }
  }
  if (missing.length > 0) {
    throw new UserError(
      `${jsonPath} lists weight shard${missing.length === 1 ? '' : 's'} that ${missing.length === 1 ? 'is' : 'are'} missing: ` +
        `${missing.map((p) => join(dir, p)).join(', ')}\nPut every shard named in its weightsManifest next to model.json, or leave the folder out.`,
    );
  }
}

/** @type {Record<string, number>} */
const DTYPE_BYTES = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/**
 * Bytes a weights group takes on disk, or null where it cannot be known (strings, unknown dtypes).
 * @param {WeightsGroup} group
 */
function groupBytes(group) {
  let total = 0;
  for (const w of group.weights ?? []) {
    const dtype = w.quantization?.dtype ?? w.dtype;
    const per = dtype === undefined ? undefined : DTYPE_BYTES[dtype];
    if (per === undefined || !Array.isArray(w.shape)) return null;
    total += w.shape.reduce((/** @type {number} */ a, /** @type {number} */ b) => a * b, 1) * per;
  }
  return total;
}

// ───────────────────────────── SHA256SUMS ─────────────────────────────

/**
 * @param {string} file
 * @returns {Promise<Map<string, string>>} relative path (no leading ./) → sha256
 */
async function readSums(file) {
  const sums = new Map();
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!match?.[1] || !match[2]) throw new UserError(`${file}:${i + 1}: expected "<sha256>  <path>", got: ${line}`);
    sums.set(match[2].replace(/^\.\//, ''), match[1].toLowerCase());
  });
  return sums;
}

/** @param {string} root @param {string} file */
function sumsKey(root, file) {
  return relative(root, file).split(sep).join('/');
}

/** @param {Map<string, string>} sums @param {string} root @param {string} file @param {string} hash */
function checkSum(sums, root, file, hash) {
  const expected = sums.get(sumsKey(root, file));
  if (expected !== undefined && expected !== hash) {
    throw new UserError(
      `${file} does not match ${join(root, 'SHA256SUMS')}: expected sha256 ${expected}, got ${hash}. ` +
        'The file is damaged or was replaced; fetch it again from its source.',
    );
  }
}

/** @param {Map<string, string>} sums @param {string} root @param {string} dir */
function checkListedFilesExist(sums, root, dir) {
  const prefix = `${sumsKey(root, dir)}/`;
  for (const path of sums.keys()) {
    if (path.startsWith(prefix) && !existsSync(join(root, path))) {
      throw new UserError(`${join(root, 'SHA256SUMS')} lists ${path}, but ${join(root, path)} does not exist.`);
    }
  }
}

/** @param {string} file */
async function sha256(file) {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/** @param {string} file @param {number} size @param {string | undefined} hash */
async function sameContent(file, size, hash) {
  const info = await stat(file).catch(() => null);
  return info?.isFile() === true && info.size === size && (await sha256(file)) === hash;
}

// ───────────────────────────── download from TF Hub ─────────────────────────────

/**
 * "v1-0.25" → {version: '1.00', alpha: '0.25'}, as the package keys its table (`toFixed(2)`).
 * @param {string} choice
 * @returns {{ version: string, alpha: string, url: string }}
 */
function parseModelChoice(choice) {
  const match = /^v(\d+(?:\.\d+)?)-(\d*\.?\d+)$/.exec(choice);
  const version = match ? Number(match[1]).toFixed(2) : '';
  const alpha = match ? Number(match[2]).toFixed(2) : '';
  const url = /** @type {Record<string, Record<string, string>>} */ (MODEL_URLS)[version]?.[alpha];
  if (!url) {
    throw new UserError(`Unknown model "${choice}". Valid models are: ${MODEL_CHOICES.join(', ')}.`, 2);
  }
  return { version, alpha, url };
}

/** mobilenet_v<version>_<alpha×100, 3 digits>_224_graph, e.g. mobilenet_v1_025_224_graph. */
/** @param {string} version @param {string} alpha */
function folderName(version, alpha) {
  return `mobilenet_v${Number(version)}_${String(Math.round(Number(alpha) * 100)).padStart(3, '0')}_224_graph`;
}

/** @param {string} choice @param {string | undefined} urlOverride @param {string} dest @param {boolean} force */
async function download(choice, urlOverride, dest, force) {
  const { version, alpha, url } = parseModelChoice(choice);
  const name = folderName(version, alpha);
  const target = join(dest, name);
  if (!force && (await isComplete(target))) {
    console.log(`${name} is already in ${target} (model.json and every shard). Use --force to download it again.`);
    return;
  }
  // Same URLs as tfjs-converter's loadGraphModel(url, {fromTFHub: true}): <base>/model.json?tfjs-format=file,
  // then each shard path relative to model.json with the same query string.
  const base = (urlOverride ?? url).replace(/\/?$/, '/');
  const query = '?tfjs-format=file';
  const modelUrl = `${base}model.json${query}`;

  console.log(`Downloading ${name} from ${modelUrl}`);
  const modelBytes = await fetchBytes(modelUrl);
  let modelJson;
  try {
    modelJson = JSON.parse(modelBytes.toString('utf8'));
  } catch (err) {
    throw new UserError(
      `${modelUrl} did not return JSON (${err instanceof Error ? err.message : String(err)}); the URL may have moved.`,
    );
  }
  validateModelJson(modelJson, modelUrl);

  const staging = join(dest, `.${name}.partial-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await writeFile(join(staging, 'model.json'), modelBytes);
    let bytes = modelBytes.length;
    let files = 1;
    for (const group of modelJson.weightsManifest) {
      for (const path of group.paths) {
        const shard = await fetchBytes(`${base}${path}${query}`);
        await mkdir(dirname(join(staging, path)), { recursive: true });
        await writeFile(join(staging, path), shard);
        bytes += shard.length;
        files++;
        console.log(`  ${path}: ${formatBytes(shard.length)}`);
      }
    }
    await checkShards(staging, modelJson);
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
    console.log(`Done: ${name}, ${files} files, ${formatBytes(bytes)} → ${target}`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** @param {string} dir */
async function isComplete(dir) {
  if (!existsSync(join(dir, 'model.json'))) return false;
  try {
    await checkShards(dir, await readModelJson(join(dir, 'model.json')));
    return true;
  } catch {
    return false;
  }
}

/** @param {string} url */
async function fetchBytes(url) {
  let response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (err) {
    const e = /** @type {{ cause?: { code?: string, message?: string }, name?: string }} */ (err);
    const why = e?.cause?.code ?? e?.cause?.message ?? e?.name ?? String(err);
    throw new UserError(
      `Cannot reach ${new URL(url).host} (${why}): the network is unreachable from here.\n` +
        'Copy the weights from a local folder instead, e.g.:\n' +
        '  npm run models -- ../shared/models\n' +
        '(any folder whose subfolders hold model.json and its weight shards).',
    );
  }
  if (!response.ok) {
    throw new UserError(
      `GET ${url} answered ${response.status} ${response.statusText}. The model may have moved; ` +
        'copy the weights from a local folder instead: npm run models -- <folder with the weights>',
    );
  }
  return Buffer.from(await response.arrayBuffer());
}

/** @param {number} n */
function formatBytes(n) {
  return `${n.toLocaleString('en-US')} bytes`;
}

// Run only when executed, so tests may import MODEL_URLS.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    if (err instanceof UserError) {
      console.error(`models: ${err.message}`);
      process.exit(err.exitCode);
    }
    console.error(err);
    process.exit(1);
  });
}
