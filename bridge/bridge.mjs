// @ts-check
/**
 * The OSC bridge. Browsers cannot send UDP, so this relays OSC packets from pages (WebSocket binary
 * frames) to UDP targets such as Max, Pure Data and TouchDesigner, JSON text frames from one page to
 * every other WebSocket client, and control messages from UDP back to the pages.
 *
 * Packets are forwarded byte for byte; osc-js only decodes them to check them (see `oscAddresses`).
 * Nothing is queued: a backed-up page connection or UDP socket drops what it cannot take, and counts it.
 *
 * @example
 * const bridge = await createBridge({ wsPort: 0, targets: [{ host: '127.0.0.1', port: 9000 }] });
 * console.log(bridge.wsPort, bridge.stats());
 * await bridge.close();
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import { isIPv6 } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { createLedger, reason } from './ledger.mjs';
import { resolveOptions } from './options.mjs';
import { oscAddresses } from './osc-check.mjs';
import { bind, listen } from './ports.mjs';
import { udpSender } from './udp-out.mjs';

export { DEFAULT_ORIGINS, parseTarget, WEKINATOR_CONTROL, WEKINATOR_TARGET } from './options.mjs';

/**
 * The close code a page from an origin not allowed gets, with the reason "origin not allowed": the page then says
 * which flag lets it in (`--allow-origin`). In WebSocket's range for applications (4000–4999).
 */
export const ORIGIN_REFUSED = 4003;
/**
 * @typedef {import('./options.mjs').BridgeOptions} BridgeOptions
 * @typedef {import('./options.mjs').Target} Target
 * @typedef {import('./options.mjs').ResolvedTarget} ResolvedTarget
 *
 * @typedef {import('./ledger.mjs').BridgeStats} BridgeStats
 * @typedef {import('./ledger.mjs').Notice} Notice
 *
 * @typedef {object} Bridge
 * @property {number} wsPort The WebSocket port actually bound.
 * @property {number} listenPort The UDP control port actually bound.
 * @property {string} host
 * @property {string} prefix
 * @property {ResolvedTarget[]} targets
 * @property {string[]} allowedOrigins
 * @property {string[]} controlAddresses
 * @property {() => BridgeStats} stats A snapshot of the counters.
 * @property {() => Promise<void>} close Disconnects every client and frees both ports.
 * @property {EventEmitter} events Emits `notice` (Notice), `connection` and `disconnect` ({ origin, clients }).
 * @property {(event: 'notice' | 'connection' | 'disconnect', listener: (payload: any) => void) => Bridge} on
 */

/** A page that has this much unsent is skipped rather than queued to. */
const MAX_BUFFERED_BYTES = 1 << 20;

/**
 * Starts the bridge: a WebSocket server for pages and a UDP socket for control messages.
 * Rejects with a message naming the flag to change when a port is taken.
 * @param {BridgeOptions} [options]
 * @returns {Promise<Bridge>}
 */
export async function createBridge(options = {}) {
  const o = await resolveOptions(options);
  const events = new EventEmitter();
  const ledger = createLedger((n) => events.emit('notice', n));

  const http = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('trainwhistle bridge: connect with a WebSocket.\n');
  });
  await listen(http, o.wsPort, o.host);
  const udpIn = dgram.createSocket(isIPv6(o.host) ? 'udp6' : 'udp4');
  try {
    await bind(udpIn, o.listenPort, o.host);
  } catch (err) {
    http.close();
    throw err;
  }
  const udpOut = udpSender(o.targets, ledger);
  const pages = pageServer(http, o, ledger, events, (data) => udpOut.send(data));
  controlIn(udpIn, o, ledger, (msg) => pages.broadcast(msg, true));

  /** @type {Promise<void> | undefined} */
  let closing;
  /** @type {Bridge} */
  const bridge = {
    wsPort: /** @type {import('node:net').AddressInfo} */ (http.address()).port,
    listenPort: udpIn.address().port,
    host: o.host,
    prefix: o.prefix,
    targets: o.targets,
    allowedOrigins: o.allowedOrigins,
    controlAddresses: o.controlAddresses,
    events,
    on: (event, listener) => {
      events.on(event, listener);
      return bridge;
    },
    stats: () => ledger.stats(pages.clients()),
    close: () =>
      (closing ??= (async () => {
        await pages.close();
        http.closeAllConnections();
        await new Promise((done) => http.close(() => done(undefined)));
        udpIn.close();
        udpOut.close();
      })()),
  };
  return bridge;
}

/**
 * The WebSocket side: pages from allowed origins (and clients that send none) connect; their binary
 * frames are OSC for UDP, their text frames JSON for every other client.
 * @param {import('node:http').Server} http
 * @param {import('./options.mjs').ResolvedOptions} o
 * @param {import('./ledger.mjs').Ledger} ledger
 * @param {EventEmitter} events
 * @param {(data: Buffer) => void} toUdp
 */
