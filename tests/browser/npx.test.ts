/**
 * `npx trainwhistle` where there is no clone (issue 17): the packed package installed into an empty folder, offline
 * (tests/support/packed.ts), and run there with npx. With `--project show.trainwhistle --run` it prints a URL; a
 * browser on a fresh profile opens it, and with no click the project opens, the camera starts and its labels reach
 * oscdump through the bridge the command started. The weights come from `--models`, as on a machine with no
 * internet.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CLIP_LABELS } from '../support/clip';
import { startOscdump, type Oscdump } from '../support/oscdump';
import { installOffline, pack } from '../support/packed';
import { SHARED } from '../support/paths';
import { labelChanges, launchProfile, screenshot, studioReady } from './studio-page';
import { teachProject } from './taught-project';

const scratch = mkdtempSync(join(tmpdir(), 'tw-npx-'));
const folder = join(scratch, 'show');
let dump: Oscdump;
let trainwhistle: ChildProcess | undefined;
const contexts: BrowserContext[] = [];

/** A TCP port free now, for the bridge's WebSocket: the project file must name it before the bridge starts. */
async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  mkdirSync(folder);
  await installOffline(await pack(scratch), folder);
  dump = await startOscdump();
}, 420_000);

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  if (trainwhistle?.pid) process.kill(-trainwhistle.pid, 'SIGTERM');
  dump?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Starts `npx trainwhistle <args>` in the installed folder; resolves with what it printed once the bridge is up. */
function npxTrainwhistle(args: string[]): Promise<string> {
  const child = spawn('npx', ['--offline', 'trainwhistle', ...args], { cwd: folder, detached: true });
  trainwhistle = child;
  let out = '';
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      if (/\[bridge\] trainwhistle bridge: ws:/.test(out)) resolve(out);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`npx trainwhistle exited (${code}):\n${out}`)));
  });
}

test('npx trainwhistle --project show.trainwhistle --run: a fresh browser opening the URL it prints predicts with no click, and OSC reaches oscdump', async () => {
  const wsPort = await freeTcpPort();
  // The show: taught in another browser, saved to a file, and kept stopped, so that only --run starts it.
  const teacher = await launchProfile(mkdtempSync(join(scratch, 'teacher-')));
  contexts.push(teacher);
  const taught = await teachProject(teacher, {
    appSettings: { outputs: { bridgeUrl: `ws://127.0.0.1:${wsPort}` } },
    running: false,
  });
  await teacher.close();
  const show = join(scratch, 'show.trainwhistle');
  writeFileSync(show, taught.file);

  const printed = await npxTrainwhistle([
    '--project',
    show,
    '--run',
    '--models',
    join(SHARED, 'models'),
    '--no-open',
    '--port',
    '0',
    '--ws-port',
    String(wsPort),
    '--listen-port',
    '0',
    '--send',
    `127.0.0.1:${dump.port}`,
  ]);
  const url = /trainwhistle studio: (\S+)/.exec(printed)?.[1];
  expect(url, printed).toMatch(/\?project=show&projectFile=show%2Fshow.trainwhistle&v=[\d-]+&run=1$/);
  expect(printed).toContain(`weights          served from ${join(SHARED, 'models')}`);

  // A browser that has never seen the studio: only the URL, no click.
  const context = await launchProfile(mkdtempSync(join(scratch, 'kiosk-')));
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(url!);
  await studioReady(page);
  expect(await page.locator('#project-name').textContent()).toBe('show');
  expect(await page.getByTestId('status').textContent()).toContain('weights: served with the studio');
  await expect.poll(() => page.getAttribute('[data-testid="run"]', 'data-running'), { timeout: 30_000 }).toBe('true');
  // The clip's photos in turn: at least two of its labels, and nothing else.
  await expect.poll(() => new Set(labelChanges(dump.all)).size, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  for (const label of labelChanges(dump.all)) expect(CLIP_LABELS).toContain(label);
  await screenshot(page, 'npx-show');
});
