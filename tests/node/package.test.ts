/**
 * The package as npm ships it: `npm pack` holds the library build, the standalone build, the built studio with
 * the bin that serves it and the bridge (`npx trainwhistle`), README and LICENSE, and nothing else: no weights; each build finds its worker and wasm files beside itself; index.d.ts is the
 * public API and only it; and a strict TypeScript project (tests/consumer) compiles against the package,
 * imported by its name.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildTarget } from '../../scripts/build.mjs';
import { REPO } from '../support/paths';

const run = promisify(execFile);
const LIB = join(REPO, 'dist/lib');
const STANDALONE = join(REPO, 'dist/standalone');
const WASM = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
/** A message that tfjs-core's engine always carries. */
const TFJS_MARK = 'The highest priority backend';

interface PackageJson {
  main: string;
  module: string;
  types: string;
  sideEffects: string[];
  exports: Record<string, string | Record<string, string>>;
  dependencies: Record<string, string>;
}
const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as PackageJson;

/** Every specifier a module imports: static (`import … from`, `import "…"`, `export … from`) and dynamic. */
/** The module specifiers a built file imports (static and dynamic), read by TypeScript's scanner: not comments. */
function importsOf(code: string): string[] {
  return ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName);
}

const jsFiles = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.js'));
const read = (dir: string, file: string) => readFile(join(dir, file), 'utf8');
const isDependency = (spec: string) =>
  Object.keys(pkg.dependencies).some((d) => spec === d || spec.startsWith(`${d}/`));

beforeAll(async () => {
  await buildTarget('app');
  await buildTarget('lib');
  await buildTarget('standalone');
}, 240_000);

describe('npm pack', () => {
  let files: string[];
  beforeAll(async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO });
    files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  }, 60_000);

  test('ships dist/lib, dist/standalone, README and LICENSE', () => {
    for (const file of ['package.json', 'README.md', 'LICENSE']) expect(files).toContain(file);
    for (const file of ['index.js', 'index.d.ts', 'worker.js', ...WASM]) expect(files).toContain(`dist/lib/${file}`);
    for (const file of ['trainwhistle.js', 'worker.js', ...WASM]) expect(files).toContain(`dist/standalone/${file}`);
  });

  test('and the studio, the bin that serves it and the bridge (npx trainwhistle)', () => {
    expect(files).toContain('bin/trainwhistle.mjs');
    expect(files).toContain('bridge/cli.mjs');
    expect(files).toContain('dist/app/index.html');
    expect(files.some((f) => /^dist\/app\/assets\/.+\.js$/.test(f))).toBe(true);
  });

  test('and nothing else: no sources, tests, fixtures or models', () => {
    const allowed =
      /^(package\.json|README\.md|LICENSE|dist\/(lib|standalone)\/[\w.-]+\.(js|d\.ts|wasm)|dist\/app\/(index\.html|assets\/[\w.-]+\.(js|css|wasm))|bin\/trainwhistle\.mjs|bridge\/[\w-]+\.mjs|scripts\/(isolation|models|prefixed|serve)\.mjs)$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(files.some((f) => /^(src|tests|examples|public|bench|dist\/app\/models)\//.test(f))).toBe(false);
    expect(files.some((f) => /model\.json|shard|\.(png|jpe?g|y4m)$/.test(f))).toBe(false);
  });

  test("what the bin and the bridge import at run time is Node's or a dependency, never a dev dependency", async () => {
    const shipped = files.filter((f) => /^(bin|bridge|scripts)\/.+\.mjs$/.test(f));
    expect(shipped.length).toBeGreaterThan(5);
    for (const file of shipped)
      for (const spec of importsOf(await readFile(join(REPO, file), 'utf8')))
        expect(spec.startsWith('node:') || spec.startsWith('.') || isDependency(spec), `${file} imports ${spec}`).toBe(
          true,
        );
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['ws', 'osc-js']));
  });

  test('every path that package.json points at is in it', () => {
    const exportTargets = Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)));
    for (const target of [pkg.main, pkg.module, pkg.types, ...exportTargets]) {
      expect(files).toContain(target.replace(/^\.\//, ''));
    }
  });
});

