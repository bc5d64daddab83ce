#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench [-- --quick] [-- --backends wasm,cpu] [-- --phases project] [-- --no-build]`: measures the
 * pipeline in headless Debian Chromium (playwright-core), with the real bridge process and a UDP receiver
 * here, and writes bench/results/latest.{md,json,svg} plus a dated copy of the JSON (a run of only some
 * phases writes bench/results/partial.{md,json} instead). See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { build, preview, runnerImport } from 'vite';
import { startBridge } from '../bridge/spawn.mjs';
import { chart } from './chart.mjs';
import { startOscReceiver } from './osc-receiver.mjs';
import { BACKENDS, PHASES, QUICK_BACKENDS, settings } from './settings.mjs';
import { summarise } from '../src/protocol/stats.js';
import { markdown } from '../src/bench/table.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(REPO, 'bench/results');
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    backends: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    phases: { type: 'string' },
    'project-examples': { type: 'string' },
    out: { type: 'string', default: RESULTS },
  },
});
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const say = (/** @type {string} */ line) => console.log(`[bench ${elapsed()}] ${line}`);
const s = settings(args.quick);
const isBackend = (/** @type {string} */ b) => /** @type {readonly string[]} */ (BACKENDS).includes(b);
for (const b of args.backends?.split(',') ?? [])
  if (!isBackend(b)) throw new RangeError(`Unknown backend '${b}' in --backends: use ${BACKENDS.join(', ')}.`);
/** @type {import('./settings.mjs').Backend[]} */
const backends = /** @type {any} */ (args.backends?.split(',')) ?? [...(args.quick ? QUICK_BACKENDS : BACKENDS)];
const isPhase = (/** @type {string} */ p) => /** @type {readonly string[]} */ (PHASES).includes(p);
for (const p of args.phases?.split(',') ?? [])
  if (!isPhase(p)) throw new RangeError(`Unknown phase '${p}' in --phases: use ${PHASES.join(', ')}.`);
const phases = new Set(args.phases?.split(',') ?? PHASES);
const partial = phases.size < PHASES.length;
if (args['project-examples']) {
  s.project.examples = Number(args['project-examples']);
  if (!(Number.isInteger(s.project.examples) && s.project.examples >= s.project.classes))
    throw new RangeError(`--project-examples must be a whole number ≥ ${s.project.classes} (one per class).`);
}
const loadAverage = os.loadavg();
const load1 = loadAverage[0] ?? 0;
if (load1 > 1)
  say(`warning: load average ${load1.toFixed(2)} on ${os.cpus().length} cores — other work will slow the numbers down`);

// The weights, the build, the server and the fake camera, as the browser tests have them.
if (!existsSync(join(REPO, 'public/models/mobilenet_v1_025_224_graph/model.json'))) {
  execFileSync(process.execPath, [join(REPO, 'scripts/models.mjs'), join(REPO, '../shared/models')], {
    stdio: 'inherit',
  });
}
const config = join(REPO, 'vite.config.ts');
if (!args['no-build'] || !existsSync(join(REPO, '.cache/dist-bench/bench/bench.html'))) {
  say('building the app and the benchmark page (vite --mode bench)');
  await build({ root: REPO, mode: 'bench', logLevel: 'warn', configFile: config });
}
const server = await preview({
  root: REPO,
  mode: 'bench',
  configFile: config,
  preview: { port: 0, host: '127.0.0.1', strictPort: false },
});
const address = server.httpServer.address();
if (!address || typeof address === 'string') throw new Error('The preview server did not report a port.');
const base = `http://127.0.0.1:${address.port}/`;
const origin = new URL(base).origin;
/** @type {{ module: { buildClip: () => Promise<{ path: string, fps: number }> } }} */
const clipModule = /** @type {any} */ (await runnerImport(join(REPO, 'tests/support/clip.ts')));
const clip = await clipModule.module.buildClip();

