/**
 * A camera that goes away in the middle of a run, in real Chromium with the fake camera: unplugged (or
 * taken by another program, or its permission withdrawn: the browser ends the track), muted (the system
 * holds the pictures back), busy when reopened. Each time the run says so once on `errors$`, takes no
 * frame while the camera is gone, and goes on in the same run when pictures come back: by itself after
 * an unmute or a camera plugged back in, through `reopenCamera(video)` otherwise.
 *
 * The fake camera cannot be unplugged, so the page's getUserMedia and enumerateDevices are wrapped (the
 * real ones answer while the camera is "plugged in"), and the browser's part is played as it plays it: a
 * track that ends is stopped (readyState 'ended', no more frames) and gets its 'ended' event; a muted
 * track reads `muted === true` and gets 'mute', while its frames keep coming, as black frames may.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launch, open } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch({ webgpu: false });
});
afterAll(async () => {
  await browser?.close();
});

type Pipe = Awaited<ReturnType<typeof window.tw.createPipeline>>;
interface Loss {
  pipe: Pipe;
  video: HTMLVideoElement;
  /** Every error on errors$, as `name reason: message`. */
  errors: { name: string; reason: string | undefined; message: string; at: number }[];
  /** Arrival times (page clock) of the predictions. */
  predictions: number[];
  /** Pictures taken for the worker (each a transferToImageBitmap). */
  bitmaps: number[];
  /** New video frames the element presented (requestVideoFrameCallback). */
  videoFrames: number[];
  /** The fake camera's plug: what getUserMedia and enumerateDevices answer. */
  plugged: boolean;
  busy: boolean;
  /** Each getUserMedia call's constraints, and how many times the cameras were listed. */
  asked: MediaStreamConstraints[];
  listed: number;
  /** Resolves after `n` more predictions (rejects after 60 s). */
  more(n: number): Promise<void>;
  /** Resolves after the <video> has presented `n` more frames (the camera still sends them). */
  frames(n: number): Promise<void>;
  /** Ends the camera's track as the browser does when the camera is unplugged. */
  unplug(): void;
  /** Mutes or unmutes the camera's track as the browser does. */
  mute(on: boolean): void;
}
declare global {
  interface Window {
    loss: Loss;
  }
}

/**
 * A harness page with the camera open in #camera, the rig above, and (unless `pipeline` is false) a kNN
 * pipeline predicting from it.
 */
async function session(pipeline = true): Promise<Page> {
  const { page } = await open(browser, 'tests/browser/harness.html');
  await page.evaluate(async (pipeline) => {
    const media = navigator.mediaDevices;
    const getUserMedia = media.getUserMedia.bind(media);
    const enumerateDevices = media.enumerateDevices.bind(media);
    const s = (window.loss = {
      errors: [],
      predictions: [],
      bitmaps: [],
      videoFrames: [],
      plugged: true,
      busy: false,
      asked: [],
      listed: 0,
    } as unknown as Loss);
    media.getUserMedia = async (constraints) => {
      s.asked.push(JSON.parse(JSON.stringify(constraints)) as MediaStreamConstraints);
      if (!s.plugged) throw new DOMException('Requested device not found', 'NotFoundError');
      if (s.busy) throw new DOMException('Could not start video source', 'NotReadableError');
      return getUserMedia(constraints);
    };
    media.enumerateDevices = async () => {
      s.listed += 1;
      return s.plugged ? enumerateDevices() : [];
    };
    const track = () => (s.video.srcObject as MediaStream).getVideoTracks()[0]!;
    s.unplug = () => {
      s.plugged = false;
      const t = track();
      t.stop();
      t.dispatchEvent(new Event('ended'));
    };
    s.mute = (on) => {
      const t = track();
      Object.defineProperty(t, 'muted', { configurable: true, get: () => on });
      t.dispatchEvent(new Event(on ? 'mute' : 'unmute'));
    };
    const take = Object.getOwnPropertyDescriptor(OffscreenCanvas.prototype, 'transferToImageBitmap')!.value as (
      this: OffscreenCanvas,
    ) => ImageBitmap;
    OffscreenCanvas.prototype.transferToImageBitmap = function (this: OffscreenCanvas) {
      s.bitmaps.push(performance.now());
      return take.call(this);
    };

    const { tw } = window;
    s.video = await tw.openCamera({ video: document.getElementById('camera') as HTMLVideoElement });
    const frame = () => {
      s.videoFrames.push(performance.now());
      s.video.requestVideoFrameCallback(frame);
    };
    s.video.requestVideoFrameCallback(frame);
    s.frames = async (n) => {
      for (let i = 0; i < n; i++) await new Promise((r) => s.video.requestVideoFrameCallback(r));
    };
    if (!pipeline) return;
    s.pipe = await tw.createPipeline({ backend: 'wasm', head: 'knn' });
    await s.pipe.addExample('a', s.video);
    await s.pipe.addExample('b', s.video);
    s.pipe.errors$.subscribe((e) =>
      s.errors.push({
        name: e.name,
        reason: (e as Error & { reason?: string }).reason,
        message: e.message,
        at: performance.now(),
      }),
    );
    const waiting = new Set<() => void>();
    s.pipe.predictions$.subscribe(() => {
      s.predictions.push(performance.now());
      for (const check of [...waiting]) check();
    });
    s.more = (n) =>
      new Promise((resolve, reject) => {
        const until = s.predictions.length + n;
        const timer = setTimeout(() => reject(new Error(`fewer than ${n} more predictions in 60 s`)), 60_000);
        const check = () => {
          if (s.predictions.length < until) return;
          waiting.delete(check);
          clearTimeout(timer);
          resolve();
        };
        waiting.add(check);
      });
    s.pipe.start(s.video);
    await s.more(5);
  }, pipeline);
  return page;
}

