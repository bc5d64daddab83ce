/**
 * The picture sources in real Chromium: the fake camera's clip (a new picture every frame, strips the
 * model never sees), `listCameras`, every `CameraError` reason, and `openVideo` on a real video file.
 */
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLIP_LABELS, FRAMES_PER_PHOTO, MARKER_COLOURS, RECORD_FRAMES } from '../support/clip';
import { TEST_DIST } from '../support/paths';
import { launch, open } from './browser';

let browser: Browser;
/** The fake camera is there, but the permission prompt goes unanswered: headless Chromium denies it. */
let noPermission: Browser;
beforeAll(async () => {
  browser = await launch({ webgpu: false });
  noPermission = await launch({ webgpu: false, cameraPermission: false });
});
afterAll(async () => {
  await browser?.close();
  await noPermission?.close();
});

describe('the fake camera', () => {
  test('shows the frames of a segment in order, a new picture at each, and the crop the worker gets holds none of the marker strip', async () => {
    const { page } = await open(browser, 'tests/browser/harness.html');
    const samples = await page.evaluate(
      async ({ markers, recordFrames }) => {
        const { tw, harness } = window;
        const video = await tw.openCamera({ video: document.getElementById('camera') as HTMLVideoElement });
        const read = (w: number, h: number) =>
          new OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true })!;
        const [full, crop, centre] = [read(640, 480), read(224, 224), read(224, 224)];
        /** Pixels within 40 of `rgb` in every channel. */
        const count = (d: Uint8ClampedArray, [r, g, b]: number[]) => {
          let n = 0;
          for (let i = 0; i < d.length; i += 4)
            if (Math.abs(d[i]! - r!) <= 40 && Math.abs(d[i + 1]! - g!) <= 40 && Math.abs(d[i + 2]! - b!) <= 40) n++;
          return n;
        };
        const out: {
          label: string;
          position: number;
          same: boolean;
          markerInFrame: number;
          markerInCrop: number;
          cropVsCentre: number;
          hash: number;
        }[] = [];
        const t0 = performance.now();
        /** The evidence the assertions need: 100 frames, 15 positions of every photo from both halves of its segment. */
        const enough = () =>
          out.filter((s) => s.same).length >= 100 &&
          Object.keys(markers).every((label) => {
            const positions = new Set(out.filter((s) => s.same && s.label === label).map((s) => s.position));
            return (
              positions.size >= 15 &&
              [...positions].some((p) => p < recordFrames) &&
              [...positions].some((p) => p >= recordFrames)
            );
          });
        // Every frame until that is in (most of a loop of the clip, or a generous timeout): what the camera
        // shows, and what the library makes of it.
        await new Promise<void>((resolve) => {
          const tick = () => {
            const truth = harness.frameTruth(video, markers);
            const bitmap = tw.toBitmap(video); // what the pipeline sends the worker (drawn now, resolved later)
            full.drawImage(video, 0, 0, 640, 480);
            centre.drawImage(video, 80, 0, 480, 480, 0, 0, 224, 224);
            const after = harness.frameTruth(video, markers);
            void bitmap.then((b) => {
              crop.drawImage(b, 0, 0);
              b.close();
              const c = crop.getImageData(0, 0, 224, 224).data;
              const m = centre.getImageData(0, 0, 224, 224).data;
              let diff = 0;
              let hash = 0;
              for (let i = 0; i < c.length; i++) {
                diff += Math.abs(c[i]! - m[i]!);
                hash = (Math.imul(hash, 31) + c[i]!) | 0;
              }
              const rgb = (markers as Record<string, number[]>)[truth.label]!;
              out.push({
                ...truth,
                // The frame did not change while it was read (else the sample is not used).
                same: after.label === truth.label && after.position === truth.position,
                markerInFrame: count(full.getImageData(0, 0, 640, 480).data, rgb),
                markerInCrop: count(c, rgb),
                cropVsCentre: diff / c.length,
                hash,
              });
            });
            if (!enough() && performance.now() - t0 < 60_000) video.requestVideoFrameCallback(tick);
            else void bitmap.then(() => resolve()); // the last sample is in once its bitmap is
          };
          video.requestVideoFrameCallback(tick);
        });
        tw.closeCamera(video);
        return out;
      },
      { markers: MARKER_COLOURS, recordFrames: RECORD_FRAMES },
    );
    const used = samples.filter((s) => s.same);
    const context = JSON.stringify(samples.map(({ label, position, same }) => [label, position, same]));
    console.info(`fake camera: ${samples.length} frames read, ${used.length} consistent`);
    expect(used.length, context).toBeGreaterThanOrEqual(100);
    for (const label of CLIP_LABELS) {
      const frames = used.filter((s) => s.label === label);
      const positions = new Set(frames.map((s) => s.position));
      // Many frames of every segment, from both the part tests record from and the part they judge on.
      expect(positions.size, `${label}: ${context}`).toBeGreaterThanOrEqual(15);
      expect([...positions].some((p) => p < RECORD_FRAMES) && [...positions].some((p) => p >= RECORD_FRAMES)).toBe(
        true,
      );
      expect(Math.max(...positions), label).toBeLessThan(FRAMES_PER_PHOTO);
      // A different picture at every position: the model is never shown the same frame twice within a segment.
      const pictures = new Map(frames.map((s) => [s.position, s.hash]));
      expect(new Set(pictures.values()).size, `${label}: distinct pictures`).toBe(pictures.size);
    }
    // Within a segment the position only counts up: frames come in order. (The fake camera may deliver a
    // frame twice, as at the clip's loop point; that is the same picture again, not a repeat in the clip.)
    for (let i = 1; i < used.length; i++) {
      const [a, b] = [used[i - 1]!, used[i]!];
      if (a.label !== b.label) continue;
      expect(b.position, JSON.stringify([a, b])).toBeGreaterThanOrEqual(a.position);
      if (b.position === a.position) expect(b.hash, JSON.stringify([a, b])).toBe(a.hash);
    }
    for (const s of used) {
      const where = JSON.stringify(s);
      // The full frame has the marker strip (80×480 pixels of it)…
      expect(s.markerInFrame, where).toBeGreaterThanOrEqual(0.95 * 80 * 480);
      // …and the square the worker receives has none of it: it is the frame's centre square, nothing else.
      expect(s.markerInCrop, where).toBe(0);
      expect(s.cropVsCentre, where).toBeLessThan(4);
    }
    await page.close();
  });

  test('listCameras lists the one fake camera with its label, and openCamera opens it by id', async () => {
    const { page } = await open(browser, 'tests/browser/harness.html');
    const r = await page.evaluate(async () => {
      const { tw } = window;
      const cameras = (await tw.listCameras()).map(({ deviceId, kind, label }) => ({ deviceId, kind, label }));
      const video = await tw.openCamera({ deviceId: cameras[0]!.deviceId });
      const stream = video.srcObject as MediaStream;
      const track = stream.getVideoTracks()[0]!;
      const opened = {
        deviceId: track.getSettings().deviceId,
        size: [video.videoWidth, video.videoHeight],
        playing: !video.paused && video.readyState >= 2,
      };
      tw.closeCamera(video);
      const closed = { state: track.readyState, srcObject: video.srcObject };
      const wrongId = await tw.openCamera({ deviceId: 'no-such-camera' }).then(
        () => null,
        (e: Error & { reason?: string }) => ({
          isCameraError: e instanceof window.tw.CameraError,
          reason: e.reason,
          message: e.message,
        }),
      );
      return { cameras, opened, closed, wrongId };
    });
    expect(r.cameras).toHaveLength(1);
    expect(r.cameras[0]).toMatchObject({ kind: 'videoinput', label: expect.stringMatching(/\.y4m$/) });
    expect(r.cameras[0]!.deviceId).not.toBe('');
    expect(r.opened).toEqual({ deviceId: r.cameras[0]!.deviceId, size: [640, 480], playing: true });
    expect(r.closed).toEqual({ state: 'ended', srcObject: null });
    expect(r.wrongId).toMatchObject({
      isCameraError: true,
      reason: 'absent',
      message: expect.stringMatching(/No camera was found with id no-such-camera\. .*listCameras\(\)/),
    });
    await page.close();
  });
});

