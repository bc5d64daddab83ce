#!/usr/bin/env node
// @ts-check
/**
 * `npm run serve -- <folder> [--port 8000] [--host 127.0.0.1]`: serves a folder as static files, for pages
 * that need no build step, such as examples/p5 with dist/standalone. Plain Node (>= 20), no dependencies.
 *
 * - Only files under the folder: a path that leaves it (`..`, `%2e%2e`, a symlink pointing out) is refused.
 * - A folder's `index.html` answers for it; `/examples/p5` redirects to `/examples/p5/`, so the page's
 *   relative URLs resolve as they would on any static host. No directory listings.
 * - `.js` and `.mjs` as `text/javascript` (module scripts need a JavaScript type), `.wasm` as
 *   `application/wasm` (what `WebAssembly.instantiateStreaming` requires).
 * - `Cache-Control: no-cache`, so a rebuilt file is picked up on reload.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ISOLATION_HEADERS } from './isolation.mjs';

export const DEFAULT_PORT = 8000;

/** Content types by file extension; anything else (weight shards have none) is `application/octet-stream`. */
export const MIME_TYPES = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
});

/** @param {string} file */
export function mimeType(file) {
  return /** @type {Record<string, string>} */ (MIME_TYPES)[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file a request path names under `root` (a real path), or null if it would leave `root`.
 * @param {string} root
 * @param {string} pathname the URL's path, still percent-encoded
 */
export function fileFor(root, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = resolve(join(root, decoded));
  return file === root || file.startsWith(root + sep) ? file : null;
}

/**
 * A URL path served from somewhere else than the folder: `at` ending in `/` maps that path's subtree to the
 * folder `path` (`/models/` → a weights folder); any other `at` is exactly one file (`/show/x.trainwhistle`),
 * so serving it exposes nothing beside it.
 * @typedef {{ at: string, path: string }} Mount
 */

/**
 * A static file server for `folder` (not yet listening), with `mounts` over it.
 * @param {string} folder
 * @param {Mount[]} [mounts]
 */
export async function createStaticServer(folder, mounts = []) {
  const root = await realpath(resolve(folder));
  const mounted = await Promise.all(mounts.map(async (m) => ({ at: m.at, real: await realpath(resolve(m.path)) })));
  /**
   * The served root and the file a request path names in it, or null if the path would leave that root.
   * @param {string} pathname
   * @returns {{ base: string, file: string } | null}
   */
  const locate = (pathname) => {
    for (const { at, real } of mounted) {
      if (!at.endsWith('/') && pathname === at) return { base: real, file: real };
      if (at.endsWith('/') && pathname.startsWith(at)) {
        const file = fileFor(real, pathname.slice(at.length - 1));
        return file ? { base: real, file } : null;
      }
    }
    const file = fileFor(root, pathname);
    return file ? { base: root, file } : null;
  };
  const inside = (/** @type {string} */ base, /** @type {string} */ p) => p === base || p.startsWith(base + sep);

  return createServer((req, res) => {
    /** @param {number} status @param {string} text */
    const fail = (status, text) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${text}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return fail(405, 'Only GET and HEAD.');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const located = locate(url.pathname);
    if (!located) return fail(403, 'Outside the served folder.');
    const { base, file: requested } = located;

    void (async () => {
      let file = requested;
      let info = await stat(file).catch(() => null);
      if (info?.isDirectory()) {
        if (!url.pathname.endsWith('/')) {
          res.writeHead(301, { Location: `${url.pathname}/${url.search}` });
          return res.end();
        }
        file = join(file, 'index.html');
        info = await stat(file).catch(() => null);
      }
      // A symlink may point anywhere: what counts is where the file really is.
      const real = info?.isFile() ? await realpath(file).catch(() => null) : null;
      if (!real || !info) return fail(404, `Not found: ${url.pathname}`);
      if (!inside(base, real)) return fail(403, 'Outside the served folder.');

      res.writeHead(200, {
        'Content-Type': mimeType(real),
        'Content-Length': info.size,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        ...ISOLATION_HEADERS,
      });
      if (req.method === 'HEAD') return res.end();
      createReadStream(real)
        .on('error', () => res.destroy())
        .pipe(res);
    })().catch(() => {
      if (!res.headersSent) fail(500, 'Could not read the file.');
      else res.destroy();
    });
  });
}

/**
 * Serves `folder` on `host:port` (port 0: a free one).
 * @param {string} folder
 * @param {{ port?: number, host?: string, mounts?: Mount[] }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function serve(folder, { port = DEFAULT_PORT, host = '127.0.0.1', mounts = [] } = {}) {
  const server = await createStaticServer(folder, mounts);
  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen(undefined));
  });
  const address = server.address();
  const actualPort = address && typeof address === 'object' ? address.port : port;
  return {
    url: `http://${host}:${actualPort}/`,
    close: () =>
      new Promise((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

/** @param {string[]} argv */
async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: String(DEFAULT_PORT) },
      host: { type: 'string', default: '127.0.0.1' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length > 1) {
    console.log('Usage: npm run serve -- [folder=.] [--port 8000] [--host 127.0.0.1]');
    return;
  }
  const folder = positionals[0] ?? '.';
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port} is not a port.`);
  try {
    const { url } = await serve(folder, { port, host: values.host });
    console.log(`Serving ${resolve(folder)} at ${url} (Ctrl-C stops).`);
  } catch (err) {
    const code = /** @type {{ code?: string }} */ (err).code;
    if (code === 'EADDRINUSE')
      throw new Error(`Port ${port} is in use: choose another with --port ${port + 1}.`, { cause: err });
    if (code === 'ENOENT') throw new Error(`No folder ${resolve(folder)}.`, { cause: err });
    throw err;
  }
}

// Run only when executed, so tests may import serve().
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((/** @type {Error} */ err) => {
    console.error(`serve: ${err.message}`);
    process.exit(1);
  });
}
