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
import { resolveOptions } from './options.mjs';
import { oscAddresses } from './osc-check.mjs';

export { DEFAULT_ORIGINS, parseTarget, WEKINATOR_CONTROL, WEKINATOR_TARGET } from './options.mjs';

/**
 * @typedef {import('./options.mjs').BridgeOptions} BridgeOptions
 * @typedef {import('./options.mjs').Target} Target
 * @typedef {import('./options.mjs').ResolvedTarget} ResolvedTarget
 *
 * @typedef {object} BridgeStats Counters since start. Every WebSocket frame and datagram received lands in exactly one.
 * @property {number} clients WebSocket clients connected now.
 * @property {{ osc: number, json: number }} fromPage Accepted page frames: OSC packets (binary) and JSON objects (text).
 * @property {number} toUdp Datagrams sent (one per packet per target).
 * @property {number} udpErrors Datagrams the OS refused to send (unreachable, too large, …).
 * @property {number} control Control packets from UDP forwarded to the pages.
 * @property {number} dropped Frames or datagrams not sent because a page connection or the UDP socket was backed up.
 * @property {{ ws: number, udp: number, json: number }} malformed Binary frames and datagrams that are not OSC; text frames that are not a JSON object.
 * @property {number} unknownAddresses Control packets ignored for an address that is not a control address.
 * @property {Record<string, number>} unknownByAddress Those per address: at most 100 addresses, the rest under `(other)`.
 * @property {number} oversized WebSocket messages over `maxPayload` (each closed its connection).
 * @property {number} refusedOrigins WebSocket connections refused for their Origin (HTTP 403).
 * @property {Record<string, number>} refusedByOrigin Those per origin, capped like `unknownByAddress`.
 *
 * @typedef {{ kind: string, message: string }} Notice A one-time note for the operator (first refused origin, first unknown address, …).
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

/** Distinct addresses and origins remembered for the notices and the per-key counts. */
const MAX_KEYS = 100;
/** Long keys are cut so that the remembered ones stay small. */
const MAX_KEY_CHARS = 120;
/** A page that has this much unsent is skipped rather than queued to. */
const MAX_BUFFERED_BYTES = 1 << 20;
/** Datagrams libuv may hold when the kernel's send buffer is full. */
const MAX_UDP_QUEUE = 256;

/**
 * Starts the bridge: a WebSocket server for pages and a UDP socket for control messages.
 * Rejects with a message naming the flag to change when a port is taken.
 * @param {BridgeOptions} [options]
 * @returns {Promise<Bridge>}
 */
