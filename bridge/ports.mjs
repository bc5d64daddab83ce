// @ts-check
/** Binding the bridge's ports, with errors that name the flag to change. */
import { reason } from './ledger.mjs';

/** @param {import('node:http').Server} server @param {number} port @param {string} host @returns {Promise<void>} */
export function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(portError(err, port, host, '--ws-port')));
    server.listen(port, host, () => resolve());
  });
}

/** @param {import('node:dgram').Socket} socket @param {number} port @param {string} host @returns {Promise<void>} */
export function bind(socket, port, host) {
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close();
      reject(portError(err, port, host, '--listen-port'));
    });
    socket.bind(port, host, () => resolve());
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
