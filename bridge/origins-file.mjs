// @ts-check
/**
 * The bridge's allow-list file: the page origins it lets in on every start, besides `--allow-origin`, so that
 * letting a sketch's site in (the p5.js web editor's https://preview.p5js.org, say) is a one-time step:
 * `npx trainwhistle bridge --allow-origin https://preview.p5js.org --save-origins`.
 *
 * One origin a line; `#` starts a comment. It lives in the user's config folder (`configFolder()`), so every
 * bridge started by this user reads it, from a clone or from npx.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { normalizeOrigin } from './options.mjs';

const HEADER = `# Page origins the trainwhistle bridge lets in on every start, one a line (--save-origins adds to it).\n`;

/**
 * Where the user's settings live: $TRAINWHISTLE_CONFIG_DIR if set, else %APPDATA%\trainwhistle (Windows),
 * ~/Library/Application Support/trainwhistle (macOS), $XDG_CONFIG_HOME/trainwhistle or ~/.config/trainwhistle.
 * @param {NodeJS.ProcessEnv} [env]
 * @param {NodeJS.Platform} [platform]
 */
export function configFolder(env = process.env, platform = process.platform) {
  if (env.TRAINWHISTLE_CONFIG_DIR) return env.TRAINWHISTLE_CONFIG_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'trainwhistle');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'trainwhistle');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'trainwhistle');
}

/** The allow-list file's default path. */
export const originsFile = () => join(configFolder(), 'allowed-origins');

/**
 * The origins the file lists ([] when there is no file).
 * @param {string} file
 * @returns {Promise<string[]>}
 * @throws {RangeError} naming the file and line of anything that is not an origin
 */
export async function readOrigins(file) {
  const text = await readFile(file, 'utf8').catch((/** @type {NodeJS.ErrnoException} */ err) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  return text.split(/\r?\n/).flatMap((line, i) => {
    const origin = line.replace(/#.*/, '').trim();
    if (!origin) return [];
    try {
      return [normalizeOrigin(origin)];
    } catch {
      throw new RangeError(
        `${file}, line ${i + 1}: "${origin}" is not an origin such as https://preview.p5js.org; fix or delete that line.`,
      );
    }
  });
}

/**
 * Adds `origins` to the file (made if need be), keeping what it holds; resolves with those that were new.
 * @param {string} file
 * @param {string[]} origins
 */
export async function saveOrigins(file, origins) {
  const kept = await readOrigins(file);
  const added = [...new Set(origins.map(normalizeOrigin))].filter((o) => !kept.includes(o));
  if (added.length === 0) return added;
  const before = await readFile(file, 'utf8').catch(() => HEADER);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${before}${before.endsWith('\n') || before === '' ? '' : '\n'}${added.join('\n')}\n`);
  return added;
}
