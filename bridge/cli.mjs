#!/usr/bin/env node
// @ts-check
/**
 * `npm run bridge -- [options]`: runs the OSC bridge until Ctrl-C. The first line says where it
 * listens and sends, in a fixed form that scripts may parse; then one line of counts, refreshed in
 * place on a terminal, or printed at most every 5 s (when something changed) into a pipe or file.
 * With --dry-run it prints where it would listen and send, and exits without binding anything.
 */
import { parseArgs } from 'node:util';
import { createBridge, DEFAULT_ORIGINS, parseTarget, WEKINATOR_TARGET } from './bridge.mjs';
import { CLI_OPTIONS, DEFAULTS, resolveOptions } from './options.mjs';
import { originsFile, readOrigins, saveOrigins } from './origins-file.mjs';

const HELP = `Usage: npm run bridge -- [options]

Relays OSC from trainwhistle pages (WebSocket) to UDP (Max, Pure Data, TouchDesigner), JSON messages
from a page to every other WebSocket client, and control messages from UDP back to the pages.

Options:
  --ws-port <port>       WebSocket port the page connects to (default ${DEFAULTS.wsPort}; 0 picks a free one)
  --send <host:port>     UDP target for the page's OSC; repeat for several (default ${DEFAULTS.target.host}:${DEFAULTS.target.port}
                         when neither --send nor --wekinator is given)
  --wekinator            also send to ${WEKINATOR_TARGET.host}:${WEKINATOR_TARGET.port}, where patches written for Wekinator listen
  --listen-port <port>   UDP port for control messages (default ${DEFAULTS.listenPort}; 0 picks a free one;
                         6448 takes Wekinator's control port)
  --host <address>       address the WebSocket and UDP servers bind to (default ${DEFAULTS.host};
                         0.0.0.0 lets other machines connect)
  --allow-origin <url>   also accept pages from this origin, e.g. http://127.0.0.1:1234, or null
                         for pages opened from files; repeatable. Always accepted:
                         ${DEFAULT_ORIGINS.join(', ')},
                         and clients that send no Origin (Node scripts, TouchDesigner, Max)
  --save-origins         keep the --allow-origin origins in the allow-list file, so that later starts
                         let them in with no flag (a one-time step)
  --origins-file <path>  the allow-list file: origins let in on every start, one a line (default
                         ${originsFile()}; TRAINWHISTLE_CONFIG_DIR moves its folder)
  --prefix <address>     the OSC address prefix the page uses (default ${DEFAULTS.prefix})
  --max-payload <bytes>  largest WebSocket message (default ${DEFAULTS.maxPayload})
  --dry-run              check the options and look up the targets' host names, print where the
                         bridge would listen and send, and exit without binding a port (exit code
                         0, or 1–2 with the error a start would give)
  -h, --help             print this help

Control messages forwarded to the pages (anything else is counted and ignored):
  <prefix>/record <label> <1|0>   <prefix>/train   <prefix>/run <1|0>   <prefix>/clear <label>
  /wekinator/control/startRecording, stopRecording, train, startRunning, stopRunning,
  deleteAllExamples, outputs
A bundle is forwarded whole when every message in it has a control address, and ignored otherwise.
`;

/** @param {string} text @param {number} code @returns {never} */
function fail(text, code) {
  process.stderr.write(`${text}\n`);
  process.exit(code);
}

/** @param {string} text @param {string} flag */
function integer(text, flag) {
  if (!/^\d+$/.test(text)) fail(`${flag} takes a whole number; got "${text}".`, 2);
  return Number(text);
}

/**
 * One line of counts. `brief` (the live line on a terminal) leaves out the fault counters still at 0.
 * @param {import('./bridge.mjs').BridgeStats} s
 */
function summary(s, brief = false) {
  const m = s.malformed;
  /** @type {[number, string][]} */
  const faults = [
    [s.unknownAddresses, `unknown ${s.unknownAddresses}`],
    [m.ws + m.udp + m.json, `malformed: ws ${m.ws} udp ${m.udp} json ${m.json}`],
    [s.oversized, `oversized ${s.oversized}`],
    [s.refusedOrigins, `refused ${s.refusedOrigins}`],
    [s.dropped, `dropped ${s.dropped}`],
  ];
  const errors = brief && s.udpErrors === 0 ? '' : ` (errors ${s.udpErrors})`;
  return [
    `pages ${s.clients}`,
    `from pages: osc ${s.fromPage.osc} json ${s.fromPage.json}`,
    `to udp ${s.toUdp}${errors}`,
    `control ${s.control}`,
    ...faults.filter(([n]) => !brief || n !== 0).map(([, text]) => text),
  ].join(' · ');
}

