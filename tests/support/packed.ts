/**
 * The package as someone with no clone gets it: `npm pack` (its prepack builds the studio and the package), then
 * the tarball installed into an empty folder by `npm ci --offline`, from npm's cache alone.
 *
 * npm resolves a tarball's dependencies from the registry's package documents, which `npm ci` of this repository
 * never fetched: its lock already names each package's version and integrity. So the folder gets a lock of its
 * own, made from this repository's: its packages less the dev ones, each with its registry URL, and the tarball at
 * the top. npm then takes every package from its cache, where `npm ci` of this repository left it: nothing
 * downloads.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './paths';

const run = promisify(execFile);
const REGISTRY = 'https://registry.npmjs.org';

interface LockEntry {
  version?: string;
  resolved?: string;
  dev?: boolean;
  link?: boolean;
  [key: string]: unknown;
}
interface Lock {
  packages: Record<string, LockEntry>;
}

/** `npm pack` of this repository into `folder`; resolves with the tarball's path. */
export async function pack(folder: string): Promise<string> {
  await run('npm', ['pack', '--pack-destination', folder], { cwd: REPO, maxBuffer: 16 << 20 });
  const tarball = (await readdir(folder)).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${folder}`);
  return join(folder, tarball);
}

/** The registry's URL of the package a lock entry at `path` (`node_modules/@scope/name`) holds. */
function registryUrl(path: string, version: string): string {
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return `${REGISTRY}/${name}/-/${name.split('/').pop()!}-${version}.tgz`;
}

/**
 * Installs `tarball` into the empty folder `folder` (as a dependency of a package.json written there) with
 * `npm ci --offline`.
 */
export async function installOffline(tarball: string, folder: string): Promise<void> {
  const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
  const ours = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as Lock;
  const bytes = await readFile(tarball);
  const name = tarball.split('/').pop()!;
  await writeFile(join(folder, name), bytes);
  const spec = `file:${name}`;
  const packages: Record<string, LockEntry> = {
    '': { name: 'show', dependencies: { trainwhistle: spec } },
    'node_modules/trainwhistle': {
      version: pkg.version as string,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(ours.packages)) {
    if (path === '' || entry.dev || entry.link) continue;
    packages[path] = { ...entry, resolved: entry.resolved ?? registryUrl(path, entry.version!) };
  }
  await writeFile(
    join(folder, 'package.json'),
    JSON.stringify({ name: 'show', private: true, dependencies: { trainwhistle: spec } }, null, 2),
  );
  await writeFile(
    join(folder, 'package-lock.json'),
    JSON.stringify({ name: 'show', lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: folder, maxBuffer: 16 << 20 });
}
