// @ts-check
/**
 * What the bridge has seen: a counter for every outcome of every frame and datagram, per-key counts for
 * refused origins and unknown addresses (capped, so a flood cannot grow them), and one-time notices for
 * the operator.
 */

/** Distinct addresses and origins remembered for the notices and the per-key counts. */
export const MAX_KEYS = 100;
/** Long keys are cut so that the remembered ones stay small. */
const MAX_KEY_CHARS = 120;

/** @param {string} text */
export const shorten = (text) => (text.length > MAX_KEY_CHARS ? `${text.slice(0, MAX_KEY_CHARS)}…` : text);

/** @param {unknown} err */
export const reason = (err) =>
  err instanceof Error ? (/** @type {NodeJS.ErrnoException} */ (err).code ?? err.message) : String(err);

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

/**
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
 * @property {number} refusedOrigins WebSocket connections refused for their Origin (closed with 4003).
 * @property {Record<string, number>} refusedByOrigin Those per origin, capped like `unknownByAddress`.
 *
 * @typedef {{ kind: string, message: string }} Notice A one-time note for the operator (first refused origin, first unknown address, …).
 */

/**
 * @param {(notice: Notice) => void} emit where notices go
 * @example const ledger = createLedger((n) => events.emit('notice', n)); ledger.count.toUdp += 1;
 */
export function createLedger(emit) {
  const count = {
    fromOsc: 0,
    fromJson: 0,
    toUdp: 0,
    udpErrors: 0,
    control: 0,
    dropped: 0,
    malformedWs: 0,
    malformedUdp: 0,
    malformedJson: 0,
    unknown: 0,
    oversized: 0,
    refused: 0,
  };
  const unknownByAddress = cappedCounts();
  const refusedByOrigin = cappedCounts();
  /** Keys of the notices given; a fixed few, plus one per target and error code. */
  const noticed = new Set();
  /** @param {string} kind @param {string} message */
  const notice = (kind, message) => emit({ kind, message });
  return {
    count,
    notice,
    /** A notice the first time `key` comes up; later ones are only counted. @param {string} key @param {string} kind @param {string} message */
    noticeOnce(key, kind, message) {
      if (noticed.has(key)) return;
      noticed.add(key);
      notice(kind, message);
    },
    /** Counts a refused origin; true when it deserves a notice. @param {string} origin */
    refusedOrigin(origin) {
      count.refused += 1;
      const seen = refusedByOrigin.add(origin);
      if (seen === 'new')
        notice(
          'refused-origin',
          `the bridge refused this page's origin (${shorten(origin)}): start it with --allow-origin ${shorten(origin)}`,
        );
      if (seen === 'first-other')
        notice('refused-origin', `Refused pages from more than ${MAX_KEYS} origins; the rest are counted as (other).`);
    },
    /** Counts a control packet with addresses that are not control addresses. @param {string[]} addresses @param {string} prefix */
    unknownAddresses(addresses, prefix) {
      count.unknown += 1;
      for (const a of addresses) {
        const seen = unknownByAddress.add(a);
        if (seen === 'new')
          notice(
            'unknown-address',
            `Ignored control messages to ${shorten(a)}: not a control address (${prefix}/record, /train, /run, /clear or /wekinator/control/…).`,
          );
        if (seen === 'first-other')
          notice(
            'unknown-address',
            `Ignored control messages to more than ${MAX_KEYS} addresses; the rest are counted as (other).`,
          );
      }
    },
    /** @param {number} clients @returns {BridgeStats} */
    stats: (clients) => ({
      clients,
      fromPage: { osc: count.fromOsc, json: count.fromJson },
      toUdp: count.toUdp,
      udpErrors: count.udpErrors,
      control: count.control,
      dropped: count.dropped,
      malformed: { ws: count.malformedWs, udp: count.malformedUdp, json: count.malformedJson },
      unknownAddresses: count.unknown,
      unknownByAddress: unknownByAddress.toJSON(),
      oversized: count.oversized,
      refusedOrigins: count.refused,
      refusedByOrigin: refusedByOrigin.toJSON(),
    }),
  };
}

/** @typedef {ReturnType<typeof createLedger>} Ledger */