const receiver = await startOscReceiver();
const bridge = await startBridge(['--send', `127.0.0.1:${receiver.port}`, '--allow-origin', origin]);
const launchOptions = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--disable-quic',
    '--no-first-run',
    '--enable-unsafe-webgpu',
    '--enable-precise-memory-info',
    '--js-flags=--expose-gc',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${clip.path}`,
  ],
};
const browser = await chromium.launch(launchOptions);
const browserVersion = `Chromium ${browser.version()} headless (Debian, playwright-core)`;
say(`${browserVersion}; bridge ws://127.0.0.1:${bridge.wsPort} → UDP ${receiver.port}; camera clip at ${clip.fps} fps`);

/**
 * Opens bench.html with `query` in a fresh page of `context`, relays its progress lines, returns its result.
 * @param {import('playwright-core').BrowserContext} context @param {Record<string, string | number>} query @param {number} timeoutMs
 */
async function task(context, query, timeoutMs) {
  const page = await context.newPage();
  const errors = /** @type {string[]} */ ([]);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  try {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
    await page.goto(`${base}bench/bench.html?${qs}`);
    let shown = 0;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const { result, log } = await page.evaluate(() => ({ result: window.benchResult, log: window.benchLog ?? [] }));
      for (const line of log.slice(shown)) say(line);
      shown = log.length;
      if (result) {
        if (!result.ok) throw new Error(result.error);
        return result.value;
      }
      if (performance.now() > deadline)
        throw new Error(`no result within ${timeoutMs / 1000} s (${errors.slice(-3).join('; ')})`);
      await page.waitForTimeout(250);
    }
  } finally {
    await page.close();
  }
}

/**
 * The project phase in a profile on disk, as a user's: a context of `browser.newContext()` keeps IndexedDB
 * in memory, with a small quota, which would say nothing about thousands of examples.
 * @param {{ examples: number, classes: number }} p
 */
