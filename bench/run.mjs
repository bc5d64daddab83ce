#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench [-- --quick] [-- --backends wasm,cpu] [-- --phases pose,gestures] [-- --no-build]`: measures
 * the pipeline in headless Debian Chromium (playwright-core), with the real bridge process and a UDP
 * receiver here, and writes bench/results/latest.{md,json,svg} plus a dated copy of the JSON (a run of only
 * some phases writes bench/results/partial.{md,json} instead). See bench/README.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startBridge } from '../bridge/spawn.mjs';
import { chart } from './chart.mjs';
import { startOscReceiver } from './osc-receiver.mjs';
import {
  BACKENDS,
  PHASES,
  POSE_BACKENDS,
  QUICK_BACKENDS,
  QUICK_POSE_BACKENDS,
  cameraRateSettings,
  gestureSettings,
  poseSettings,
  settings,
} from './settings.mjs';
import { REPO, buildAndServe, cameraClip, ensureModels, importTs, launchOptions as chromiumOptions } from './setup.mjs';

// The statistics and the tables are the app's own TypeScript, loaded through Vite.
/** @type {typeof import('../src/protocol/stats')} */
const { summarise } = await importTs('src/protocol/stats.ts');
/** @type {typeof import('../src/bench/table')} */
const { markdown } = await importTs('src/bench/table.ts');

const RESULTS = join(REPO, 'bench/results');
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    backends: { type: 'string' },
    'pose-backends': { type: 'string' },
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
for (const b of args['pose-backends']?.split(',') ?? [])
  if (!isBackend(b)) throw new RangeError(`Unknown backend '${b}' in --pose-backends: use ${BACKENDS.join(', ')}.`);
/** @type {import('./settings.mjs').Backend[]} */
const poseBackends = /** @type {any} */ (args['pose-backends']?.split(',')) ?? [
  ...(args.quick ? QUICK_POSE_BACKENDS : POSE_BACKENDS),
];
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
ensureModels();
const server = await buildAndServe({ reuse: args['no-build'], say });
const { base, origin } = server;
const clip = await cameraClip();

const receiver = await startOscReceiver();
const bridge = await startBridge(['--send', `127.0.0.1:${receiver.port}`, '--allow-origin', origin]);
const launchOptions = chromiumOptions(clip.path);
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
/** @type {any} */
let gestures = null;

/**
 * One backend with one feature model, in a fresh page: raw, pipeline, camera and baseline; its latencies at
 * the UDP receiver. A backend that cannot run gives a row saying why.
 * @param {import('./settings.mjs').Backend} backend
 * @param {'image' | 'pose' | 'people' | 'hands' | 'teachable-machine'} features `teachable-machine`: image
 *   features from the real Teachable Machine export in ../shared/fixtures instead of MobileNet
 * @param {ReturnType<typeof poseSettings>} p
 */
