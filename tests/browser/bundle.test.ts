/**
 * The main thread never loads tfjs: the page's own code (app and library) has none of it, and the
 * worker's chunk has all of it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { REPO } from '../support/paths';

const assets = join(REPO, 'dist-test/assets');
/** A message that tfjs-core's engine always carries. */
const TFJS_MARK = 'The highest priority backend';

test('the page bundle has no tfjs; the worker bundle has it', () => {
  const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
  const worker = js.filter((f) => f.startsWith('worker-'));
  const page = js.filter((f) => !f.startsWith('worker-'));
  expect(worker).toHaveLength(1);
  expect(page.length).toBeGreaterThan(0);
  expect(readFileSync(join(assets, worker[0]!), 'utf8')).toContain(TFJS_MARK);
  for (const f of page) {
    const code = readFileSync(join(assets, f), 'utf8');
    expect(code, f).not.toContain(TFJS_MARK);
    expect(code.length, `${f} is suspiciously large for main-thread code`).toBeLessThan(200_000);
  }
});
