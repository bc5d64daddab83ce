/**
 * A static server on a port of its own: another origin than the app's, as a CDN or a sketch's own site is,
 * with CORS open. Serves exactly the files it is given.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Served = Record<string, { body: Uint8Array | string; type: string }>;

/**
 * Serves `files` (by path, e.g. `/model.json`, looked up at each request), with `headers` added to each answer;
 * resolves with its base URL and a way to stop it.
 */
export async function serveOtherOrigin(
  files: Served,
  headers: Record<string, string> = {},
): Promise<{ base: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    const file = files[new URL(request.url ?? '/', 'http://x').pathname];
    response.writeHead(file ? 200 : 404, {
      'content-type': file?.type ?? 'text/plain',
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
      ...headers,
    });
    response.end(file?.body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
