/**
 * The engine worker's two heartbeats, held to the README's seconds (tests/stress/claims.ts): a worker that
 * stops answering outside a long call is restarted after 5 s; inside a long call (training) it is given 20 s,
 * and restarted once those are up. Lower bounds only, which cannot flake: the restart never comes sooner.
 * (npm test holds a worker 7 s in training and sees it kept: tests/browser/reliability.test.ts.)
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launch, open } from '../browser/browser';
import { engineWorker, hang } from '../browser/engine-worker';
import { CLAIMS } from './claims';

let browser: Browser;
beforeAll(async () => {
  browser = await launch({ camera: false, webgpu: false });
});
afterAll(async () => {
  await browser?.close();
});

/** A dense pipeline taught a canvas; its restarts told (ms since 1970) in `window.told`. */
async function session(): Promise<Page> {
  const { page } = await open(browser, 'tests/browser/harness.html');
  await page.evaluate(async () => {
    const canvas = Object.assign(document.createElement('canvas'), { width: 64, height: 64 });
    const g = canvas.getContext('2d')!;
    const told: { message: string; at: number }[] = [];
    (window as unknown as { told: typeof told }).told = told;
    const pipe = await window.tw.createPipeline({ backend: 'wasm', head: 'dense', train: { epochs: 100_000 } });
    (window as unknown as { pipe: typeof pipe }).pipe = pipe;
    pipe.errors$.subscribe((e) => told.push({ message: e.message, at: performance.timeOrigin + performance.now() }));
    for (const [label, colour] of [
      ['a', '#fc3'],
      ['b', '#136'],
    ]) {
      g.fillStyle = colour!;
      g.fillRect(0, 0, 64, 64);
      await pipe.addExample(label!, canvas);
      await pipe.addExample(label!, canvas);
    }
  });
  return page;
}

const restart = (page: Page) =>
  page
    .waitForFunction(() => (window as unknown as { told: { message: string; at: number }[] }).told[0], null, {
      timeout: 120_000,
    })
    .then((h) => h.jsonValue() as Promise<{ message: string; at: number }>);

/** A tenth of the limit: a ping sent just before the hang began is timed from its sending. */
const margin = (s: number) => s * 100;

test('outside a long call: restarted after its heartbeat’s seconds, no sooner', async () => {
  const page = await session();
  const hungAt = await hang(engineWorker(page), Infinity);
  const told = await restart(page);
  const s = CLAIMS.heartbeatSeconds.bound;
  console.info(`heartbeat: restarted ${Math.round(told.at - hungAt)} ms after the worker hung`);
  expect(told.message).toContain(`no answer to the heartbeat for ${s} s`);
  expect(told.at - hungAt).toBeGreaterThanOrEqual(s * 1000 - margin(s));
  await page.close();
});

test('in a long call (training): given its longer heartbeat, then restarted, no sooner', async () => {
  const page = await session();
  await page.evaluate(() => {
    const { pipe } = window as unknown as { pipe: Awaited<ReturnType<typeof window.tw.createPipeline>> };
    const epochs = { n: 0 };
    (window as unknown as { epochs: typeof epochs }).epochs = epochs;
    pipe.training$.subscribe(() => (epochs.n += 1));
    void pipe.train().catch(() => {}); // rejects with WorkerRestartedError below
  });
  await page.waitForFunction(() => (window as unknown as { epochs: { n: number } }).epochs.n > 0);
  const hungAt = await hang(engineWorker(page), Infinity);
  const told = await restart(page);
  const s = CLAIMS.longCallHeartbeatSeconds.bound;
  console.info(`heartbeat in a long call: restarted ${Math.round(told.at - hungAt)} ms after the worker hung`);
  expect(told.message).toContain(`no answer to the heartbeat for ${s} s`);
  expect(told.at - hungAt).toBeGreaterThanOrEqual(s * 1000 - margin(s));
  await page.close();
});