function pageServer(http, o, ledger, events, toUdp) {
  const origins = new Set(o.allowedOrigins);
  /** The upgrade requests of pages from origins not allowed: closed as soon as they connect. */
  const refused = new WeakSet();
  /** @type {Set<WebSocket>} The pages let in: every client but a refused one still closing. */
  const pages = new Set();
  const { count } = ledger;
  const wss = new WebSocketServer({
    server: http,
    maxPayload: o.maxPayload,
    // One message per page per turn of the event loop, as browsers deliver them. With ws's default (every
    // message already read, in one go), a page sending faster than the bridge forwards is read in bulk when
    // the bridge gets the CPU back (libuv reads up to 32 × 64 KB from a socket per turn), and control
    // datagrams from the patch wait behind tens of thousands of messages: p99 0.4–1 s under a 10,000/s flood
    // on a busy 2-core machine, against 10–40 ms this way, for about the same throughput (~30,000/s here).
    allowSynchronousEvents: false,
    // A page from another origin is let in only to be told why it is refused (ORIGIN_REFUSED), which it can read,
    // where a refused handshake (HTTP 403) reaches the page as a bare failure. Nothing it sends is read.
    verifyClient: ({ origin, req }, accept) => {
      if (origin && !origins.has(origin)) {
        ledger.refusedOrigin(origin);
        refused.add(req);
      }
      accept(true);
    },
  });
  wss.on('error', () => {}); // http's own errors, already handled by listen()

  /** @param {WebSocket} ws @param {Buffer} data @param {boolean} binary */
  const toPage = (ws, data, binary) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) count.dropped += 1;
    else ws.send(data, { binary });
  };

  /** @param {Buffer} data */
  const fromPageOsc = (data) => {
    try {
      oscAddresses(data);
    } catch (err) {
      count.malformedWs += 1;
      ledger.noticeOnce(
        'malformed-ws',
        'malformed',
        `Dropped a binary WebSocket frame that is not an OSC packet (${reason(err)}); further ones are only counted.`,
      );
      return;
    }
    count.fromOsc += 1;
    toUdp(data);
  };

  /** @param {Buffer} data @param {WebSocket} sender */
  const fromPageJson = (data, sender) => {
    let value;
    try {
      value = JSON.parse(data.toString('utf8'));
    } catch {
      // not JSON: counted as malformed just below
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      count.malformedJson += 1;
      ledger.noticeOnce(
        'malformed-json',
        'malformed',
        'Dropped a text WebSocket frame that is not a JSON object; further ones are only counted.',
      );
      return;
    }
    count.fromJson += 1;
    for (const ws of pages) if (ws !== sender) toPage(ws, data, false);
  };

  wss.on('connection', (ws, req) => {
    if (refused.has(req)) return ws.close(ORIGIN_REFUSED, 'origin not allowed');
    const origin = req.headers.origin ?? '(no origin)';
    ws.on('message', (data, isBinary) => {
      const buf = /** @type {Buffer} */ (data);
      if (isBinary) fromPageOsc(buf);
      else fromPageJson(buf, ws);
    });
    ws.on('error', (err) => {
      // ws closes the connection itself (1009 too big, 1007 bad UTF-8, 1002 protocol error).
      const code = /** @type {NodeJS.ErrnoException} */ (err).code;
      if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        count.oversized += 1;
        ledger.noticeOnce(
          'oversized',
          'oversized',
          `Closed a connection that sent a message over ${o.maxPayload} bytes (raise --max-payload if that is expected).`,
        );
      } else if (code === 'WS_ERR_INVALID_UTF8') count.malformedJson += 1;
      else count.malformedWs += 1;
    });
    pages.add(ws);
    ws.on('close', () => {
      pages.delete(ws);
      events.emit('disconnect', { origin, clients: pages.size });
    });
    events.emit('connection', { origin, clients: pages.size });
  });

  return {
    clients: () => pages.size,
    /** @param {Buffer} data @param {boolean} binary */
    broadcast(data, binary) {
      for (const ws of pages) toPage(ws, data, binary);
    },
    /** @returns {Promise<void>} */
    close() {
      for (const ws of wss.clients) ws.terminate();
      return new Promise((done) => wss.close(() => done()));
    },
  };
}

/**
 * The UDP side: packets whose every address is a control address go to the pages; others are counted.
 * @param {dgram.Socket} udpIn
 * @param {import('./options.mjs').ResolvedOptions} o
 * @param {import('./ledger.mjs').Ledger} ledger
 * @param {(packet: Buffer) => void} toPages
 */
function controlIn(udpIn, o, ledger, toPages) {
  const control = new Set(o.controlAddresses);
  udpIn.on('message', (msg, rinfo) => {
    let addresses;
    try {
      addresses = oscAddresses(msg);
    } catch (err) {
      ledger.count.malformedUdp += 1;
      ledger.noticeOnce(
        'malformed-udp',
        'malformed',
        `Ignored a datagram from ${rinfo.address}:${rinfo.port} that is not an OSC packet (${reason(err)}); further ones are only counted.`,
      );
      return;
    }
    const unknown = addresses.filter((a) => !control.has(a));
    if (unknown.length > 0) return ledger.unknownAddresses(unknown, o.prefix);
    ledger.count.control += 1;
    toPages(msg);
  });
  udpIn.on('error', (err) =>
    ledger.noticeOnce(`udp-in ${reason(err)}`, 'udp-error', `UDP control socket: ${reason(err)}`),
  );
}
