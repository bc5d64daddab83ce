#!/usr/bin/env node
// @ts-check
/**
 * `npx trainwhistle`: the studio (the built app in dist/app) and the OSC bridge, from the installed package,
 * with no clone and no build step. `npx trainwhistle bridge` runs the bridge alone. `--help` says the rest.
 *
 * The studio is served on one fixed port (4173, `npm run preview`'s): the browser keeps projects per address,
 * so a show started again after a power cut finds its project where it left it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLI_OPTIONS } from '../bridge/options.mjs';
import { runPrefixed } from '../scripts/prefixed.mjs';
import { serve } from '../scripts/serve.mjs';

const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const APP = join(PACKAGE, 'dist/app');
const BRIDGE_CLI = join(PACKAGE, 'bridge/cli.mjs');
export const STUDIO_PORT = 4173;
/** Where `npm run models` puts the weights in a clone, then where a clone's `npm run build` copies them. */
const PACKAGE_MODELS = [join(PACKAGE, 'public/models'), join(APP, 'models')];

const HELP = `Usage: npx trainwhistle [options]         the studio and the OSC bridge
       npx trainwhistle bridge [options]  the bridge alone, for a sketch served elsewhere (--help for its options)

Options:
  --port <port>       the studio's port (default ${STUDIO_PORT}). The browser keeps projects per address:
                      keep the same port to find them again
  --models <folder>   serve the model weights from this folder (one holding mobilenet_v1_025_224_graph/
                      and the others, as ../shared/models or a copy of public/models): for a machine with
                      no internet. Without it: the package's own, else the official URLs, else the
                      browser's cache of them
  --project <file>    a project file (.trainwhistle) to open: the URL printed opens it
  --run               with --project: predict as soon as it is open, with no click, the camera tried
                      until one answers (a show that starts itself)
  --browser <command> open the URL with this command, e.g. --browser 'chromium --kiosk' for a show
                      (default: the desktop's browser, where there is a desktop)
  --no-open           print the URL and open no browser
  --no-bridge         the studio alone
  -h, --help          print this help

Every option of the bridge goes to it: --send <host:port>, --ws-port, --listen-port, --host,
--allow-origin, --wekinator, --prefix (npx trainwhistle bridge --help). The studio's own origin is always
let in.
`;

/** @param {string} text @param {number} code @returns {never} */
function fail(text, code) {
  process.stderr.write(`trainwhistle: ${text}\n`);
  process.exit(code);
}

/** The bridge's options as given, back into arguments for its command line. @param {Record<string, unknown>} values */
function bridgeArgs(values) {
  return Object.keys(CLI_OPTIONS).flatMap((name) => {
    const value = values[name];
    if (value === undefined || value === false) return [];
    if (value === true) return [`--${name}`];
    return (Array.isArray(value) ? value : [value]).flatMap((v) => [`--${name}`, String(v)]);
  });
}

/**
 * The folder to serve as `/models/`, and how the page will get its weights, for the first lines.
 * @param {string | undefined} given
 * @returns {Promise<{ folder: string | null, says: string }>}
 */
async function modelsFolder(given) {
  if (given !== undefined) {
    const folder = resolve(given);
    if (!(await stat(folder).catch(() => null))?.isDirectory()) fail(`--models ${given}: no such folder.`, 2);
    if (existsSync(join(folder, 'model.json')))
      fail(
        `--models ${given} is one model; give the folder that holds the model folders (mobilenet_v1_025_224_graph/ and the others).`,
        2,
      );
    const models = await modelsIn(folder);
    if (models.length === 0)
      fail(
        `--models ${given} holds no model folder (a folder with a TF.js model's .json), such as mobilenet_v1_025_224_graph/.`,
        2,
      );
    return { folder, says: `served from ${folder} (${models.join(', ')})` };
  }
  for (const folder of PACKAGE_MODELS) {
    const models = existsSync(folder) ? await modelsIn(folder) : [];
    if (models.length > 0) return { folder, says: `served from the package (${models.join(', ')})` };
  }
  return {
    folder: null,
    says: 'not in the package: the page loads them from the official URLs (internet), or from its cache of an earlier load. For no internet: --models <folder>',
  };
}

/**
 * The model folders in `folder`: those holding a TF.js model's JSON (model.json, movenet-lightning.json, …: a
 * `weightsManifest` in it).
 * @param {string} folder
 */
async function modelsIn(folder) {
  const entries = await readdir(folder, { withFileTypes: true });
  const isModel = async (/** @type {string} */ dir) => {
    const files = await readdir(dir).catch(() => []);
    for (const f of files.filter((f) => f.endsWith('.json')))
      if ((await readFile(join(dir, f), 'utf8').catch(() => '')).includes('"weightsManifest"')) return true;
    return false;
  };
  const models = await Promise.all(
    entries.filter((e) => e.isDirectory()).map(async (e) => ((await isModel(join(folder, e.name))) ? e.name : null)),
  );
  return models.filter((m) => m !== null);
}

