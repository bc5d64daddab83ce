// @ts-check
/**
 * The bridge as a child process (`node bridge/cli.mjs …`) on free ports, as a user runs it: for
 * `npm run bench`, the soak run and the tests. Reads the ports from the CLI's first line and the final
 * counts from the line it prints when it stops, so those two lines are the CLI's contract.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('./cli.mjs', import.meta.url));
const WAIT_MS = 10_000;
/**
 * The most of the CLI's output kept: all of it up to 1 MB (any test's), then its beginning and its end, so
 * that an hour of a soak's bridge does not grow the runner (the first and last lines are the contract).
 */
const KEEP_HEAD = 64 * 1024;
const KEEP_TAIL = 960 * 1024;

/** @param {string} text @param {string} more */
const append = (text, more) => {
  const all = text + more;
  return all.length <= KEEP_HEAD + KEEP_TAIL ? all : `${all.slice(0, KEEP_HEAD)}\n…\n${all.slice(-KEEP_TAIL)}`;
};
const FIRST_LINE = /^trainwhistle bridge: ws:\/\/127\.0\.0\.1:(\d+)\s+udp-in 127\.0\.0\.1:(\d+)\s+→\s+(.+)$/m;

/**
 * The counters of the CLI's summary line.
 * @typedef {object} Counts
 * @property {number} clients
 * @property {number} osc
 * @property {number} json
 * @property {number} toUdp
 * @property {number} udpErrors
 * @property {number} control
 * @property {number} unknown
 * @property {{ ws: number, udp: number, json: number }} malformed
 * @property {number} oversized
 * @property {number} refused
 * @property {number} dropped
 */

/**
 * Reads the CLI's summary line; a field that is missing reads as NaN, failing any comparison.
 * @param {string} line
 * @returns {Counts}
 */
export function parseCounts(line) {
  const n = (/** @type {RegExp} */ re) => Number(re.exec(line)?.[1] ?? NaN);
  return {
    clients: n(/pages (\d+)/),
    osc: n(/from pages: osc (\d+)/),
    json: n(/from pages: osc \d+ json (\d+)/),
    toUdp: n(/to udp (\d+)/),
    udpErrors: n(/to udp \d+ \(errors (\d+)\)/),
    control: n(/control (\d+)/),
    unknown: n(/unknown (\d+)/),
    malformed: {
      ws: n(/malformed: ws (\d+)/),
      udp: n(/malformed: ws \d+ udp (\d+)/),
      json: n(/malformed: ws \d+ udp \d+ json (\d+)/),
    },
    oversized: n(/oversized (\d+)/),
    refused: n(/refused (\d+)/),
    dropped: n(/dropped (\d+)/),
  };
}

/**
 * @typedef {object} Stopped
 * @property {number | null} code
 * @property {string} stdout
 * @property {string} stderr
 * @property {Counts} counts From the line the CLI prints when it stops.
 */

/**
 * @typedef {object} BridgeProcess
 * @property {import('node:child_process').ChildProcess} proc
 * @property {number} wsPort
 * @property {number} listenPort
 * @property {() => string} stdout
 * @property {() => boolean} alive
 * @property {() => number} rssBytes Resident memory now, from /proc.
 * @property {() => Promise<Stopped>} stop SIGTERM, then the exit code, the output and the final counts.
 */

/**
 * Spawns `node bridge/cli.mjs --ws-port 0 --listen-port 0 …args` and waits for its first line.
 * If it exits instead, resolves with its exit (no ports).
 * @param {string[]} args
 * @param {{ ports?: boolean, onSpawn?: (proc: import('node:child_process').ChildProcess) => void }} [options]
 *   `ports: false` leaves out the free-port flags; `onSpawn` gets the process at once (to kill it in a clean-up).
 * @returns {Promise<BridgeProcess | Stopped>}
 */
export function spawnBridge(args, { ports = true, onSpawn } = {}) {
  const argv = ports ? ['--ws-port', '0', '--listen-port', '0', ...args] : args;
  const proc = spawn(process.execPath, [CLI, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  onSpawn?.(proc);
  let stdout = '';
  let stderr = '';
  const out = /** @type {import('node:stream').Readable} */ (proc.stdout);
  out.setEncoding('utf8').on('data', (/** @type {string} */ d) => (stdout = append(stdout, d)));
  /** @type {import('node:stream').Readable} */ (proc.stderr)
    .setEncoding('utf8')
    .on('data', (/** @type {string} */ d) => (stderr = append(stderr, d)));
  /** @type {Promise<number | null>} */
  const exited = new Promise((resolve) => proc.on('close', (code) => resolve(code)));
  /** @returns {Promise<Stopped>} */
  const stopped = async () => {
    const code = await exited;
    const last = /^trainwhistle bridge stopped: (.*)$/m.exec(stdout)?.[1] ?? '';
    return { code, stdout, stderr, counts: parseCounts(last) };
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the bridge did not start within ${WAIT_MS} ms: ${stderr}`)),
      WAIT_MS,
    );
    const onData = () => {
      const m = FIRST_LINE.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      out.off('data', onData);
      resolve({
        proc,
        wsPort: Number(m[1]),
        listenPort: Number(m[2]),
        stdout: () => stdout,
        alive: () => proc.exitCode === null && proc.signalCode === null,
        rssBytes: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1]) * 1024,
        stop: () => {
          proc.kill('SIGTERM');
          return stopped();
        },
      });
    };
    out.on('data', onData);
    void exited.then(async () => {
      clearTimeout(timer);
      if (!FIRST_LINE.test(stdout)) resolve(await stopped());
    });
  });
}

/**
 * spawnBridge for a bridge that must start; rejects with its output if it exits instead.
 * @param {string[]} args
 * @param {Parameters<typeof spawnBridge>[1]} [options]
 * @returns {Promise<BridgeProcess>}
 */
export async function startBridge(args, options) {
  const bridge = await spawnBridge(args, options);
  if (!('wsPort' in bridge)) throw new Error(`the bridge exited with ${bridge.code}: ${bridge.stderr}`);
  return bridge;
}