/**
 * A fixed wait, only to see that something does NOT happen meanwhile (no prediction, no frame taken): a second
 * of a 30 fps camera. Returns the page time before waiting.
 */
const observe = (page: Page) =>
  page.evaluate(() => new Promise<number>((r) => setTimeout(() => r(performance.now() - 1000), 1000)));

/** Waits until errors$ has told `n` errors; the page time of the last. */
const told = (page: Page, n: number) =>
  page
    .waitForFunction((n) => window.loss.errors.length >= n && window.loss.errors[n - 1]!.at, n, { timeout: 30_000 })
    .then((h) => h.jsonValue() as Promise<number>);

/** What happened since page time `t`. */
const since = (page: Page, t: number) =>
  page.evaluate((t) => {
    const s = window.loss;
    const after = (list: number[]) => list.filter((x) => x > t).length;
    return {
      predictions: after(s.predictions),
      bitmaps: after(s.bitmaps),
      videoFrames: after(s.videoFrames),
      errors: s.errors.filter((e) => e.at > t),
      running: s.pipe.running,
    };
  }, t);

const now = (page: Page) => page.evaluate(() => performance.now());

describe('the camera goes away mid-run', () => {
  test('unplugged: told once, nothing taken meanwhile; plugged back in, it is reopened by itself and the run goes on', async () => {
    const page = await session();
    expect((await since(page, 0)).errors).toEqual([]);

    const unplugged = await now(page);
    await page.evaluate(() => window.loss.unplug());
    // Told at once; the prediction in flight when it ended may still land (a tenth of a second given);
    // after that, nothing.
    const endedAt = await told(page, 1);
    await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
    const quiet = await observe(page);
    const gone = await since(page, Math.max(quiet, endedAt + 100));
    expect(gone).toMatchObject({ predictions: 0, bitmaps: 0, videoFrames: 0, errors: [], running: true });
    expect((await since(page, unplugged)).errors).toEqual([
      expect.objectContaining({
        name: 'CameraError',
        reason: 'ended',
        message: expect.stringMatching(
          /^The camera stopped: it was unplugged, taken by another program, or its permission was withdrawn\. .*reopenCamera\(video\)/,
        ),
      }),
    ]);

    // Another device comes and goes (a microphone, say): the cameras are listed, this one is not among them,
    // so nothing is asked.
    const asked = await page.evaluate(() => window.loss.asked.length);
    const listed = await page.evaluate(() => window.loss.listed);
    await page.evaluate(() => navigator.mediaDevices.dispatchEvent(new Event('devicechange')));
    await page.waitForFunction((listed) => window.loss.listed > listed, listed);
    await page.evaluate(() => new Promise((r) => setTimeout(r))); // the listing's answer is handled
    expect(await page.evaluate(() => window.loss.asked.length)).toBe(asked);

    // Plugged back in: the browser lists it again and says so with 'devicechange'.
    const back = await now(page);
    await page.evaluate(() => {
      window.loss.plugged = true;
      navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
    });
    await page.evaluate(() => window.loss.more(5));
    const resumed = await since(page, back);
    expect(resumed.errors).toEqual([]);
    expect(resumed.running).toBe(true);
    // It asked for the camera it had (opened without a deviceId: preferred, not required).
    const again = await page.evaluate(() => ({
      asked: window.loss.asked.at(-1),
      cameras: window.loss.asked.length,
      state: window.tw.cameraState(window.loss.video),
    }));
    expect(again.cameras).toBe(asked + 1);
    expect(again.asked).toMatchObject({ video: { deviceId: { ideal: expect.any(String) } } });
    expect(again.state).toBe('live');
    await page.evaluate(() => window.loss.pipe.close());
    await page.close();
  });

  test('muted: told once, no frame taken while the camera still sends frames, and on unmute it goes on by itself', async () => {
    const page = await session();
    const muted = await now(page);
    await page.evaluate(() => window.loss.mute(true));
    // As unplugged: told at once, the prediction in flight may land; then frames keep arriving (a muted camera
    // may send black ones) for a second, and none is taken, none predicted.
    const mutedAt = await told(page, 1);
    await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
    const quiet = await observe(page);
    const during = await since(page, Math.max(quiet, mutedAt + 100));
    expect(during.videoFrames, JSON.stringify(during)).toBeGreaterThan(0);
    expect(during).toMatchObject({ predictions: 0, bitmaps: 0, errors: [], running: true });
    expect((await since(page, muted)).errors).toEqual([
      expect.objectContaining({
        name: 'CameraError',
        reason: 'muted',
        message: expect.stringMatching(/^The camera stopped sending pictures .*resume by themselves/),
      }),
    ]);
    // Nor does a hold-to-record take examples from a muted camera: held over ten frames the camera sent.
    const recorded = await page.evaluate(async () => {
      const rec = window.loss.pipe.record('a', window.loss.video);
      await window.loss.frames(10);
      return rec.stop();
    });
    expect(recorded).toBe(0);

    const unmuted = await now(page);
    await page.evaluate(() => window.loss.mute(false));
    await page.evaluate(() => window.loss.more(5));
    expect((await since(page, unmuted)).errors).toEqual([]);
    await page.evaluate(() => window.loss.pipe.close());
    await page.close();
  });

  test('reopenCamera: rejects with "busy" while another program holds the camera, then reopens it into the same element, and the run goes on', async () => {
    const page = await session();
    const r = await page.evaluate(async () => {
      const s = window.loss;
      const { tw } = window;
      const element = s.video;
      s.unplug();
      s.plugged = true;
      s.busy = true;
      const busy = await tw.reopenCamera(element).then(
        () => null,
        (e: Error & { reason?: string }) => ({ name: e.name, reason: e.reason, message: e.message }),
      );
      const stateWhileBusy = tw.cameraState(element);
      s.busy = false;
      // The app's "Reopen camera" pressed twice: one camera is opened.
      const asked = s.asked.length;
      const [a, b] = await Promise.all([tw.reopenCamera(element), tw.reopenCamera(element)]);
      const reopened = { same: a === element && b === element, opened: s.asked.length - asked };
      await s.more(5);
      // Closing the camera on purpose is not an error (a fixed wait, to see that none is told meanwhile); a video
      // that openCamera did not open cannot be reopened.
      tw.closeCamera(element);
      await new Promise((r) => setTimeout(r, 300));
      const file = document.createElement('video');
      const notOpened = await tw.reopenCamera(file).then(
        () => null,
        (e: Error) => `${e.name}: ${e.message}`,
      );
      return { busy, stateWhileBusy, reopened, errors: s.errors, notOpened, running: s.pipe.running };
    });
    expect(r.busy).toMatchObject({ name: 'CameraError', reason: 'busy' });
    expect(r.busy!.message).toMatch(/^The camera is in use by another program or tab\./);
    expect(r.stateWhileBusy).toBe('ended');
    expect(r.reopened).toEqual({ same: true, opened: 1 });
    // The end was told once on errors$; the failed reopen went to its caller, and the close to nobody.
    expect(r.errors.map((e) => `${e.name} ${e.reason}`)).toEqual(['CameraError ended']);
    expect(r.running).toBe(true);
    expect(r.notOpened).toMatch(/^TypeError: This <video> was not opened by openCamera\(\)/);
    await page.evaluate(() => window.loss.pipe.close());
    await page.close();
  });

  test('watchCamera: what an app shows, one status per change (live, muted, live, ended, live), and an exact deviceId asked again', async () => {
    const page = await session(false);
    const r = await page.evaluate(async () => {
      const s = window.loss;
      const { tw } = window;
      const id = (s.video.srcObject as MediaStream).getVideoTracks()[0]!.getSettings().deviceId!;
      // Opened by id this time: a reopen must ask for exactly that camera.
      tw.closeCamera(s.video);
      await tw.openCamera({ video: s.video, deviceId: id });
      const seen: string[] = [];
      let fifth: () => void = () => {};
      const five = new Promise<void>((r) => (fifth = r));
      const watching = tw.watchCamera(s.video).subscribe(({ state, error }) => {
        seen.push(`${state} ${error?.reason ?? '-'}`);
        if (seen.length === 5) fifth();
      });
      // Each change is told as its event is handled: no wait between them is needed.
      s.mute(true);
      s.mute(true); // told once
      s.mute(false);
      s.unplug();
      s.plugged = true;
      await tw.reopenCamera(s.video);
      await five; // the new track is told at the element's 'loadstart'
      await s.frames(2); // and nothing more comes with its first frames
      watching.unsubscribe();
      return { seen, asked: s.asked.at(-1), id };
    });
    expect(r.seen).toEqual(['live -', 'muted muted', 'live -', 'ended ended', 'live -']);
    expect(r.asked).toMatchObject({ video: { deviceId: { exact: r.id } } });
    await page.close();
  });
});