async function projectScale(p) {
  const profile = mkdtempSync(join(os.tmpdir(), 'tw-bench-profile-'));
  const persistent = await chromium.launchPersistentContext(profile, launchOptions);
  try {
    const project = 'bench-scale';
    const run = /** @type {any} */ (
      await task(persistent, { task: 'project', examples: p.examples, classes: p.classes, project }, 1_800_000)
    );
    say('project: restoring it in a new page');
    run.restore = await task(persistent, { task: 'restore', project }, 300_000);
    return run;
  } finally {
    await persistent.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const context = await browser.newContext();
const runs = [];
/** @type {string | null} */
let gpu;
/** @type {any} */
let training = null;
/** @type {any} */
let uncached = null;
/** @type {any} */
let cached = null;
/** @type {any} */
let projectRun = null;
try {
  for (const backend of phases.has('backends') ? backends : []) {
    say(`${backend}: starting`);
    const budget = s.raw[backend] + s.maxMs[backend] + s.camera[backend] + s.baseline[backend] + 120_000;
    try {
      const run = /** @type {any} */ (
        await task(
          context,
          {
            task: 'backend',
            backend,
            raw: s.raw[backend],
            frames: s.frames[backend],
            maxMs: s.maxMs[backend],
            camera: s.camera[backend],
            baseline: s.baseline[backend],
            osc: `ws://127.0.0.1:${bridge.wsPort}`,
          },
          budget,
        )
      );
      // Let the last bundles cross the bridge before reading the receiver.
      await new Promise((r) => setTimeout(r, 200));
      const atUdp = (/** @type {string} */ phase) => receiver.latencies.get(`${backend}/${phase}`) ?? [];
      const camera = atUdp('camera');
      const pipeline = atUdp('pipeline');
      runs.push({
        ...run,
        latencyMs: summarise(camera),
        pipelineLatencyAtUdpMs: summarise(pipeline),
        oscReceived: { pipeline: pipeline.length, camera: camera.length },
      });
      say(
        `${backend}: raw ${run.rawFps.toFixed(1)} fps, pipeline ${run.pipelineFps.toFixed(1)} fps (${run.pipelineFrames} frames), ` +
          `camera ${run.cameraFps.toFixed(1)} fps, ${camera.length}/${run.oscSent.camera} bundles at UDP`,
      );
    } catch (e) {
      say(`${backend}: not measured — ${/** @type {Error} */ (e).message}`);
      runs.push({ backend, skipped: /** @type {Error} */ (e).message });
    }
  }
  if (phases.has('training')) {
    say(`training: dense on 3 × ${s.perLabel} examples, kNN first prediction, auto`);
    training = await task(context, { task: 'training', perLabel: s.perLabel }, 180_000);
  }
  if (phases.has('cold')) {
    say('cold start: a fresh profile (no IndexedDB cache), then again with the cache');
    const fresh = await browser.newContext();
    uncached = await task(fresh, { task: 'cold' }, 60_000);
    cached = await task(fresh, { task: 'cold' }, 60_000);
    await fresh.close();
    if (uncached.modelSource === 'cache' || cached.modelSource !== 'cache')
      say(`warning: cold start sources were ${uncached.modelSource} and ${cached.modelSource}`);
  }
  if (phases.has('project')) {
    const { examples, classes } = s.project;
    say(`project: ${examples} examples (${classes} classes) recorded, kept, trained, saved, opened, restored`);
    projectRun = await projectScale(s.project);
    say(
      `project: ${projectRun.addPerSecond.toFixed(1)} examples/s, persist ${projectRun.persistMs.toFixed(0)} ms, ` +
        `train ${projectRun.trainMs.toFixed(0)} ms, save ${projectRun.saveMs.toFixed(0)} ms, open ${projectRun.openMs.toFixed(0)} ms, ` +
        `restore ${projectRun.restore.readyMs.toFixed(0)} ms`,
    );
  }
  const gpuPage = await context.newPage();
  gpu = await gpuPage.evaluate(async () => {
    const adapter = await /** @type {any} */ (navigator).gpu?.requestAdapter();
    const info = adapter?.info;
    return info && !adapter.isFallbackAdapter && info.architecture !== 'swiftshader'
      ? `${info.vendor} ${info.architecture} ${info.description}`.trim()
      : null;
  });
  await gpuPage.close();

  const now = new Date();
  const result = {
    date: now.toISOString(),
    mode: args.quick ? 'quick' : 'full',
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      gpu,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      loadAverage,
    },
    browser: browserVersion,
    runs: runs.map((r) => (r.skipped ? r : { ...r, baseline: r.baseline && { ...r.baseline } })),
    ...(partial ? { phases: [...phases] } : {}),
    training: training && {
      denseMs: training.denseMs,
      knnFirstPredictionMs: training.knnFirstPredictionMs,
      examples: training.examples,
      epochs: training.epochs,
      backend: training.backend,
      auto: training.auto,
    },
    coldStartMs: uncached && {
      cached: cached.firstPredictionMs,
      uncached: uncached.firstPredictionMs,
      sources: { cached: cached.modelSource, uncached: uncached.modelSource },
    },
    projectScale: projectRun,
    durationS: (performance.now() - started) / 1000,
  };
  const md = markdown(result);
  mkdirSync(args.out, { recursive: true });
  const json = JSON.stringify(result, null, 2) + '\n';
  if (partial) {
    // Some phases only: the full results stay as they were.
    writeFileSync(join(args.out, 'partial.json'), json);
    writeFileSync(join(args.out, 'partial.md'), md);
  } else {
    writeFileSync(join(args.out, 'latest.json'), json);
    writeFileSync(join(args.out, `${now.toISOString().slice(0, 10)}${args.quick ? '-quick' : ''}.json`), json);
    writeFileSync(join(args.out, 'latest.md'), md);
    writeFileSync(join(args.out, 'latest.svg'), chart(result));
  }
  console.log(`\n${md}`);
  say(`done; results in ${args.out}/${partial ? 'partial.{md,json}' : 'latest.{md,json,svg}'}`);
} finally {
  await context.close().catch(() => {});
  await browser.close();
  await bridge.stop();
  await receiver.close();
  await new Promise((resolve) => server.httpServer.close(() => resolve(undefined)));
}
