// @ts-check
/**
 * Checks that bytes are one whole OSC packet and lists its messages' addresses. osc-js decodes each
 * message; this file adds what osc-js 2.4.1 lets through, so that a truncated packet is never
 * forwarded as if it were whole:
 * - osc-js reads an unterminated string at the end of the data as complete, and an argument missing
 *   at the very end as an empty string. Each message is therefore decoded with 4 zero bytes of slack
 *   after it: a whole message never reads into them.
 * - osc-js does not compare what it read with the data's length, nor a bundle element's size with
 *   the element: both are checked here.
 * - osc-js accepts a type tag string without its leading comma.
 * - osc-js reads blobs from the start of the DataView's buffer, not the view: each message is copied
 *   into a buffer of its own.
 */
import OSC from 'osc-js';

const BUNDLE_HEAD = Buffer.from('#bundle\0');
/** Bundles nest at most this deep, far beyond real use; it bounds the recursion. */
const MAX_BUNDLE_DEPTH = 8;

/**
 * The addresses of every message in an OSC packet (a message, or a bundle in any nesting), in order.
 * @param {Uint8Array} bytes The packet.
 * @returns {string[]}
 * @throws {Error} Saying what is wrong, when the bytes are not one whole OSC packet.
 */
export function oscAddresses(bytes) {
  /** @type {string[]} */
  const addresses = [];
  collect(bytes, 0, addresses);
  return addresses;
}

/** @param {Uint8Array} bytes @param {number} depth @param {string[]} addresses */
function collect(bytes, depth, addresses) {
  const n = bytes.byteLength;
  if (n === 0 || n % 4 !== 0) throw new Error(`an OSC packet's length is a non-zero multiple of 4, not ${n}`);
  if (!isBundle(bytes)) {
    addresses.push(messageAddress(bytes));
    return;
  }
  if (depth >= MAX_BUNDLE_DEPTH) throw new Error(`bundles nested more than ${MAX_BUNDLE_DEPTH} deep`);
  if (n < 16) throw new Error('bundle without its time tag');
  const view = new DataView(bytes.buffer, bytes.byteOffset, n);
  let offset = 16; // "#bundle\0", then the 8-byte time tag
  while (offset < n) {
    const size = offset + 4 <= n ? view.getInt32(offset) : -1;
    const end = offset + 4 + size;
    if (size <= 0 || end > n) throw new Error(`bundle element at byte ${offset} does not fit in the bundle`);
    collect(bytes.subarray(offset + 4, end), depth + 1, addresses);
    offset = end;
  }
}

/** @param {Uint8Array} bytes */
const isBundle = (bytes) => bytes.byteLength >= 8 && Buffer.compare(bytes.subarray(0, 8), BUNDLE_HEAD) === 0;

/** @param {Uint8Array} bytes One message, nothing else. @returns {string} */
function messageAddress(bytes) {
  const copy = new Uint8Array(bytes.byteLength + 4);
  copy.set(bytes);
  const message = new OSC.TypedMessage('/', []); // unpack() replaces address, types and arguments
  const end = message.unpack(new DataView(copy.buffer));
  if (end !== bytes.byteLength) throw new Error('message ends early or has bytes left over');
  if (message.types[0] !== ',') throw new Error('type tag string without its leading comma');
  return message.address;
}
