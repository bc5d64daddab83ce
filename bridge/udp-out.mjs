// @ts-check
/**
 * Sends each OSC packet from a page to every UDP target, byte for byte. Never queues: when libuv already
 * holds MAX_UDP_QUEUE datagrams (the kernel's buffer is full), the packet is dropped and counted.
 */
import dgram from 'node:dgram';

/** Datagrams libuv may hold when the kernel's send buffer is full. */
const MAX_UDP_QUEUE = 256;

/**
 * @param {import('./options.mjs').ResolvedTarget[]} targets
 * @param {import('./ledger.mjs').Ledger} ledger
 */
export function udpSender(targets, ledger) {
  /** @type {Record<4 | 6, dgram.Socket | undefined>} */
  const sockets = { 4: undefined, 6: undefined };
  /** @param {4 | 6} family */
  const socketFor = (family) =>
    (sockets[family] ??= dgram.createSocket(family === 6 ? 'udp6' : 'udp4').on('error', () => {}));
  return {
    /** @param {Buffer} data */
    send(data) {
      for (const t of targets) {
        const socket = socketFor(t.family);
        if (socket.getSendQueueCount() > MAX_UDP_QUEUE) {
          ledger.count.dropped += 1;
          continue;
        }
        socket.send(data, t.port, t.address, (err) => {
          if (!err) return void (ledger.count.toUdp += 1);
          ledger.count.udpErrors += 1;
          const code = /** @type {NodeJS.ErrnoException} */ (err).code ?? err.message;
          ledger.noticeOnce(
            `udp ${t.label} ${code}`,
            'udp-error',
            `Could not send to ${t.label}: ${code}${code === 'EMSGSIZE' ? ' (packet larger than a UDP datagram can carry)' : ''}; further errors are only counted.`,
          );
        });
      }
    },
    close() {
      sockets[4]?.close();
      sockets[6]?.close();
    },
  };
}