/** @param {string} host @param {number} port */
const hostPort = (host, port) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/**
 * Where the bridge listens and sends. The first line's form is the CLI's contract (bridge/spawn.mjs reads
 * the ports from it); a dry run's first line starts differently, so that no script takes it for a bridge.
 * @param {Pick<import('./options.mjs').ResolvedOptions,
 *   'host' | 'wsPort' | 'listenPort' | 'targets' | 'controlAddresses' | 'allowedOrigins'>} p
 * @param {boolean} dryRun
 */
function plan(p, dryRun) {
  const sendsTo = p.targets.map((t) => t.label).join(', ');
  return (
    `trainwhistle bridge${dryRun ? ' (dry run, nothing bound)' : ''}: ws://${hostPort(p.host, p.wsPort)}  udp-in ${hostPort(p.host, p.listenPort)}  →  ${sendsTo}\n` +
    `  pages' OSC        → udp ${sendsTo}\n` +
    `  control in (udp)  → pages: ${p.controlAddresses.slice(0, 4).join(', ')}, /wekinator/control/…\n` +
    `  page origins      ${p.allowedOrigins.join(', ')} (more with --allow-origin <url>, kept with --save-origins)\n` +
    (dryRun ? '' : `  Ctrl-C stops.\n`)
  );
}

/** @param {unknown} err @returns {never} */
const failWith = (err) => fail(err instanceof Error ? err.message : String(err), err instanceof RangeError ? 2 : 1);

async function main() {
  const parse = () => parseArgs({ options: CLI_OPTIONS });
  /** @type {ReturnType<typeof parse>['values']} */
  let values;
  try {
    ({ values } = parse());
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\nRun with --help to see the options.`, 2);
  }
  if (values.help) return void process.stdout.write(HELP);
  const out = process.stdout;
  out.on('error', () => {}); // a closed pipe must not stop the bridge

  // Only what is given: createBridge fills in the rest from DEFAULTS.
  const file = values['origins-file'] ?? originsFile();
  const given = values['allow-origin'] ?? [];
  if (values['save-origins']) {
    if (given.length === 0) fail('--save-origins keeps the --allow-origin origins: give at least one.', 2);
    const added = await saveOrigins(file, given).catch(failWith);
    out.write(
      added.length > 0
        ? `saved ${added.join(', ')} to ${file}: the bridge lets ${added.length > 1 ? 'them' : 'it'} in from now on, with no flag\n`
        : `${file} already lets in ${given.join(', ')}\n`,
    );
  }
  /** @type {import('./bridge.mjs').BridgeOptions} */
  const options = { allowOrigins: [...(await readOrigins(file).catch(failWith)), ...given] };
  if (values['ws-port'] !== undefined) options.wsPort = integer(values['ws-port'], '--ws-port');
  if (values['listen-port'] !== undefined) options.listenPort = integer(values['listen-port'], '--listen-port');
  if (values['max-payload'] !== undefined) options.maxPayload = integer(values['max-payload'], '--max-payload');
  if (values.host !== undefined) options.host = values.host;
  if (values.prefix !== undefined) options.prefix = values.prefix;
  /** @type {import('./bridge.mjs').Target[]} */
  const targets = [];
  for (const text of values.send ?? []) {
    try {
      targets.push(parseTarget(text));
    } catch (err) {
      fail(`--send ${err instanceof Error ? err.message : String(err)}`, 2);
    }
  }
  if (values.wekinator) targets.push(WEKINATOR_TARGET);
  if (targets.length > 0) options.targets = targets;

  if (values['dry-run']) {
    const resolved = await resolveOptions(options).catch(failWith);
    return void out.write(plan(resolved, true));
  }
  const bridge = await createBridge(options).catch(failWith);
  const tty = out.isTTY === true;
  out.write(plan(bridge, false));

  let shown = tty ? '' : summary(bridge.stats()); // a pipe gets a line only once something has changed
  const showLive = () => {
    const line = summary(bridge.stats(), tty);
    if (line === shown) return;
    shown = line;
    out.write(tty ? `\r${line.slice(0, Math.max(20, (out.columns || 200) - 1))}\x1b[K` : `${line}\n`);
  };
  /** @param {string} text */
  const say = (text) => {
    if (!tty) return void out.write(`${text}\n`);
    out.write(`\r\x1b[K${text}\n`);
    shown = '';
    showLive();
  };
  bridge.on('notice', (/** @type {import('./bridge.mjs').Notice} */ n) => say(n.message));
  bridge.on('connection', ({ origin, clients }) => say(`client connected (${origin}); ${clients} now`));
  bridge.on('disconnect', ({ origin, clients }) => say(`client left (${origin}); ${clients} now`));
  const timer = setInterval(showLive, tty ? 250 : 5000);
  timer.unref();

  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(130);
    stopping = true;
    clearInterval(timer);
    setTimeout(() => process.exit(1), 2000).unref();
    await bridge.close();
    out.write(`${tty ? '\r\x1b[K' : ''}trainwhistle bridge stopped: ${summary(bridge.stats())}\n`);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

await main();