describe('CameraError', () => {
  test('denied: the camera permission was refused', async () => {
    const { page } = await open(noPermission, 'tests/browser/harness.html');
    const error = await page.evaluate(() =>
      window.tw.openCamera().then(
        () => null,
        (e: Error & { reason?: string }) => ({
          isCameraError: e instanceof window.tw.CameraError,
          reason: e.reason,
          message: e.message,
        }),
      ),
    );
    expect(error).toMatchObject({
      isCameraError: true,
      reason: 'denied',
      message: expect.stringMatching(/Camera access was denied\. Allow the camera .*video file \(openVideo\)/),
    });
    await page.close();
  });

  test('unsupported: a page that is not a secure context has no camera API', async () => {
    // The same build, served from a name that is neither https nor localhost (fulfilled from the test build, so no DNS).
    const context = await browser.newContext();
    await context.route('http://insecure.test/**', async (route) => {
      const path = new URL(route.request().url()).pathname;
      const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
      const body = await readFile(join(TEST_DIST, path)).catch(() => null);
      await route.fulfill(
        body
          ? { status: 200, body, contentType: types[extname(path)] ?? 'application/octet-stream' }
          : { status: 404, body: 'not found' },
      );
    });
    const { page } = await open(context, 'http://insecure.test/tests/browser/harness.html');
    const r = await page.evaluate(async () => ({
      secure: isSecureContext,
      cameras: await window.tw.listCameras(),
      error: await window.tw.openCamera().then(
        () => null,
        (e: Error & { reason?: string }) => ({
          isCameraError: e instanceof window.tw.CameraError,
          reason: e.reason,
          message: e.message,
        }),
      ),
    }));
    expect(r.secure).toBe(false);
    expect(r.cameras).toEqual([]);
    expect(r.error).toMatchObject({
      isCameraError: true,
      reason: 'unsupported',
      message: expect.stringMatching(/needs a secure context \(https:\/\/ or http:\/\/localhost\)\. .*openVideo/),
    });
    await context.close();
  });

  test("each getUserMedia failure maps to its reason (getUserMedia replaced to reject with the browser's error names)", async () => {
    const { page } = await open(browser, 'tests/browser/harness.html');
    const errors = await page.evaluate(async () => {
      const media = navigator.mediaDevices;
      const real = media.getUserMedia.bind(media);
      const out: Record<string, { isCameraError: boolean; reason: string | undefined; message: string } | null> = {};
      for (const name of [
        'NotAllowedError',
        'SecurityError',
        'NotFoundError',
        'OverconstrainedError',
        'NotReadableError',
        'AbortError',
        'TypeError',
      ]) {
        media.getUserMedia = () => Promise.reject(new DOMException(`test: ${name}`, name));
        out[name] = await window.tw.openCamera().then(
          () => null,
          (e: Error & { reason?: string }) => ({
            isCameraError: e instanceof window.tw.CameraError,
            reason: e.reason,
            message: e.message,
          }),
        );
      }
      media.getUserMedia = real;
      return out;
    });
    const reasons = Object.fromEntries(Object.entries(errors).map(([name, e]) => [name, e?.reason]));
    expect(reasons).toEqual({
      NotAllowedError: 'denied',
      SecurityError: 'denied',
      NotFoundError: 'absent',
      OverconstrainedError: 'absent',
      NotReadableError: 'busy',
      AbortError: 'other',
      TypeError: 'other',
    });
    for (const e of Object.values(errors)) {
      expect(e!.isCameraError).toBe(true);
      expect(e!.message).toMatch(/You can still use a video file \(openVideo\) or any canvas/);
    }
    expect(errors.NotReadableError!.message).toMatch(/^The camera is in use by another program or tab\./);
    // 'other' passes on what the browser said.
    expect(errors.AbortError!.message).toMatch(/^The camera could not be opened \(AbortError: test: AbortError\)\./);
    await page.close();
  });
});