describe('a long session that switches sources', () => {
  test("a file's object URL is let go when its element plays another file or the camera: files do not pile up in memory", async () => {
    const { page } = await open(browser, 'tests/browser/harness.html');
    const r = await page.evaluate(async () => {
      const { tw } = window;
      // Two short WebM files made here (a canvas recorded by MediaRecorder).
      const record = (colour: string) =>
        window.harness.recordWebm(160, 120, 600, (g) => {
          g.fillStyle = colour;
          g.fillRect(0, 0, 160, 120);
          g.fillStyle = '#fff';
          g.fillRect((performance.now() / 8) % 150, 50, 10, 10);
        });
      const readable = (url: string) =>
        fetch(url).then(
          () => true,
          () => false,
        );
      const video = document.getElementById('camera') as HTMLVideoElement;
      await tw.openVideo(await record('#c22'), { video });
      const first = video.src;
      await tw.openVideo(await record('#22c'), { video });
      const second = video.src;
      const afterSecondFile = { first: await readable(first), second: await readable(second) };
      await tw.openCamera({ video });
      const afterCamera = {
        second: await readable(second),
        src: video.getAttribute('src'),
        camera: video.srcObject !== null,
      };
      tw.closeCamera(video);
      return { afterSecondFile, afterCamera, different: first !== second };
    });
    expect(r.different).toBe(true);
    expect(r.afterSecondFile).toEqual({ first: false, second: true });
    expect(r.afterCamera).toEqual({ second: false, src: null, camera: true });
    await page.close();
  });
});

