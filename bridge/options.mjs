// @ts-check
/**
 * The bridge's options: their defaults, their checks, and the addresses they resolve to. Errors are
 * RangeErrors naming both the option and its command-line flag.
 */
import { lookup } from 'node:dns/promises';
import { isIPv6 } from 'node:net';

/** The app's vite dev and preview origins: pages from these may always connect. */
export const DEFAULT_ORIGINS = [
  'http://127.0.0.1:5173',
  'http://localhost:5173',
  'http://127.0.0.1:4173',
  'http://localhost:4173',
];
/**
 * What the bridge uses where an option is not given: `resolveOptions` fills them in, and the CLI's --help
 * quotes them. Patches and the app's outputs are written for these, so they change only with both.
 */
export const DEFAULTS = Object.freeze({
  wsPort: 8080,
  listenPort: 9001,
  host: '127.0.0.1',
  target: Object.freeze({ host: '127.0.0.1', port: 9000 }),
  prefix: '/tw',
  maxPayload: 65536,
});
/** The command line's options (`npm run bridge -- --help` says what each does), for `parseArgs`. */
export const CLI_OPTIONS = /** @type {const} */ ({
  'ws-port': { type: 'string' },
  send: { type: 'string', multiple: true },
  wekinator: { type: 'boolean' },
  'listen-port': { type: 'string' },
  host: { type: 'string' },
  'allow-origin': { type: 'string', multiple: true },
  'save-origins': { type: 'boolean' },
  'origins-file': { type: 'string' },
  prefix: { type: 'string' },
  'max-payload': { type: 'string' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
});
/** Where Wekinator sends `/wek/outputs`, so patches written for Wekinator listen here. */
export const WEKINATOR_TARGET = Object.freeze({ host: '127.0.0.1', port: 12000 });
/** Wekinator's control addresses, accepted from UDP as well as `<prefix>/record|train|run|clear`. */
export const WEKINATOR_CONTROL = [
  'startRecording',
  'stopRecording',
  'train',
  'startRunning',
  'stopRunning',
  'deleteAllExamples',
  'outputs',
].map((a) => `/wekinator/control/${a}`);
const CONTROL_SUFFIXES = ['/record', '/train', '/run', '/clear'];

/**
 * @typedef {object} BridgeOptions
 * @property {number} [wsPort=8080] WebSocket port; 0 picks a free one (read it back from `bridge.wsPort`).
 * @property {number} [listenPort=9001] UDP port for control messages; 0 picks a free one.
 * @property {string} [host='127.0.0.1'] Address both servers bind to. Other machines can reach the bridge only if this is not a loopback address.
 * @property {Target[]} [targets=[{ host: '127.0.0.1', port: 9000 }]] UDP targets for the pages' OSC.
 * @property {string[]} [allowOrigins=[]] Page origins allowed besides `DEFAULT_ORIGINS`, e.g. `http://127.0.0.1:1234` (or `null`, for pages opened from files).
 * @property {string} [prefix='/tw'] The OSC address prefix the page uses; control addresses are `<prefix>/record` etc.
 * @property {number} [maxPayload=65536] Largest WebSocket message in bytes; a larger one closes its connection with 1009.
 *
 * @typedef {{ host: string, port: number }} Target
 * @typedef {Target & { address: string, family: 4 | 6, label: string }} ResolvedTarget
 *
 * @typedef {Required<Omit<BridgeOptions, 'targets' | 'allowOrigins'>> & {
 *   targets: ResolvedTarget[], allowedOrigins: string[], controlAddresses: string[] }} ResolvedOptions
 */

/**
 * Fills in the defaults, checks every option and resolves the targets' host names.
 * @param {BridgeOptions} options
 * @returns {Promise<ResolvedOptions>}
 */
export async function resolveOptions(options) {
  const o = {
    wsPort: options.wsPort ?? DEFAULTS.wsPort,
    listenPort: options.listenPort ?? DEFAULTS.listenPort,
    host: options.host ?? DEFAULTS.host,
    prefix: options.prefix ?? DEFAULTS.prefix,
    maxPayload: options.maxPayload ?? DEFAULTS.maxPayload,
  };
  for (const [key, flag] of /** @type {const} */ ([
    ['wsPort', '--ws-port'],
    ['listenPort', '--listen-port'],
  ])) {
    if (!Number.isInteger(o[key]) || o[key] < 0 || o[key] > 65535)
      throw new RangeError(`${key} (${flag}) must be a port 0–65535 (0 picks a free one); got ${o[key]}.`);
  }
  if (!Number.isInteger(o.maxPayload) || o.maxPayload < 16)
    throw new RangeError(
      `maxPayload (--max-payload) must be a whole number of bytes, at least 16; got ${o.maxPayload}.`,
    );
  if (!/^(\/[^/\s#*?,[\]{}]+)+$/.test(o.prefix))
    throw new RangeError(
      `prefix (--prefix) must be an OSC address such as /tw (a leading /, no trailing /); got "${o.prefix}".`,
    );
  const targets = options.targets ?? [DEFAULTS.target];
  if (targets.length === 0)
    throw new RangeError('targets (--send) is empty: give at least one UDP target, e.g. 127.0.0.1:9000.');
  return {
    ...o,
    targets: await Promise.all(targets.map(resolveTarget)),
    allowedOrigins: [...new Set([...DEFAULT_ORIGINS, ...(options.allowOrigins ?? [])].map(normalizeOrigin))],
    controlAddresses: [...CONTROL_SUFFIXES.map((s) => o.prefix + s), ...WEKINATOR_CONTROL],
  };
}

/**
 * Parses `host:port` or `[ipv6]:port`, as `--send` takes it.
 * @param {string} text
 * @returns {Target}
 */
export function parseTarget(text) {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535)
    throw new RangeError(`"${text}" is not host:port (for example 127.0.0.1:9000, port 1–65535).`);
  return { host: /** @type {string} */ (m[1]), port };
}

/** @param {string} origin */
export function normalizeOrigin(origin) {
  if (origin === 'null') return origin; // what file:// pages and sandboxed frames send
  try {
    return new URL(origin).origin;
  } catch {
    throw new RangeError(
      `allowOrigins (--allow-origin): "${origin}" is not an origin such as http://127.0.0.1:1234 (or null, for pages opened from files).`,
    );
  }
}

/**
 * Looks the host up once, here, rather than for every packet.
 * @param {Target} target
 * @returns {Promise<ResolvedTarget>}
 */
async function resolveTarget({ host, port }) {
  const label = `${isIPv6(host) ? `[${host}]` : host}:${port}`;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new RangeError(`targets (--send): ${label} has no valid port (1–65535).`);
  try {
    const { address, family } = await lookup(host);
    return { host, port, address, family: family === 6 ? 6 : 4, label };
  } catch (err) {
    const code = /** @type {NodeJS.ErrnoException} */ (err).code;
    throw new Error(`Cannot find the UDP target ${label} (${code}). Check its host name in --send.`, { cause: err });
  }
}
