#!/usr/bin/env node
// @ts-check
/**
 * `npm run bridge -- [options]`: runs the OSC bridge until Ctrl-C. The first line says where it
 * listens and sends, in a fixed form that scripts may parse; then one line of counts, refreshed in
 * place on a terminal, or printed at most every 5 s (when something changed) into a pipe or file.
 */
import { parseArgs } from 'node:util';
import { createBridge, DEFAULT_ORIGINS, parseTarget, WEKINATOR_TARGET } from './bridge.mjs';

const HELP = `Usage: npm run bridge -- [options]

Relays OSC from trainwhistle pages (WebSocket) to UDP (Max, Pure Data, TouchDesigner), JSON messages
from a page to every other WebSocket client, and control messages from UDP back to the pages.

Options:
  --ws-port <port>       WebSocket port the page connects to (default 8080; 0 picks a free one)
  --send <host:port>     UDP target for the page's OSC; repeat for several (default 127.0.0.1:9000
                         when neither --send nor --wekinator is given)
  --wekinator            also send to 127.0.0.1:12000, where patches written for Wekinator listen
  --listen-port <port>   UDP port for control messages (default 9001; 0 picks a free one;
                         6448 takes Wekinator's control port)
  --host <address>       address the WebSocket and UDP servers bind to (default 127.0.0.1;
                         0.0.0.0 lets other machines connect)
  --allow-origin <url>   also accept pages from this origin, e.g. http://127.0.0.1:1234, or null
                         for pages opened from files; repeatable. Always accepted:
                         ${DEFAULT_ORIGINS.join(', ')},
                         and clients that send no Origin (Node scripts, TouchDesigner, Max)
  --prefix <address>     the OSC address prefix the page uses (default /tw)
  --max-payload <bytes>  largest WebSocket message (default 65536)
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

/** @param {string | undefined} text @param {string} flag @param {number} fallback */
function integer(text, flag, fallback) {
  if (text === undefined) return fallback;
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

async function main() {
  const parse = () =>
    parseArgs({
      options: {
        'ws-port': { type: 'string' },
        send: { type: 'string', multiple: true },
        wekinator: { type: 'boolean' },
        'listen-port': { type: 'string' },
        host: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        prefix: { type: 'string' },
        'max-payload': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  /** @type {ReturnType<typeof parse>['values']} */
  let values;
  try {
    ({ values } = parse());
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\nRun with --help to see the options.`, 2);
  }
  if (values.help) return void process.stdout.write(HELP);

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
  /** @type {import('./bridge.mjs').Bridge} */
  let bridge;
  try {
    bridge = await createBridge({
      wsPort: integer(values['ws-port'], '--ws-port', 8080),
      listenPort: integer(values['listen-port'], '--listen-port', 9001),
      host: values.host ?? '127.0.0.1',
      ...(targets.length > 0 ? { targets } : {}),
      allowOrigins: values['allow-origin'] ?? [],
      prefix: values.prefix ?? '/tw',
      maxPayload: integer(values['max-payload'], '--max-payload', 65536),
    });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err), err instanceof RangeError ? 2 : 1);
  }

  const out = process.stdout;
  out.on('error', () => {}); // a closed pipe must not stop the bridge
  const tty = out.isTTY === true;
  const sendsTo = bridge.targets.map((t) => t.label).join(', ');
  out.write(
    `trainwhistle bridge: ws://${hostPort(bridge.host, bridge.wsPort)}  udp-in ${hostPort(bridge.host, bridge.listenPort)}  →  ${sendsTo}\n` +
      `  pages' OSC        → udp ${sendsTo}\n` +
      `  control in (udp)  → pages: ${bridge.controlAddresses.slice(0, 4).join(', ')}, /wekinator/control/…\n` +
      `  page origins      ${bridge.allowedOrigins.join(', ')} (more with --allow-origin <url>)\n` +
      `  Ctrl-C stops.\n`,
  );

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