export async function createBridge(options = {}) {
  const o = await resolveOptions(options);
  const { targets, allowedOrigins, controlAddresses } = o;
  const events = new EventEmitter();
  const control = new Set(controlAddresses);
  const origins = new Set(allowedOrigins);
  const c = {
    fromOsc: 0,
    fromJson: 0,
    toUdp: 0,
    udpErrors: 0,
    control: 0,
    dropped: 0,
    mWs: 0,
    mUdp: 0,
    mJson: 0,
    unknown: 0,
    oversized: 0,
    refused: 0,
  };
  const unknownByAddress = cappedCounts();
  const refusedByOrigin = cappedCounts();
  /** @param {string} kind @param {string} message */
  const notice = (kind, message) => events.emit('notice', { kind, message });
  /** Keys of the notices given; a fixed few, plus one per target and error code. */
  const noticed = new Set();
  /** @param {string} key @param {string} kind @param {string} message */
  const noticeOnce = (key, kind, message) => {
    if (noticed.has(key)) return;
    noticed.add(key);
    notice(kind, message);
  };

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
  /** @type {Record<4 | 6, dgram.Socket | undefined>} */
  const udpOut = { 4: undefined, 6: undefined };
  /** @param {4 | 6} family */
  const outSocket = (family) =>
    (udpOut[family] ??= dgram.createSocket(family === 6 ? 'udp6' : 'udp4').on('error', () => {}));

  const wss = new WebSocketServer({
    server: http,
    maxPayload: o.maxPayload,
    verifyClient: ({ origin }, accept) => {
      if (!origin || origins.has(origin)) return accept(true);
      c.refused += 1;
      const seen = refusedByOrigin.add(origin);
      if (seen === 'new')
        notice(
          'refused-origin',
          `Refused a page from ${shorten(origin)}: not an allowed origin. Allow it with --allow-origin ${shorten(origin)}`,
        );
      if (seen === 'first-other')
        notice('refused-origin', `Refused pages from more than ${MAX_KEYS} origins; the rest are counted as (other).`);
      accept(false, 403, 'Origin not allowed; start the bridge with --allow-origin <origin>');
    },
  });
  wss.on('error', () => {}); // http's own errors, already handled by listen()

  /** @param {WebSocket} ws @param {Buffer} data @param {boolean} binary */
  const toPage = (ws, data, binary) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) c.dropped += 1;
    else ws.send(data, { binary });
  };

  /** @param {Buffer} data */
  const fromPageOsc = (data) => {
    try {
      oscAddresses(data);
    } catch (err) {
      c.mWs += 1;
      noticeOnce(
        'malformed-ws',
        'malformed',
        `Dropped a binary WebSocket frame that is not an OSC packet (${reason(err)}); further ones are only counted.`,
      );
      return;
    }
    c.fromOsc += 1;
    for (const t of targets) {
      const socket = outSocket(t.family);
      if (socket.getSendQueueCount() > MAX_UDP_QUEUE) {
        c.dropped += 1;
        continue;
      }
      socket.send(data, t.port, t.address, (err) => {
        if (!err) return void (c.toUdp += 1);
        c.udpErrors += 1;
        const code = /** @type {NodeJS.ErrnoException} */ (err).code ?? err.message;
        noticeOnce(
          `udp ${t.label} ${code}`,
          'udp-error',
          `Could not send to ${t.label}: ${code}${code === 'EMSGSIZE' ? ' (packet larger than a UDP datagram can carry)' : ''}; further errors are only counted.`,
        );
      });
    }
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
      c.mJson += 1;
      noticeOnce(
        'malformed-json',
        'malformed',
        'Dropped a text WebSocket frame that is not a JSON object; further ones are only counted.',
      );
      return;
    }
    c.fromJson += 1;
    for (const ws of wss.clients) if (ws !== sender) toPage(ws, data, false);
  };

  wss.on('connection', (ws, req) => {
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
        c.oversized += 1;
        noticeOnce(
          'oversized',
          'oversized',
          `Closed a connection that sent a message over ${o.maxPayload} bytes (raise --max-payload if that is expected).`,
        );
      } else if (code === 'WS_ERR_INVALID_UTF8') c.mJson += 1;
      else c.mWs += 1;
    });
    ws.on('close', () => events.emit('disconnect', { origin, clients: wss.clients.size }));
    events.emit('connection', { origin, clients: wss.clients.size });
  });

  udpIn.on('message', (msg, rinfo) => {
    let addresses;
    try {
      addresses = oscAddresses(msg);
    } catch (err) {
      c.mUdp += 1;
      noticeOnce(
        'malformed-udp',
        'malformed',
        `Ignored a datagram from ${rinfo.address}:${rinfo.port} that is not an OSC packet (${reason(err)}); further ones are only counted.`,
      );
      return;
    }
    const unknown = addresses.filter((a) => !control.has(a));
    if (unknown.length > 0) {
      c.unknown += 1;
      for (const a of unknown) {
        const seen = unknownByAddress.add(a);
        if (seen === 'new')
          notice(
            'unknown-address',
            `Ignored control messages to ${shorten(a)}: not a control address (${o.prefix}/record, /train, /run, /clear or /wekinator/control/…).`,
          );
        if (seen === 'first-other')
          notice(
            'unknown-address',
            `Ignored control messages to more than ${MAX_KEYS} addresses; the rest are counted as (other).`,
          );
      }
      return;
    }
    c.control += 1;
    for (const ws of wss.clients) toPage(ws, msg, true);
  });
  udpIn.on('error', (err) => noticeOnce(`udp-in ${reason(err)}`, 'udp-error', `UDP control socket: ${reason(err)}`));

  /** @type {Promise<void> | undefined} */
  let closing;
  /** @type {Bridge} */
  const bridge = {
    wsPort: /** @type {import('node:net').AddressInfo} */ (http.address()).port,
    listenPort: udpIn.address().port,
    host: o.host,
    prefix: o.prefix,
    targets,
    allowedOrigins,
    controlAddresses,
    events,
    on: (event, listener) => {
      events.on(event, listener);
      return bridge;
    },
    stats: () => ({
      clients: wss.clients.size,
      fromPage: { osc: c.fromOsc, json: c.fromJson },
      toUdp: c.toUdp,
      udpErrors: c.udpErrors,
      control: c.control,
      dropped: c.dropped,
      malformed: { ws: c.mWs, udp: c.mUdp, json: c.mJson },
      unknownAddresses: c.unknown,
      unknownByAddress: unknownByAddress.toJSON(),
      oversized: c.oversized,
      refusedOrigins: c.refused,
      refusedByOrigin: refusedByOrigin.toJSON(),
    }),
    close: () =>
      (closing ??= (async () => {
        for (const ws of wss.clients) ws.terminate();
        await new Promise((done) => wss.close(() => done(undefined)));
        http.closeAllConnections();
        await new Promise((done) => http.close(() => done(undefined)));
        for (const socket of [udpIn, udpOut[4], udpOut[6]]) socket?.close();
      })()),
  };
  return bridge;
}