/**
 * Opens `url` with `browser` (a command line, e.g. `chromium --kiosk`), else in the desktop's browser where there
 * is one; a machine with none just has the printed URL.
 * @param {string} url
 * @param {string | undefined} browser
 */
function openBrowser(url, browser) {
  const [command, ...args] = browser
    ? [...browser.split(/\s+/).filter(Boolean), url]
    : process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '""', url]
        : ['xdg-open', url];
  if (!browser && process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  const child = spawn(/** @type {string} */ (command), args, { stdio: 'ignore', detached: true });
  child.on('error', (err) => {
    if (browser) process.stderr.write(`trainwhistle: --browser ${browser}: ${err.message}; open ${url} by hand.\n`);
  });
  child.unref();
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === 'bridge') {
    const child = spawn(process.execPath, [BRIDGE_CLI, ...argv.slice(1)], { stdio: 'inherit' });
    for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => child.kill(signal));
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  /** @type {Record<string, unknown>} */
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        ...CLI_OPTIONS,
        port: { type: 'string' },
        models: { type: 'string' },
        project: { type: 'string' },
        run: { type: 'boolean' },
        browser: { type: 'string' },
        'no-open': { type: 'boolean' },
        'no-bridge': { type: 'boolean' },
      },
    }));
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\nRun with --help to see the options.`, 2);
  }
  if (values.help) return void process.stdout.write(HELP);
  if (!existsSync(join(APP, 'index.html')))
    fail(`the studio is not built in this copy (${APP}): in a clone, run \`npm run build\` first.`, 1);
  const portText = /** @type {string | undefined} */ (values.port) ?? String(STUDIO_PORT);
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) fail(`--port takes a port (0–65535); got "${portText}".`, 2);
  if (values.run && !values.project) fail('--run starts a project: give it with --project <file>.', 2);

  const models = await modelsFolder(/** @type {string | undefined} */ (values.models));
  /** @type {import('../scripts/serve.mjs').Mount[]} */
  const mounts = models.folder ? [{ at: '/models/', path: models.folder }] : [];
  const query = new URLSearchParams();
  const projectFile = /** @type {string | undefined} */ (values.project);
  if (projectFile) {
    const file = resolve(projectFile);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) fail(`--project ${projectFile}: no such file.`, 2);
    const at = `/show/${encodeURIComponent(basename(file))}`;
    mounts.push({ at, path: file });
    query.set('project', basename(file, extname(file)));
    query.set('projectFile', at.slice(1));
    // The file's version: the studio opens it again (over the project kept in the browser) only when it changed.
    query.set('v', `${Math.round(info.mtimeMs)}-${info.size}`);
    if (values.run) query.set('run', '1');
  }

  const host = /** @type {string | undefined} */ (values.host) ?? '127.0.0.1';
  const studio = await serve(APP, { port: Number(portText), host, mounts }).catch(
    (/** @type {NodeJS.ErrnoException} */ err) => {
      if (err.code === 'EADDRINUSE')
        fail(`port ${portText} is in use (is trainwhistle already running?): choose another with --port.`, 1);
      throw err;
    },
  );
  // A browser on this machine: an address it can open, whatever the server binds to.
  const local = new URL(studio.url);
  if (local.hostname === '0.0.0.0' || local.hostname === '[::]') local.hostname = '127.0.0.1';
  const url = `${local.origin}/${query.size > 0 ? `?${query}` : ''}`;
  process.stdout.write(`trainwhistle studio: ${url}\n  weights          ${models.says}\n  Ctrl-C stops.\n`);

  /** @type {import('node:child_process').ChildProcess | null} */
  let bridge = null;
  if (!values['no-bridge']) {
    const origins = [local.origin, ...(host === '127.0.0.1' ? [local.origin.replace('127.0.0.1', 'localhost')] : [])];
    bridge = runPrefixed(
      'bridge',
      [BRIDGE_CLI, ...bridgeArgs(values), ...origins.flatMap((o) => ['--allow-origin', o])],
      PACKAGE,
    );
    bridge.on('exit', (code) => {
      if (code)
        process.stderr.write('[bridge] stopped; the studio runs on without OSC. Fix the above and start again.\n');
    });
  }
  if (!values['no-open']) openBrowser(url, /** @type {string | undefined} */ (values.browser));

  const stop = async () => {
    bridge?.kill('SIGTERM');
    await studio.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

await main();
