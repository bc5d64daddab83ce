#!/usr/bin/env node
// @ts-check
/**
 * `npm run soak [-- --minutes 10] [-- --backend wasm] [-- --no-build]`: the app, taught the fake camera's
 * photos through its UI, predicting for N minutes (default 10) through the real bridge to a UDP receiver,
 * with the bridge killed and restarted, the engine's worker ended and the receiver gone for a moment on the
 * way; then what grew, what broke and how long each fault took to heal, in bench/results/soak-latest.json.
 * The soak itself is tests/support/soak.ts (a short one runs among the browser tests); this is its runner,
 * on the same build, server, clip and Chromium flags as `npm run bench` (bench/setup.mjs).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { REPO, buildAndServe, cameraClip, ensureModels, importTs, launchOptions } from './setup.mjs';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    backend: { type: 'string', default: 'wasm' },
    'no-build': { type: 'boolean', default: false },
    out: { type: 'string', default: join(REPO, 'bench/results') },
  },
});
const minutes = Number(args.minutes);
if (!(minutes > 0)) throw new RangeError(`--minutes must be a number of minutes > 0 (got '${args.minutes}').`);
const started = performance.now();
const say = (/** @type {string} */ line) =>
  console.log(`[soak ${((performance.now() - started) / 1000).toFixed(0)} s] ${line}`);
const loadAverage = os.loadavg();
if ((loadAverage[0] ?? 0) > 1)
  say(
    `warning: load average ${loadAverage[0]?.toFixed(2)} on ${os.cpus().length} cores — gaps and long tasks will show it`,
  );

ensureModels();
// A build of its own: an hour's soak must not have its files replaced by a `npm run bench` meanwhile.
const server = await buildAndServe({ reuse: args['no-build'], say, outDir: '.cache/dist-soak' });
const clip = await cameraClip();
const browser = await chromium.launch(launchOptions(clip.path));
try {
  /** @type {{ soak: typeof import('../tests/support/soak').soak }} */
  const { soak } = await importTs('tests/support/soak.ts');
  say(`Chromium ${browser.version()}; ${minutes} min on ${args.backend}`);
  const result = await soak({ minutes, base: server.base, browser, backend: args.backend, log: say });
  const json = {
    ...result,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', loadAverage },
    browser: `Chromium ${browser.version()} headless (Debian, playwright-core)`,
    durationS: Math.round((performance.now() - started) / 1000),
  };
  mkdirSync(args.out, { recursive: true });
  const path = join(args.out, 'soak-latest.json');
  writeFileSync(path, JSON.stringify(json, null, 2) + '\n');
  const { samples: _samples, ...headline } = json;
  console.log(JSON.stringify(headline, null, 2));
  say(`done; ${path}`);
} finally {
  await browser.close();
  await server.close();
}