/** @param {import('node:http').Server} server @param {number} port @param {string} host */
function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(portError(err, port, host, '--ws-port')));
    server.listen(port, host, () => resolve(undefined));
  });
}

/** @param {dgram.Socket} socket @param {number} port @param {string} host */
function bind(socket, port, host) {
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close();
      reject(portError(err, port, host, '--listen-port'));
    });
    socket.bind(port, host, () => resolve(undefined));
  });
}

/** @param {Error} err @param {number} port @param {string} host @param {string} flag */
function portError(err, port, host, flag) {
  const code = /** @type {NodeJS.ErrnoException} */ (err).code;
  const message =
    code === 'EADDRINUSE'
      ? `Port ${port} is already in use (is another bridge running?). Choose another with ${flag} <port>.`
      : code === 'EACCES'
        ? `Not allowed to use port ${port} (ports below 1024 need privileges). Choose another with ${flag} <port>.`
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
          ? `Cannot listen on ${host}: not an address of this machine. Choose another with --host <address>.`
          : `Cannot listen on ${host}:${port} (${reason(err)}). Choose another with ${flag} <port> or --host <address>.`;
  return Object.assign(new Error(message, { cause: err }), { code, flag });
}

/** Counts per key for at most MAX_KEYS keys; `add` says whether the key is new (time for a notice). */
function cappedCounts() {
  /** @type {Map<string, number>} */
  const counts = new Map();
  let other = 0;
  return {
    /**
     * @param {string} key
     * @returns {'new' | 'seen' | 'first-other' | 'other'} `new` and `first-other` call for a notice.
     */
    add(key) {
      const k = shorten(key);
      const n = counts.get(k);
      if (n !== undefined) return (void counts.set(k, n + 1), 'seen');
      if (counts.size < MAX_KEYS) return (void counts.set(k, 1), 'new');
      other += 1;
      return other === 1 ? 'first-other' : 'other';
    },
    toJSON: () => Object.fromEntries(other > 0 ? [...counts, ['(other)', other]] : counts),
  };
}

/** @param {string} text */
const shorten = (text) => (text.length > MAX_KEY_CHARS ? `${text.slice(0, MAX_KEY_CHARS)}…` : text);
/** @param {unknown} err */
const reason = (err) =>
  err instanceof Error ? (/** @type {NodeJS.ErrnoException} */ (err).code ?? err.message) : String(err);
