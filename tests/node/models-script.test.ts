import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SCRIPT = join(REPO, 'scripts', 'models.mjs');
const SHARED_MODELS = resolve(REPO, '..', 'shared', 'models');
const GRAPH = 'mobilenet_v1_025_224_graph';

interface Run {
  /** The exit code; null when the script did not exit by itself (killed, or never started). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the script in a child process; async so an HTTP server in this process can answer it. */
function runScript(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [SCRIPT, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      // A timeout kills it (code null, a signal): that must not read as the exit code 1 some tests expect.
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      done({ code, stdout, stderr });
    });
  });
}

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'models-script-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('scripts/models.mjs', () => {
  it('prints usage for --help', async () => {
    const run = await runScript(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage:');
    expect(run.stdout).toContain('--dest');
  });

  it('fails with an actionable message for a folder that does not exist', async () => {
    const run = await runScript([join(work, 'nope'), '--dest', join(work, 'dest-nope')]);
    expect(run.code).toBeGreaterThan(0); // an exit of its own, not a kill
    expect(run.stderr).toContain('Folder not found');
    expect(run.stderr).toContain('npm run models --');
  });

  it('fails for a folder with no model.json inside', async () => {
    const empty = join(work, 'empty');
    await mkdir(join(empty, 'sub'), { recursive: true });
    await writeFile(join(empty, 'sub', 'readme.txt'), 'nothing here');
    const run = await runScript([empty, '--dest', join(work, 'dest-empty')]);
    expect(run.code).toBeGreaterThan(0); // an exit of its own, not a kill
    expect(run.stderr).toContain('No model.json');
    expect(existsSync(join(work, 'dest-empty'))).toBe(false);
  });

  it('rejects an unknown --model, listing the valid ones', async () => {
    const run = await runScript(['--model', 'v3-0.25', '--dest', join(work, 'dest-bad-model')]);
    expect(run.code).toBeGreaterThan(0); // an exit of its own, not a kill
    expect(run.stderr).toContain('v1-0.25');
    expect(run.stderr).toContain('v2-1.00');
  });

  it('lists the same TF Hub URLs as the installed @tensorflow-models/mobilenet', async () => {
    const urlsIn = (text: string) => new Set(text.match(/https:\/\/tfhub\.dev\/google\/imagenet\/[\w/]+/g));
    const pkg = await readFile(join(REPO, 'node_modules/@tensorflow-models/mobilenet/dist/index.js'), 'utf8');
    const script = await readFile(SCRIPT, 'utf8');
    expect(urlsIn(script)).toEqual(urlsIn(pkg));
    expect(urlsIn(script).size).toBe(7);
  });

  describe('copying from ../shared/models', () => {
    beforeAll(() => {
      if (!existsSync(join(SHARED_MODELS, GRAPH, 'model.json'))) {
        throw new Error(
          `${join(SHARED_MODELS, GRAPH, 'model.json')} is missing: these tests copy the real weights from ` +
            '../shared/models beside the checkout (CI provides that folder; copy it there from a machine that has it).',
        );
      }
    });

    it('copies every model folder, verifies SHA256SUMS, and skips identical files next time', async () => {
      // What ../shared/models holds is its own: the count and the folders are read from its SHA256SUMS.
      const sums = (await readFile(join(SHARED_MODELS, 'SHA256SUMS'), 'utf8')).trim().split('\n');
      const listed = [...new Set(sums.map((line) => line.split(/\s+/)[1]!.replace(/^\.\//, '').split('/')[0]!))].sort();
      expect(listed).toEqual(expect.arrayContaining(['mobilenet_v1_025_224_graph', 'movenet_singlepose_lightning']));
      const dest = join(work, 'dest');
      const first = await runScript([SHARED_MODELS, '--dest', dest]);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(new RegExp(`${sums.length} files match .*SHA256SUMS`));

      expect((await readdir(dest)).sort()).toEqual(listed);
      for (const line of sums) {
        const [hash, path] = line.split(/\s+/);
        expect(await sha256(join(dest, path!)), path).toBe(hash);
      }

      const second = await runScript([SHARED_MODELS, '--dest', dest]);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('(0 copied)');
    });

    it('names the missing shard when a model.json lists one that is absent', async () => {
      const src = join(work, 'no-shard');
      await mkdir(join(src, GRAPH), { recursive: true });
      await copyFile(join(SHARED_MODELS, GRAPH, 'model.json'), join(src, GRAPH, 'model.json'));
      const run = await runScript([src, '--dest', join(work, 'dest-no-shard')]);
      expect(run.code).toBeGreaterThan(0); // an exit of its own, not a kill
      expect(run.stderr).toContain('group1-shard1of1');
      expect(run.stderr).toContain('missing');
      expect(existsSync(join(work, 'dest-no-shard'))).toBe(false);
    });

    it('refuses a file that does not match SHA256SUMS, before copying anything', async () => {
      const src = join(work, 'bad-sum');
      await mkdir(join(src, GRAPH), { recursive: true });
      for (const f of ['model.json', 'group1-shard1of1'])
        await copyFile(join(SHARED_MODELS, GRAPH, f), join(src, GRAPH, f));
      const shardSum = await sha256(join(src, GRAPH, 'group1-shard1of1'));
      await writeFile(
        join(src, 'SHA256SUMS'),
        `${'0'.repeat(64)}  ./${GRAPH}/model.json\n${shardSum}  ./${GRAPH}/group1-shard1of1\n`,
      );
      const run = await runScript([src, '--dest', join(work, 'dest-bad-sum')]);
      expect(run.code).toBeGreaterThan(0); // an exit of its own, not a kill
      expect(run.stderr).toContain('model.json does not match');
      expect(existsSync(join(work, 'dest-bad-sum'))).toBe(false);
    });

    describe('downloading', () => {
      let server: Server;
      let base: string;
      const requested: string[] = [];
      beforeAll(async () => {
        // A TF Hub stand-in: serves the shared graph model at /hub/<file>?tfjs-format=file.
        server = createServer((req, res) => {
          requested.push(req.url ?? '');
          const url = new URL(req.url ?? '/', 'http://localhost');
          const name = url.pathname.replace(/^\/hub\//, '');
          if (url.search !== '?tfjs-format=file' || !/^[\w.-]+$/.test(name)) {
            res.writeHead(404).end();
            return;
          }
          readFile(join(SHARED_MODELS, GRAPH, name)).then(
            (body) => res.writeHead(200).end(body),
            () => res.writeHead(404).end(),
          );
        });
        await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`;
      });
      afterAll(() => new Promise<void>((ok) => server.close(() => ok())));
      // Each test counts its own requests, whatever ran before it.
      beforeEach(() => {
        requested.length = 0;
      });

      it('fetches model.json and each shard the way loadGraphModel({fromTFHub}) does', async () => {
        const dest = join(work, 'dest-download');
        const run = await runScript(['--url', base, '--dest', dest]);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(requested).toEqual(['/hub/model.json?tfjs-format=file', '/hub/group1-shard1of1?tfjs-format=file']);
        for (const f of ['model.json', 'group1-shard1of1']) {
          expect(await sha256(join(dest, GRAPH, f))).toBe(await sha256(join(SHARED_MODELS, GRAPH, f)));
        }
        expect((await readdir(dest)).sort()).toEqual([GRAPH]);

        const again = await runScript(['--url', base, '--dest', dest]);
        expect(again.code).toBe(0);
        expect(again.stdout).toContain('already');
        expect(requested).toHaveLength(2);
      });

      it('reports an HTTP error with the URL', async () => {
        const run = await runScript(['--url', `${base}/gone`, '--dest', join(work, 'dest-404')]);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('404');
      });
    });
  });

  it('says the network is unreachable and points at the local-folder route', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));

    const dest = join(work, 'dest-offline');
    const run = await runScript(['--url', `http://127.0.0.1:${port}/hub`, '--dest', dest]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('network is unreachable');
    expect(run.stderr).toContain('npm run models -- ../shared/models');
    expect(existsSync(join(dest, GRAPH))).toBe(false);
  });
});