describe('in the app', () => {
  test('a camera unplugged shows what happened and a "Reopen camera" button that brings the preview back', async () => {
    const { page } = await open(browser, 'index.html?backend=wasm');
    const preview = () =>
      page.evaluate(() => {
        const video = document.getElementById('preview') as HTMLVideoElement;
        const track = (video.srcObject as MediaStream | null)?.getVideoTracks()[0];
        return { readyState: video.readyState, track: track?.readyState ?? 'none', id: track?.id ?? '' };
      });
    await expect.poll(async () => (await preview()).track, { timeout: 30_000 }).toBe('live');
    const before = await preview();
    // Unplugged, as the browser tells it: the track stops and gets 'ended'.
    await page.evaluate(() => {
      const video = document.getElementById('preview') as HTMLVideoElement;
      const track = (video.srcObject as MediaStream).getVideoTracks()[0]!;
      track.stop();
      track.dispatchEvent(new Event('ended'));
    });
    const notice = page.locator('[data-error="CameraError"]');
    await expect.poll(() => notice.count()).toBe(1);
    expect(await notice.textContent()).toMatch(/^The camera stopped: it was unplugged/);
    await notice.getByRole('button', { name: 'Reopen camera' }).click();
    await expect.poll(() => notice.count(), { timeout: 15_000 }).toBe(0);
    const after = await preview();
    expect(after.track).toBe('live');
    expect(after.id).not.toBe(before.id);
    await expect.poll(async () => (await preview()).readyState).toBeGreaterThanOrEqual(2);
    await page.close();
  });
});