describe('openVideo', () => {
  test('plays a recorded WebM from a Blob, looping, and predictions follow it; a file that is no video says so', async () => {
    const { page, logs } = await open(browser, 'tests/browser/harness.html');
    const r = await page.evaluate(async () => {
      const { tw } = window;
      // A 1.2 s WebM made here and now: a canvas, red for its first 0.6 s and blue for the rest, with a white
      // square moving across, recorded by MediaRecorder (no file and no tool from outside the browser).
      const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 240 });
      const g = canvas.getContext('2d')!;
      let colour = '#c22';
      const draw = () => {
        g.fillStyle = colour;
        g.fillRect(0, 0, 320, 240);
        g.fillStyle = '#fff';
        g.fillRect((performance.now() / 8) % 300, 110, 20, 20);
      };
      const timer = setInterval(draw, 15);
      const recorder = new MediaRecorder(canvas.captureStream(30), { mimeType: 'video/webm;codecs=vp8' });
      const chunks: Blob[] = [];
      recorder.ondataavailable = (e) => chunks.push(e.data);
      const stopped = new Promise((resolve) => (recorder.onstop = resolve));
      recorder.start();
      await new Promise((resolve) => setTimeout(resolve, 600));
      colour = '#22c';
      await new Promise((resolve) => setTimeout(resolve, 600));
      recorder.stop();
      await stopped;
      clearInterval(timer);
      const file = new Blob(chunks, { type: 'video/webm' });

      const video = await tw.openVideo(file);
      const opened = {
        playing: !video.paused,
        readyState: video.readyState,
        loop: video.loop,
        muted: video.muted,
        size: [video.videoWidth, video.videoHeight],
        duration: video.duration,
      };
      // Which colour each shown frame has, read from its pixels: the truth, independent of the model.
      const probe = new OffscreenCanvas(8, 8).getContext('2d', { willReadFrequently: true })!;
      const colourNow = () => {
        probe.drawImage(video, 0, 0, 8, 8);
        const d = probe.getImageData(0, 0, 1, 1).data;
        return d[0]! > d[2]! ? 'red' : 'blue';
      };
      const shown: [number, string, number][] = [];
      const tick = () => {
        if (video.readyState >= 2) shown.push([performance.now(), colourNow(), video.currentTime]);
        video.requestVideoFrameCallback(tick);
      };
      video.requestVideoFrameCallback(tick);
      const nextFrameShowing = async (want: string) => {
        for (;;) {
          await new Promise((resolve) => video.requestVideoFrameCallback(resolve));
          if (colourNow() === want) return;
        }
      };
      const pipe = await tw.createPipeline({ backend: 'wasm', head: 'knn' });
      for (const want of ['red', 'blue', 'red', 'blue']) {
        await nextFrameShowing(want);
        // Not at the loop point: a seeking video has no frame to read (readyState 1; see the last test here).
        while (video.readyState < 2) await nextFrameShowing(want);
        await pipe.addExample(want, video);
      }
      const errors: string[] = [];
      const seen: { t: number; label: string }[] = [];
      const at = (t: number) => shown.reduce((last, s) => (s[0] <= t ? s : last))[1];
      const judge = () => seen.map((p) => ({ label: p.label, colour: at(p.t) }));
      // The clip looped: its time went back to the start while we ran.
      const runFrom = performance.now();
      const loopsSince = () => {
        const during = shown.filter((s) => s[0] >= runFrom);
        return during.filter((s, i) => i > 0 && s[2] < during[i - 1]![2]).length;
      };
      // Run until the video has looped twice and 31 predictions made after one of the same colour name both
      // colours rightly somewhere (or a generous timeout): then the assertions below have their evidence.
      let enough = () => {};
      const evidence = new Promise<void>((resolve) => (enough = resolve));
      pipe.errors$.subscribe((e) => errors.push(`${e.name}: ${e.message}`));
      pipe.predictions$.subscribe((p) => {
        seen.push({ t: p.t, label: p.label });
        if (seen.length % 5 || loopsSince() < 2) return;
        const settled = judge().filter((s, i, all) => i > 0 && all[i - 1]!.colour === s.colour);
        if (settled.length > 30 && ['red', 'blue'].every((c) => settled.some((s) => s.colour === c && s.label === c)))
          enough();
      });
      pipe.start(video);
      await Promise.race([evidence, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      pipe.stop();
      await pipe.close();
      const judged = judge();
      const loops = loopsSince();

      const notVideo = await tw.openVideo(new Blob(['not a video'], { type: 'video/webm' })).then(
        () => null,
        (e: Error) => e.message,
      );
      return { bytes: file.size, opened, judged, errors, loops, notVideo };
    });
    const context = JSON.stringify({ ...r, judged: r.judged.length, logs: logs.slice(-10) });
    expect(r.opened, context).toMatchObject({ playing: true, loop: true, muted: true, size: [320, 240] });
    expect(r.opened.readyState, context).toBeGreaterThanOrEqual(2);
    expect(r.loops, context).toBeGreaterThanOrEqual(2);
    expect(r.errors, context).toEqual([]);
    // Predictions follow the video through its loops (a frame at the cut may go either way).
    const settled = r.judged.filter((s, i, all) => i > 0 && all[i - 1]!.colour === s.colour);
    const right = settled.filter((s) => s.label === s.colour).length;
    console.info(
      `openVideo: ${r.bytes} bytes of WebM, ${r.loops} loops, ${right}/${settled.length} predictions follow it`,
    );
    expect(settled.length, context).toBeGreaterThan(30);
    for (const colour of ['red', 'blue'])
      expect(settled.some((s) => s.colour === colour && s.label === colour)).toBe(true);
    expect(right / settled.length, JSON.stringify(settled)).toBeGreaterThanOrEqual(0.9);
    expect(r.notVideo).toMatch(
      /^The video could not be played \(.+\)\. Use a format this browser plays, such as MP4 \(H\.264\) or WebM\.$/,
    );
    await page.close();
  });

  // When the worker was busy, a waiting tick's picture is taken later, as the worker frees up
  // (newest-frames.ts); if the video is seeking then (readyState 1, as at each loop point of a looping file,
  // or when the user scrubs it), that tick must be skipped, not end the run. Here the seek is made at exactly
  // that moment: in the predictions$ callback of a backend slower than the frame rate, so a tick is waiting.
  test('a live run over a video skips a seek (as at each loop point) and goes on', async () => {
    const { page } = await open(browser, 'tests/browser/harness.html');
    const r = await page.evaluate(async () => {
      const { tw } = window;
      const file = await window.harness.recordWebm(320, 240, 1000, (g) => {
        g.fillStyle = `hsl(${performance.now() % 360} 80% 50%)`;
        g.fillRect(0, 0, 320, 240);
      });
      const video = await tw.openVideo(file);
      const pipe = await tw.createPipeline({ backend: 'cpu', head: 'knn' });
      await pipe.addExample('a', video);
      // An example taken while the video seeks (as at a loop point) waits for the next frame.
      video.currentTime = 0.5;
      const seeking = video.readyState < 2;
      await pipe.addExample('b', video);
      const errors: string[] = [];
      let predictions = 0;
      let enough = () => {};
      const goneOn = new Promise<void>((resolve) => (enough = resolve));
      pipe.errors$.subscribe((e) => errors.push(`${e.name}: ${e.message}`));
      pipe.predictions$.subscribe(() => {
        // A seek as the worker frees up, three times; then the run must go on for five more predictions.
        if (++predictions <= 3) video.currentTime = 0.1;
        if (predictions === 8) enough();
      });
      pipe.start(video);
      await Promise.race([goneOn, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      const result = { errors, predictions, running: pipe.running, seeking, examples: (await pipe.counts()).total };
      await pipe.close();
      return result;
    });
    await page.close();
    expect(r.errors, JSON.stringify(r)).toEqual([]);
    expect(r.running, JSON.stringify(r)).toBe(true);
    expect(r.predictions, JSON.stringify(r)).toBeGreaterThanOrEqual(8);
    expect(r.examples, JSON.stringify(r)).toBe(2);
  });
});
