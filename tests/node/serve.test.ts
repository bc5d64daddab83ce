/**
 * scripts/serve.mjs's mounts, as `npx trainwhistle` uses them: the studio's folder, the weights from another
 * folder (`/models/`), and a show's project file alone (`/show/<name>`), nothing beside either reachable.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { serve } from '../../scripts/serve.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'tw-serve-'));
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  for (const dir of ['app', 'weights/mobilenet', 'shows']) mkdirSync(join(scratch, dir), { recursive: true });
  writeFileSync(join(scratch, 'app/index.html'), '<h1>studio</h1>');
  writeFileSync(join(scratch, 'weights/mobilenet/model.json'), '{"weightsManifest":[]}');
  writeFileSync(join(scratch, 'shows/show.trainwhistle'), 'the show');
  writeFileSync(join(scratch, 'shows/private.txt'), 'not served');
  server = await serve(join(scratch, 'app'), {
    port: 0,
    mounts: [
      { at: '/models/', path: join(scratch, 'weights') },
      { at: '/show/show.trainwhistle', path: join(scratch, 'shows/show.trainwhistle') },
    ],
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const get = async (path: string) => {
  const response = await fetch(new URL(path, server.url));
  return { status: response.status, body: await response.text() };
};

test('serves the folder, a mounted folder under its path, and a mounted file alone', async () => {
  expect(await get('/')).toEqual({ status: 200, body: '<h1>studio</h1>' });
  expect(await get('/models/mobilenet/model.json')).toEqual({ status: 200, body: '{"weightsManifest":[]}' });
  expect(await get('/show/show.trainwhistle')).toEqual({ status: 200, body: 'the show' });
});

test("nothing beside a mount: not the file's neighbours, not a path leaving the mounted folder", async () => {
  // `%2e%2e` is `..` to the URL parser, which resolves it before the server sees the path (then 404, from the
  // studio's folder); `..%2f` reaches the server, which refuses it (403).
  for (const path of ['/show/private.txt', '/models/%2e%2e/shows/private.txt', '/models/..%2fshows/private.txt']) {
    const { status, body } = await get(path);
    expect(body, path).not.toBe('not served');
    expect([403, 404], path).toContain(status);
  }
  expect((await get('/models/..%2fshows/private.txt')).status).toBe(403);
});
