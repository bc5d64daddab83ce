/**
 * The whole path, as a Max user runs it: the app (fake camera playing the real photos) connects to a
 * real bridge process; the "patch" (UDP) drives the session — record each photo, train, run — and the
 * predictions come back over UDP, read by liblo's oscdump, an OSC implementation that is not ours.
 * Then a Wekinator patch drives a pipeline of the public API through `remoteControl`, with Wekinator's
 * own control addresses.
 */
import OSC from 'osc-js';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { cleanUp, startBridge, udpPeer } from '../support/bridge';
import { CLIP_LABELS, FRAMES_PER_PHOTO, MARKER_COLOURS, RECORD_FRAMES } from '../support/clip';
import { startOscdump, type Oscdump } from '../support/oscdump';
import { markerNow, waitForPosition, waitForSegmentStart } from './app-page';
import type { ControlInput, Pipeline, RemoteControl } from '../../src/index';
import { launch, open } from './browser';
import type { Truth } from './harness';
import { cards, labelChanges } from './studio-page';

let browser: Browser;
let dump: Oscdump | undefined;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  dump?.stop();
  await cleanUp();
});

/** The clip's photos, from the one after `showing` on. */
function nextPhotos(showing: string): (typeof CLIP_LABELS)[number][] {
  const next = CLIP_LABELS.indexOf(showing as (typeof CLIP_LABELS)[number]) + 1;
  return CLIP_LABELS.map((_, i) => CLIP_LABELS[(next + i) % CLIP_LABELS.length]!);
}

