/**
 * The main thread never loads tfjs until someone runs the benchmark's main-thread baseline: each page's
 * entry chunk, and every chunk it imports statically, has none of it; the worker's chunk has all of it;
 * the baseline's chunk, reached only through a dynamic `import()`, may have it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { expect, test } from 'vitest';
import { TEST_DIST } from '../support/paths';

const dist = TEST_DIST;
const assets = join(dist, 'assets');
/** A message that tfjs-core's engine always carries. */
const TFJS_MARK = 'The highest priority backend';

/** `/assets/x.js` from a page's `<script type="module" src>` and `<link rel="modulepreload" href>`. */
function entryChunks(html: string): string[] {
  const scripts = [...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
  const preloads = [...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]!);
  return [...scripts, ...preloads];
}

/** Specifiers of a chunk's static `import … from "…"`, `import "…"` and `export … from "…"`; never `import("…")`. */
export function staticImports(code: string): string[] {
  return [...code.matchAll(/(?:^|[^\w$.])(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?["']([^"']+\.js)["']/g)].map(
    (m) => m[1]!,
  );
}

/** Every chunk a page loads before any dynamic import: its entries and their static imports, transitively. */
function staticClosure(htmlFile: string): string[] {
  const seen = new Set<string>();
  const visit = (url: string) => {
    const file = posix.basename(url);
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(readFileSync(join(assets, file), 'utf8'))) visit(spec);
  };
  for (const url of entryChunks(readFileSync(htmlFile, 'utf8'))) if (url.endsWith('.js')) visit(url);
  return [...seen];
}

test('the import parser sees static imports and skips dynamic ones', () => {
  expect(
    staticImports(
      'import{a as b}from"./x-1.js";import"./y-2.js";export{c}from"./z-3.js";const m=()=>import("./lazy-4.js")',
    ),
  ).toEqual(['./x-1.js', './y-2.js', './z-3.js']);
});

test('no page loads tfjs on the main thread up front; the worker has it; only the lazy baseline chunk may', () => {
  const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
  const worker = js.filter((f) => f.startsWith('worker-'));
  expect(worker).toHaveLength(1);
  expect(readFileSync(join(assets, worker[0]!), 'utf8').includes(TFJS_MARK), `${worker[0]} holds tfjs`).toBe(true);

  const pages = ['index.html', 'tests/browser/harness.html'].map((p) => join(dist, p));
  const upFront = new Set<string>();
  for (const page of pages) {
    const closure = staticClosure(page);
    expect(closure.length, `${page} loads no script`).toBeGreaterThan(0);
    for (const f of closure) {
      upFront.add(f);
      const code = readFileSync(join(assets, f), 'utf8');
      expect(code.includes(TFJS_MARK), `${f}, loaded by ${page} before any dynamic import, holds tfjs`).toBe(false);
      expect(code.length, `${f} is suspiciously large for main-thread code`).toBeLessThan(200_000);
    }
  }
  // Whatever holds tfjs apart from the worker is reached only lazily: the benchmark's baseline. The one
  // exception is a test page that runs a model on its main thread on purpose, beside @teachablemachine/image
  // (teachable.test.ts): the chunks only it loads (the app pages' own were checked above).
  const testOnly = new Set(staticClosure(join(dist, 'tests/browser/teachable.html')).filter((f) => !upFront.has(f)));
  const withTfjs = js.filter(
    (f) => !f.startsWith('worker-') && !testOnly.has(f) && readFileSync(join(assets, f), 'utf8').includes(TFJS_MARK),
  );
  for (const f of withTfjs) {
    expect(upFront.has(f), f).toBe(false);
    expect(f, 'only the benchmark baseline may bring tfjs to the main thread').toMatch(/^baseline-engine-/);
  }
});
