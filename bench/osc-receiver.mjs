// @ts-check
/**
 * The UDP receiver at the end of the path, standing in for Max, Pure Data or TouchDesigner. Every
 * packet is an OSC bundle (oscOutput with `bundle: true`) timetagged with its frame's capture time;
 * its latency is the arrival time minus that timetag, both wall-clock on this machine.
 */
import dgram from 'node:dgram';

const NTP_TO_UNIX_S = 2208988800;

/**
 * Reads a bundle's timetag (ms since 1970) and its first message's address; null if it is not a bundle.
 * @param {Buffer} packet
 * @returns {{ timetagMs: number, address: string } | null}
 */
export function readBundle(packet) {
  if (packet.length < 24 || packet.toString('latin1', 0, 8) !== '#bundle\0') return null;
  const seconds = packet.readUInt32BE(8);
  const fraction = packet.readUInt32BE(12);
  const timetagMs = (seconds - NTP_TO_UNIX_S) * 1000 + (fraction / 2 ** 32) * 1000;
  // First element: int32 size, then the message, whose address is a 0-terminated string.
  const start = 20;
  const end = packet.indexOf(0, start);
  return { timetagMs, address: packet.toString('latin1', start, end < 0 ? packet.length : end) };
}

/**
 * The phase a bundle belongs to, from its address prefix `/bench/<backend>/<phase>/…`.
 * @param {string} address
 */
export function phaseOf(address) {
  const m = /^\/bench\/([^/]+)\/([^/]+)\//.exec(address);
  return m ? `${m[1]}/${m[2]}` : null;
}

/**
 * Binds a UDP socket on 127.0.0.1 (a free port) and files each bundle's latency under its phase.
 * `arrivals(phase, count, timeoutMs)` resolves with the phase's latencies once `count` bundles have come, or
 * with those that came when `timeoutMs` is up (UDP may lose some).
 * @returns {Promise<{ port: number, latencies: Map<string, number[]>, arrivals: (phase: string, count: number, timeoutMs: number) => Promise<number[]>, foreign: () => number, close: () => Promise<void> }>}
 */
export async function startOscReceiver() {
  const socket = dgram.createSocket('udp4');
  /** @type {Map<string, number[]>} */
  const latencies = new Map();
  /** @type {Set<() => void>} */
  const waiting = new Set();
  let foreign = 0;
  socket.on('message', (packet) => {
    const arrival = performance.timeOrigin + performance.now();
    const bundle = readBundle(packet);
    const phase = bundle && phaseOf(bundle.address);
    if (!bundle || !phase) return void (foreign += 1);
    let list = latencies.get(phase);
    if (!list) latencies.set(phase, (list = []));
    list.push(arrival - bundle.timetagMs);
    for (const check of waiting) check();
  });
  /** @type {(phase: string, count: number, timeoutMs: number) => Promise<number[]>} */
  const arrivals = (phase, count, timeoutMs) =>
    new Promise((resolve) => {
      const got = () => latencies.get(phase) ?? [];
      const done = () => {
        clearTimeout(timer);
        waiting.delete(check);
        resolve(got());
      };
      const check = () => void (got().length >= count && done());
      const timer = setTimeout(done, timeoutMs);
      waiting.add(check);
      check();
    });
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve(undefined)));
  return {
    port: socket.address().port,
    latencies,
    arrivals,
    foreign: () => foreign,
    close: () => new Promise((resolve) => socket.close(() => resolve(undefined))),
  };
}