async function measure(backend, features, p) {
  const name = features === 'image' ? backend : `${backend} (${features})`;
  say(`${name}: starting`);
  const budget = p.raw[backend] + p.maxMs[backend] + p.camera[backend] + p.baseline[backend] + 120_000;
  try {
    const run = /** @type {any} */ (
      await task(
        context,
        {
          task: 'backend',
          backend,
          features,
          raw: p.raw[backend],
          frames: p.frames[backend],
          maxMs: p.maxMs[backend],
          camera: p.camera[backend],
          baseline: p.baseline[backend],
          osc: `ws://127.0.0.1:${bridge.wsPort}`,
        },
        budget,
      )
    );
    // The last bundles may still be crossing the bridge: wait for them (UDP may lose some).
    const key = run.oscPrefix.pipeline.replace(/^\/bench\//, '').replace(/\/pipeline$/, '');
    const pipeline = await receiver.arrivals(`${key}/pipeline`, run.oscSent.pipeline, 2000);
    const camera = await receiver.arrivals(`${key}/camera`, run.oscSent.camera, 2000);
    say(
      `${name}: raw ${run.rawFps.toFixed(1)} fps, pipeline ${run.pipelineFps.toFixed(1)} fps (${run.pipelineFrames} frames), ` +
        `camera ${run.cameraFps.toFixed(1)} fps, ${camera.length}/${run.oscSent.camera} bundles at UDP`,
    );
    return {
      ...run,
      latencyMs: summarise(camera),
      pipelineLatencyAtUdpMs: summarise(pipeline),
      oscReceived: { pipeline: pipeline.length, camera: camera.length },
    };
  } catch (e) {
    say(`${name}: not measured — ${/** @type {Error} */ (e).message}`);
    return {
      backend,
      features: features === 'teachable-machine' ? 'image' : features,
      ...(features === 'teachable-machine' ? { teachableMachine: 'the fixture' } : {}),
      skipped: /** @type {Error} */ (e).message,
    };
  }
}
/**
 * The 120 fps camera phase, in a browser of its own: Chromium's fake camera is one per browser, and plays
 * its clip at the rate in the clip's header. A phase that cannot run gives a row saying why.
 * @param {ReturnType<typeof cameraRateSettings>} c
 * @returns {Promise<import('../src/bench/types').RunnerCameraRateRun | import('../src/bench/types').SkippedRun>}
 */
async function cameraRate(c) {
  say(`camera ${c.fps} fps: a fake camera playing a ${c.fps} fps clip, the pipeline on ${c.backend}`);
  const fast = await cameraClip(c.fps);
  const fastBrowser = await chromium.launch(chromiumOptions(fast.path));
  try {
    const fastContext = await fastBrowser.newContext();
    const query = {
      task: 'camera-rate',
      fps: c.fps,
      backend: c.backend,
      raw: c.raw,
      idle: c.idle,
      camera: c.camera,
      osc: `ws://127.0.0.1:${bridge.wsPort}`,
    };
    const run = /** @type {import('../src/bench/types').CameraRateRun} */ (
      await task(fastContext, query, c.idle + c.raw + c.camera + 120_000)
    );
    const arrived = await receiver.arrivals(`${c.backend}-${c.fps}fps/camera`, run.oscSent, 2000);
    say(
      `camera ${c.fps} fps: delivered ${run.cameraInputFps.toFixed(1)} fps (alone ${run.idleInputFps?.toFixed(1) ?? '?'}), ` +
        `${run.cameraFps.toFixed(1)} predictions/s, raw ${run.rawFps.toFixed(1)} fps, ratio ${run.ratio.toFixed(2)}, ` +
        `${run.droppedFrames} dropped, ${arrived.length}/${run.oscSent} bundles at UDP`,
    );
    return { ...run, latencyMs: summarise(arrived), oscReceived: arrived.length };
  } catch (e) {
    say(`camera ${c.fps} fps: not measured — ${/** @type {Error} */ (e).message}`);
    return { backend: c.backend, skipped: /** @type {Error} */ (e).message };
  } finally {
    await fastBrowser.close();
  }
}

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
/** @type {Awaited<ReturnType<typeof cameraRate>> | null} */
let camera120 = null;
try {
  for (const backend of phases.has('backends') ? backends : []) runs.push(await measure(backend, 'image', s));
  const ps = poseSettings(args.quick);
  for (const backend of phases.has('pose') ? poseBackends : []) runs.push(await measure(backend, 'pose', ps));
  for (const backend of phases.has('people') ? poseBackends : []) runs.push(await measure(backend, 'people', ps));
  for (const backend of phases.has('hands') ? poseBackends : []) runs.push(await measure(backend, 'hands', ps));
  for (const backend of phases.has('teachable-machine') ? poseBackends : [])
    runs.push(await measure(backend, 'teachable-machine', ps));
  if (phases.has('camera120')) camera120 = await cameraRate(cameraRateSettings(args.quick));
  if (phases.has('gestures')) {
    const g = gestureSettings(args.quick);
    gestures = await task(context, { task: 'gestures', ...g }, 300_000);
    say(
      `gestures: ${gestures.msPerFrame.mean.toFixed(3)} ms a frame (p95 ${gestures.msPerFrame.p95.toFixed(3)}) ` +
        `for ${gestures.templates} templates × ${gestures.framesPerTemplate} frames; ${gestures.matches}/${gestures.performances} performances recognised`,
    );
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
  /** @type {import('../src/bench/types').BenchResult} */
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
    gestures,
    camera120,
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
  if (camera120) {
    // The 120 fps camera's results are kept apart too, dated, whatever else ran with them.
    const only = { ...result, runs: [], training: null, coldStartMs: null, projectScale: null, gestures: null };
    writeFileSync(
      join(args.out, `camera120-${now.toISOString().slice(0, 10)}.json`),
      JSON.stringify({ ...only, phases: ['camera120'] }, null, 2) + '\n',
    );
  }
  console.log(`\n${md}`);
  say(`done; results in ${args.out}/${partial ? 'partial.{md,json}' : 'latest.{md,json,svg}'}`);
} finally {
  await context.close().catch(() => {});
  await browser.close();
  await bridge.stop();
  await receiver.close();
  await server.close();
}