test('a patch records, trains and runs the app over UDP, and gets the predictions back as OSC', async () => {
  // The patch's receiver: what it reads, oscdump's lines (stopped after the test).
  const patchIn = (dump = await startOscdump());
  const origin = new URL(inject('baseUrl')).origin;
  const bridge = await startBridge(['--send', `127.0.0.1:${patchIn.port}`, '--allow-origin', origin]);
  const patch = await udpPeer();
  const control = (address: string, ...args: (string | number)[]) =>
    patch.send(new OSC.Message(address, ...args).pack(), bridge.listenPort);

  const { page, logs } = await open(browser, 'index.html?backend=wasm');
  await page.waitForSelector('[data-testid="status"][data-backend]', { timeout: 60_000 });
  await page.fill('[data-testid="bridge-url"]', `ws://127.0.0.1:${bridge.wsPort}`);
  await page.dispatchEvent('[data-testid="bridge-url"]', 'change');
  await page.waitForSelector('[data-testid="osc-status"][data-status="connected"]');
  await page.waitForSelector('[data-testid="control-status"][data-status="connected"]');

  // Each photo from the cut to it until the end of the recorded half (the patch's messages take a few
  // milliseconds to arrive; this test judges the order of the labels, not held-out frames).
  // The photos in the order the clip shows them next (no wait for the first to come round again).
  const order = nextPhotos(await markerNow(page));
  for (const label of order) {
    await waitForSegmentStart(page, label);
    await control('/tw/record', label, 1);
    await waitForPosition(page, label, RECORD_FRAMES);
    await control('/tw/record', label, 0);
  }
  // The patch's labels become cards of their own, after the two a new project starts with.
  await expect
    .poll(() => cards(page), { timeout: 10_000 })
    .toSatisfy(
      (shown: { name: string; count: number }[]) =>
        JSON.stringify(shown.map((c) => c.name)) === JSON.stringify(['Class 1', 'Class 2', ...order]) &&
        shown.slice(2).every((c) => c.count >= 3),
    );
  await control('/tw/train');
  await page.waitForFunction(
    () => document.getElementById('train-status')!.textContent.startsWith('epoch 20/20'),
    undefined,
    { timeout: 60_000 },
  );
  await control('/tw/run', 1);
  // Run until the labels have changed through every photo, in the clip's order (or a generous timeout).
  await expect
    .poll(() => labelChanges(patchIn.all).length, { timeout: 60_000 })
    .toBeGreaterThanOrEqual(CLIP_LABELS.length)
    .catch((e: Error) => {
      throw new Error(`the labels did not follow the clip: ${JSON.stringify(labelChanges(patchIn.all))}`, { cause: e });
    });
  const beforeTrain = [...patchIn.all];

  // "/tw/train: if predictions were running, they resume afterwards." The app's training line shows each epoch
  // of a training from the patch: once it has shown a whole new one, predictions must come back by themselves.
  await page.evaluate(() => {
    const status = document.getElementById('train-status')!;
    const shown: string[] = (window.trainStatus = []);
    new MutationObserver(() => shown.push(status.textContent)).observe(status, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  await control('/tw/train');
  await page.waitForFunction(
    () => {
      const first = window.trainStatus.findIndex((t) => t.startsWith('epoch 1/'));
      return first >= 0 && window.trainStatus.slice(first).some((t) => t.startsWith('epoch 20/20'));
    },
    undefined,
    { timeout: 60_000 },
  );
  const trained = patchIn.all.length;
  const resumed = () => patchIn.all.slice(trained).filter((l) => l.startsWith('/tw/confidences '));
  await expect
    .poll(() => resumed().length, { timeout: 30_000 })
    .toBeGreaterThanOrEqual(10)
    .catch((e: Error) => {
      throw new Error(`no predictions after /tw/train: ${JSON.stringify(patchIn.all.slice(-8))}`, { cause: e });
    });
  await control('/tw/run', 0);
  // What was in flight at the stop arrives first: wait for 500 ms without a message (however long that
  // takes under load), then nothing more may come.
  const quiet = patchIn.all;
  await expect
    .poll(
      async () => {
        const before = quiet.length;
        await page.waitForTimeout(500);
        return quiet.length === before;
      },
      { timeout: 15_000, interval: 0 },
    )
    .toBe(true);
  const received = [...patchIn.all];
  // Nothing arriving is seen only by waiting: a short while, long enough for a prediction at the camera's rate.
  await page.waitForTimeout(500);
  const context = JSON.stringify({ tail: received.slice(-8), logs: logs.slice(-10) });

  expect(patchIn.all.length, 'predictions stop after /tw/run 0').toBe(received.length);
  expect(received, context).toContain(`/tw/labels sss ${order.map((l) => `"${l}"`).join(' ')}`);
  for (const label of CLIP_LABELS) {
    expect(
      received.some((l) => new RegExp(`^/tw/confidence/${label} f [01]\\.\\d{6}$`).test(l)),
      `${label}: ${context}`,
    ).toBe(true);
  }
  expect(
    received.some((l) => /^\/tw\/confidences fff( [01]\.\d{6}){3}$/.test(l)),
    context,
  ).toBe(true);
  expect(
    received.some((l) => /^\/tw\/class i [012]$/.test(l)),
    context,
  ).toBe(true);
  // The labels change in the clip's order, before the training and after it (the clip went on meanwhile).
  for (const part of [beforeTrain, received.slice(trained)]) {
    const seq = labelChanges(part);
    for (let i = 1; i < seq.length; i++) {
      const expectedNext =
        CLIP_LABELS[(CLIP_LABELS.indexOf(seq[i - 1] as (typeof CLIP_LABELS)[number]) + 1) % CLIP_LABELS.length];
      expect(seq[i], `label changes ${seq.join(' → ')}`).toBe(expectedNext);
    }
  }
  expect(labelChanges(beforeTrain).length, context).toBeGreaterThanOrEqual(CLIP_LABELS.length);
  await page.close();
});

/** What the Wekinator tests' page keeps: the pipeline, its remote control, and what they did. */
interface WekinatorPage {
  pipe: Pipeline;
  remote: RemoteControl;
  input: ControlInput;
  /** Each command the remote control took, with the camera frame on screen as it did. */
  commands: ({ kind: string } & Truth)[];
  errors: string[];
  counts: Record<string, number>;
  /** How many changes counts$ has told (once per finished recording, clear, …), not the counts it replays first. */
  countsEmitted: number;
  epochs: number[];
  predictions: { t: number; label: string; values?: Record<string, number> }[];
  /** Each camera frame as it was shown: [time, truth]. */
  truth: [number, Truth][];
  /** Commands a second control input saw, once the remote control is closed. */
  witnessed?: string[];
}
declare global {
  interface Window {
    /** The Wekinator tests' page state, set up by `wekinatorPage`. */
    wek: WekinatorPage;
    /** The app's training line, each text it has shown since the test began watching it. */
    trainStatus: string[];
  }
}

/**
 * A real bridge, a patch sending Wekinator's control messages to it over UDP (numbers as floats, as Wekinator
 * sends them), and the harness page with a pipeline (wasm) those messages drive through `remoteControl`.
 */
async function wekinatorSession(options: {
  head: 'dense' | 'regression';
  outputs?: string[];
  backend?: 'wasm' | 'cpu';
}) {
  const origin = new URL(inject('baseUrl')).origin;
  const bridge = await startBridge(['--allow-origin', origin]);
  const patch = await udpPeer();
  const send = (address: string, ...args: (number | string)[]) =>
    patch.send(
      new OSC.TypedMessage(
        address,
        args.map((value) => ({
          type: typeof value === 'string' ? 's' : 'f',
          value,
        })) as unknown as ConstructorParameters<typeof OSC.TypedMessage>[1],
      ).pack(),
      bridge.listenPort,
    );
  const { page, logs } = await open(browser, 'tests/browser/harness.html');
  await page.evaluate(
    async ({ wsUrl, options, markers }) => {
      const { tw, harness } = window;
      const video = await tw.openCamera({ video: document.getElementById('camera') as HTMLVideoElement });
      const pipe = await tw.createPipeline({ backend: 'wasm', rememberBackend: false, ...options });
      const input = tw.controlInput({ url: wsUrl });
      const state: WekinatorPage = {
        remote: { close: () => {} },
        pipe,
        input,
        commands: [],
        errors: [],
        counts: {},
        countsEmitted: 0,
        epochs: [],
        predictions: [],
        truth: [],
      };
      pipe.counts$.subscribe((c) => ((state.counts = c.perLabel), state.countsEmitted++));
      // counts$ gave the counts now as it was subscribed to: count the changes from here.
      state.countsEmitted = 0;
      pipe.training$.subscribe((p) => state.epochs.push(p.epoch));
      pipe.predictions$.subscribe((p) =>
        state.predictions.push({ t: p.t, label: p.label, ...(p.values ? { values: p.values } : {}) }),
      );
      const tick = () => {
        state.truth.push([performance.now(), harness.frameTruth(video, markers)]);
        video.requestVideoFrameCallback(tick);
      };
      video.requestVideoFrameCallback(tick);
      state.remote = tw.remoteControl(pipe, video, input.commands$, {
        // Called in the same task as the command is carried out: the frame on screen then bounds what a recording took.
        onCommand: (c) => state.commands.push({ kind: c.kind, ...harness.frameTruth(video, markers) }),
        onError: (e) => state.errors.push(e.message),
      });
      window.wek = state;
      await new Promise<void>((resolve) => input.status$.subscribe((s) => s.status === 'connected' && resolve()));
    },
    { wsUrl: `ws://127.0.0.1:${bridge.wsPort}`, options, markers: MARKER_COLOURS },
  );
  /** The page's record of what happened (without the live objects). */
  const state = () =>
    page.evaluate(() => {
      const { commands, errors, counts, countsEmitted, epochs, predictions } = window.wek;
      return { commands, errors, counts, countsEmitted, epochs, predictions };
    });
  const context = async () => JSON.stringify({ ...(await state()), logs: logs.slice(-10) });
  return {
    page,
    wsUrl: `ws://127.0.0.1:${bridge.wsPort}`,
    send,
    state,
    context,
    /** Sends one message and waits until the remote control has taken it. */
    command: async (address: string, ...args: (number | string)[]) => {
      const before = (await state()).commands.length;
      await send(address, ...args);
      await page.waitForFunction((n) => window.wek.commands.length > n, before, { timeout: 10_000 });
    },
    /** Resolves once `pipe.counts()` has answered: the worker answers in order, so whatever the remote control asked before has been answered too. */
    settled: () => page.evaluate(() => window.wek.pipe.counts()),
    /** Resolves with the counts once counts$ has emitted counts that pass `check`. */
    countsSatisfy: async (check: (c: Record<string, number>) => boolean) => {
      await expect
        .poll(async () => check((await state()).counts), { timeout: 10_000 })
        .toBe(true)
        .catch(async (e: Error) => {
          throw new Error(`counts never came right: ${await context()}`, { cause: e });
        });
      return (await state()).counts;
    },
    /** Waits until the camera has shown `n` more frames. */
    frames: async (n: number) => {
      const shown = await page.evaluate(() => window.wek.truth.length);
      await page.waitForFunction((until) => window.wek.truth.length >= until, shown + n);
    },
    close: async () => {
      await page.evaluate(async () => {
        window.wek.remote.close();
        window.wek.input.close();
        await window.wek.pipe.close();
      });
      await page.close();
    },
  };
}

test('a Wekinator patch records classes, trains, runs, clears and deletes through remoteControl', async () => {
  const session = await wekinatorSession({ head: 'dense' });
  const { page, state, context, command, countsSatisfy } = session;
  /** `outputs n` sets the target once the worker has answered the remote control's counts(). */
  const outputs = async (n: number) => {
    await command('/wekinator/control/outputs', n);
    await session.settled();
  };

  // Class n from the first half of the n-th photo's segment: outputs n, startRecording at the cut, stopRecording
  // near the end of the recorded half. With no labels yet, class numbers become the labels '1', '2', '3'.
  const stoppedAt = new Map<string, number>();
  // The photos in the order the clip shows them next: class n is the n-th of them.
  const order = nextPhotos(await markerNow(page, 'camera'));
  for (const [i, photo] of order.entries()) {
    const label = String(i + 1);
    await outputs(i + 1);
    await waitForSegmentStart(page, photo, 'camera');
    await command('/wekinator/control/startRecording');
    await waitForPosition(page, photo, RECORD_FRAMES - 6, 'camera');
    await command('/wekinator/control/stopRecording');
    const stop = (await state()).commands.at(-1)!;
    stoppedAt.set(photo, stop.label === photo ? stop.position : FRAMES_PER_PHOTO);
    const counts = await countsSatisfy((c) => (c[label] ?? 0) > 0);
    expect(Object.keys(counts), await context()).toEqual(order.slice(0, i + 1).map((_, k) => String(k + 1)));
    expect(counts[label], await context()).toBeGreaterThanOrEqual(3);
  }
  const recorded = (await state()).counts;

  await command('/wekinator/control/train');
  await page.waitForFunction(() => window.wek.epochs.at(-1) === 20, undefined, { timeout: 60_000 });
  await command('/wekinator/control/startRunning');
  await expect.poll(async () => (await state()).predictions.length, { timeout: 10_000 }).toBeGreaterThan(0);
  // Until every photo's class was named on a held-out frame (see below), and 30 held-out frames were judged.
  await page
    .waitForFunction(
      ({ stoppedAt, recordFrames, lastPosition, classes }) => {
        const { predictions, truth } = window.wek;
        const right = new Set<string>();
        let heldOut = 0;
        for (const p of predictions) {
          const frame = truth.reduce((best, e) => (e[0] <= p.t + 1 ? e : best))[1];
          if (
            frame.position < recordFrames ||
            frame.position <= stoppedAt[frame.label]! ||
            frame.position >= lastPosition
          )
            continue;
          heldOut++;
          if (p.label === classes[frame.label]) right.add(frame.label);
        }
        return heldOut >= 30 && right.size === Object.keys(classes).length;
      },
      {
        stoppedAt: Object.fromEntries(stoppedAt),
        recordFrames: RECORD_FRAMES,
        lastPosition: FRAMES_PER_PHOTO - 1,
        classes: Object.fromEntries(order.map((photo, i) => [photo, String(i + 1)])),
      },
      { timeout: 60_000, polling: 250 },
    )
    .catch(() => {}); // what is missing, the assertions below say
  await command('/wekinator/control/stopRunning');
  const run = await page.evaluate(() => {
    const { predictions, truth, pipe } = window.wek;
    // The picture a prediction was made from is the last frame shown before its capture time.
    const at = (t: number) => truth.reduce((best, e) => (e[0] <= t + 1 ? e : best))[1];
    return { running: pipe.running, judged: predictions.map((p) => ({ predicted: p.label, ...at(p.t) })) };
  });
  expect(run.running).toBe(false);
  // Class n on the n-th photo, judged on frames no example was taken from (the second half of a segment,
  // after the frame on screen at stopRecording; not its last frame, which may already show the next photo).
  const classOf = (photo: string) => String(order.indexOf(photo as (typeof CLIP_LABELS)[number]) + 1);
  const heldOut = run.judged.filter(
    (j) => j.position >= RECORD_FRAMES && j.position > stoppedAt.get(j.label)! && j.position < FRAMES_PER_PHOTO - 1,
  );
  const right = heldOut.filter((j) => j.predicted === classOf(j.label)).length;
  console.info(
    `wekinator: ${right}/${heldOut.length} held-out predictions name the photo's class; examples ${JSON.stringify(recorded)}`,
  );
  for (const photo of CLIP_LABELS)
    expect(
      heldOut.some((j) => j.label === photo && j.predicted === classOf(photo)),
      JSON.stringify(run.judged),
    ).toBe(true);
  expect(right / heldOut.length, JSON.stringify(heldOut)).toBeGreaterThanOrEqual(0.9);
  // stopRunning stops: nothing more arrives (the prediction in flight at the stop is dropped, not delivered).
  const afterStop = (await state()).predictions.length;
  // Nothing arriving is seen only by waiting: a short while, many frames of the camera.
  await page.waitForTimeout(500);
  expect((await state()).predictions.length, 'predictions after stopRunning').toBe(afterStop);

  // Class 1 again, now that it exists (any picture will do now): its count grows, the others stay.
  await outputs(1);
  await command('/wekinator/control/startRecording');
  await session.frames(12);
  await command('/wekinator/control/stopRecording');
  const more = await countsSatisfy((c) => c['1']! > recorded['1']!);
  expect({ ...more, 1: recorded['1'] }, await context()).toEqual(recorded);

  // /tw/clear deletes one label; deleteAllExamples deletes the rest.
  await command('/tw/clear', '2');
  expect(await countsSatisfy((c) => !('2' in c)), await context()).toEqual({ 1: more['1'], 3: more['3'] });
  await command('/wekinator/control/deleteAllExamples');
  expect(await countsSatisfy((c) => Object.keys(c).length === 0)).toEqual({});
  expect(await page.evaluate(() => window.wek.pipe.counts()), await context()).toEqual({ perLabel: {}, total: 0 });
  expect((await state()).errors, await context()).toEqual([]);

  // After close() the remote control takes no more commands, though they still reach the page: a second
  // control input, still open, sees them arrive.
  await page.evaluate(async (wsUrl) => {
    window.wek.remote.close();
    const witness = window.tw.controlInput({ url: wsUrl });
    const seen: string[] = (window.wek.witnessed = []);
    witness.commands$.subscribe((c) => seen.push(c.kind));
    await new Promise<void>((resolve) => witness.status$.subscribe((s) => s.status === 'connected' && resolve()));
  }, session.wsUrl);
  const taken = (await state()).commands.length;
  await session.send('/wekinator/control/outputs', 1);
  await session.send('/wekinator/control/startRecording');
  await page.waitForFunction(() => window.wek.witnessed!.includes('recordTarget'));
  await session.settled();
  expect((await state()).commands.length).toBe(taken);
  expect(await page.evaluate(() => window.wek.pipe.counts())).toEqual({ perLabel: {}, total: 0 });
  await session.close();
});

test('Wekinator outputs set regression targets: the examples carry the values, clamped to 0..1', async () => {
  const session = await wekinatorSession({ head: 'regression', outputs: ['x', 'y'] });
  const { page, command, countsSatisfy, context } = session;
  const recordWith = async (...values: number[]) => {
    await command('/wekinator/control/outputs', ...values);
    await session.settled();
    await command('/wekinator/control/startRecording');
    await session.frames(9);
    await command('/wekinator/control/stopRecording');
  };
  await recordWith(0.25, 0.75);
  const first = (await countsSatisfy((c) => (c[''] ?? 0) > 0))['']!;
  await recordWith(1.5, -1);
  await countsSatisfy((c) => c['']! > first);
  const examples = await page.evaluate(async () => (await window.wek.pipe.examples()).map((e) => e.values));
  expect(examples.slice(0, first), await context()).toEqual(Array(first).fill({ x: 0.25, y: 0.75 }));
  expect(examples.slice(first), await context()).toEqual(Array(examples.length - first).fill({ x: 1, y: 0 }));
  expect((await session.state()).errors).toEqual([]);
  await session.close();
});

// Finding class n takes a round trip to the worker (pipe.counts()); a startRecording that follows at once,
// as a Wekinator patch sends it, must still record class n, not the previous target.
test('a patch switching class right after stopRecording records the new class', async () => {
  const session = await wekinatorSession({ head: 'dense', backend: 'cpu' });
  await session.command('/wekinator/control/outputs', 1);
  await session.settled();
  await session.command('/wekinator/control/startRecording');
  await session.frames(6);
  await session.send('/wekinator/control/stopRecording');
  await session.send('/wekinator/control/outputs', 2);
  await session.send('/wekinator/control/startRecording');
  await session.frames(6);
  await session.command('/wekinator/control/stopRecording');
  // counts$ emits when `outputs n` declares class n, and when each recording has stopped and its last example
  // has landed: four times.
  await session.page.waitForFunction(() => window.wek.countsEmitted === 4);
  const { counts } = await session.state();
  await session.close();
  expect(Object.keys(counts)).toEqual(['1', '2']);
  expect(counts['1'], JSON.stringify(counts)).toBeGreaterThan(0);
  expect(counts['2'], JSON.stringify(counts)).toBeGreaterThan(0);
});

test('a page from an origin the bridge does not allow is told why and what to type, as the bridge prints it; allowed, it connects', async () => {
  const origin = new URL(inject('baseUrl')).origin;
  const refusing = await startBridge(['--send', `127.0.0.1:${(await udpPeer()).port}`]);
  const { page } = await open(browser, 'index.html?backend=wasm');
  await page.waitForSelector('[data-testid="status"][data-backend]', { timeout: 60_000 });
  const connectTo = async (wsPort: number) => {
    await page.fill('[data-testid="bridge-url"]', `ws://127.0.0.1:${wsPort}`);
    await page.dispatchEvent('[data-testid="bridge-url"]', 'change');
  };
  await connectTo(refusing.wsPort);
  const told = `the bridge refused this page's origin (${origin}): start it with --allow-origin ${origin}`;
  await expect.poll(() => page.getByTestId('osc-status').textContent(), { timeout: 20_000 }).toContain(told);
  const { stdout } = await refusing.stop();
  expect(stdout.split('\n').filter((l) => l.includes(told))).toHaveLength(1);

  const allowing = await startBridge(['--send', `127.0.0.1:${(await udpPeer()).port}`, '--allow-origin', origin]);
  await connectTo(allowing.wsPort);
  await page.waitForSelector('[data-testid="osc-status"][data-status="connected"]');
  await page.close();
});