describe('dist/lib, for bundlers', () => {
  test('leaves every dependency a bare import, and imports nothing else but its own files', async () => {
    for (const file of await jsFiles(LIB)) {
      for (const spec of importsOf(await read(LIB, file))) {
        expect(spec.startsWith('./') || isDependency(spec), `${file} imports ${spec}`).toBe(true);
      }
    }
    const index = await read(LIB, 'index.js');
    expect(index.includes(TFJS_MARK), 'index.js holds tfjs').toBe(false);
    expect(
      importsOf(index).some((s) => s.startsWith('@tensorflow')),
      'index.js imports tfjs',
    ).toBe(false);
    expect(importsOf(await read(LIB, 'worker.js'))).toContain('@tensorflow/tfjs');
  });

  test('starts its worker, and the worker finds the wasm files, by the pattern bundlers follow', async () => {
    expect(await read(LIB, 'index.js')).toMatch(
      /new Worker\(new URL\("\.\/worker\.js", import\.meta\.url\), \{\s+type: "module",/,
    );
    const worker = await read(LIB, 'worker.js');
    for (const wasm of WASM) expect(worker).toContain(`new URL("./${wasm}", import.meta.url).href`);
  });

  test('marks the modules with side effects as such', async () => {
    // carryErrors() runs at import (src/streams/engine-client.ts and the worker); the worker registers its
    // backends and exposes the engine.
    const effects = /^(carryErrors|useBundledBackends)\(\);$|\bexpose\(new Engine\(/m;
    let found = 0;
    for (const file of await jsFiles(LIB)) {
      const code = await read(LIB, file);
      if (effects.test(code)) {
        found += 1;
        expect(pkg.sideEffects, `${file} has side effects`).toContain(`./dist/lib/${file}`);
      }
    }
    expect(found, 'files with top-level effects found').toBeGreaterThanOrEqual(2);
    expect(pkg.sideEffects).toEqual(expect.arrayContaining(['./dist/lib/index.js', './dist/lib/worker.js']));
  });

  test('index.d.ts is one file that exports exactly what src/index.ts exports', async () => {
    const dts = await read(LIB, 'index.d.ts');
    for (const spec of importsOf(dts)) expect(isDependency(spec), `index.d.ts imports ${spec}`).toBe(true);
    expect(dts).not.toMatch(/\/\/\/\s*<reference/);

    const config = ts.getParsedCommandLineOfConfigFile(
      join(REPO, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    )!;
    const entries = [join(REPO, 'src/index.ts'), join(LIB, 'index.d.ts')];
    const program = ts.createProgram(entries, { ...config.options, noEmit: true });
    const checker = program.getTypeChecker();
    const [source, shipped] = entries.map((file) => {
      const module = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
      return checker
        .getExportsOfModule(module)
        .map((s) => s.name)
        .sort();
    });
    expect(shipped).toEqual(source);
    expect(source).toEqual(expect.arrayContaining(['createPipeline', 'oscOutput', 'smooth', 'Pipeline', 'Prediction']));
  }, 120_000);
});

describe('dist/standalone, for a page with no bundler', () => {
  test('imports nothing by bare name: everything is inside, or beside it', async () => {
    for (const file of await jsFiles(STANDALONE)) {
      for (const spec of importsOf(await read(STANDALONE, file))) {
        expect(spec, `${file} imports ${spec}`).toMatch(/^\.\/[\w.-]+\.js$/);
      }
    }
  });

  test('keeps tfjs in the worker, off the page', async () => {
    expect((await read(STANDALONE, 'worker.js')).includes(TFJS_MARK)).toBe(true);
    for (const file of (await jsFiles(STANDALONE)).filter((f) => f !== 'worker.js')) {
      expect((await read(STANDALONE, file)).includes(TFJS_MARK), `${file} holds tfjs`).toBe(false);
    }
  });

  test('finds its worker and the wasm files relative to itself', async () => {
    const page = (await read(STANDALONE, 'trainwhistle.js')) + (await read(STANDALONE, 'worker.js'));
    expect(page).toContain('new Worker(new URL("./worker.js", import.meta.url)');
    for (const wasm of WASM) expect(page).toContain(`new URL("./${wasm}", import.meta.url).href`);
  });
});

describe('a TypeScript project that imports the package by name', () => {
  const tsc = (...args: string[]) =>
    run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tests/consumer', ...args], {
      cwd: REPO,
    }).then(
      ({ stdout }) => ({ code: 0, out: stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );

  test('compiles under strict settings, against dist/lib/index.d.ts', async () => {
    const { code, out } = await tsc('--listFiles');
    expect(code, out).toBe(0);
    expect(out).toContain(join(LIB, 'index.d.ts'));
    expect(out).not.toContain(join(REPO, 'src/'));
  }, 120_000);

  test('and the shipped index.d.ts passes the checker itself (skipLibCheck off)', async () => {
    const { out } = await tsc('--skipLibCheck', 'false');
    // osc-js 2.4.1's own types import Node's http and https, which a browser project lacks; our API
    // names one osc-js type (toOscMessages' result), so a project checking every library sees those two.
    const errors = out.split('\n').filter((line) => /error TS\d+/.test(line));
    expect(
      errors.filter((line) => !line.startsWith('node_modules/osc-js/')),
      out,
    ).toEqual([]);
  }, 120_000);
});
