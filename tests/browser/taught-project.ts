/**
 * A project taught through the public API, for the tests whose subject is something else (the studio on
 * another backend, a reload, a saved file): the fake camera's three photos, from frames of the clip's
 * recorded halves only (the very frames the camera shows), so that every frame judged later is held out.
 *
 * It is made once per test file, in a browser profile of its own (`taughtProfile`), kept there as
 * 'My project' (the project the studio opens first), trained and predicting, as a person would have left it.
 * No test touches that profile: each works on a copy of it (`copyProfile`).
 */
import { closeSync, cpSync, mkdtempSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { inject } from 'vitest';
import { CLIP_HEIGHT, CLIP_LABELS, CLIP_WIDTH, FRAMES_PER_PHOTO, RECORD_FRAMES, STRIP_WIDTH } from '../support/clip';
import { launchProfile } from './studio-page';

/** Frames of each photo's segment that become examples: spread over its recorded half. */
const POSITIONS = [0, 5, 10, 15, 20, 25] as const;

export interface Taught {
  /** The cards the studio shows for it. */
  cards: { name: string; count: number }[];
  /** The project as `saveProject()` wrote it. */
  file: Buffer;
}

export interface TeachOptions {
  /** The studio's settings kept with it (src/ui/app-settings.ts), over the studio's defaults. */
  appSettings?: unknown;
  /** Kept as predicting (the default), so that opening it predicts again by itself; false: kept stopped. */
  running?: boolean;
}

/**
 * The examples' frames, read from the fake camera's own clip file: I420, exactly what Chromium's fake camera
 * reads from it, cut to the centre square (all the model sees of a camera's picture), base64.
 */
function exampleFrames(): { label: string; i420: string }[] {
  if (POSITIONS.some((p) => p >= RECORD_FRAMES)) throw new RangeError('examples come from the recorded halves only');
  const file = openSync(inject('clipPath'), 'r');
  try {
    const head = Buffer.alloc(256);
    readSync(file, head, 0, head.length, 0);
    const header = head.indexOf(0x0a) + 1;
    const tag = 'FRAME\n'.length;
    const size = (CLIP_WIDTH * CLIP_HEIGHT * 3) / 2;
    return CLIP_LABELS.flatMap((label, segment) =>
      POSITIONS.map((position) => {
        const frame = Buffer.alloc(size);
        readSync(file, frame, 0, size, header + (segment * FRAMES_PER_PHOTO + position) * (tag + size) + tag);
        return { label, i420: centreSquare(frame).toString('base64') };
      }),
    );
  } finally {
    closeSync(file);
  }
}

/** The CLIP_HEIGHT² square between the strips of an I420 frame, as an I420 frame of its own. */
function centreSquare(frame: Buffer): Buffer {
  const side = CLIP_HEIGHT;
  const out = Buffer.alloc((side * side * 3) / 2);
  let o = 0;
  const copy = (offset: number, stride: number, rows: number, left: number, width: number) => {
    for (let y = 0; y < rows; y++)
      o += frame.copy(out, o, offset + y * stride + left, offset + y * stride + left + width);
  };
  copy(0, CLIP_WIDTH, CLIP_HEIGHT, STRIP_WIDTH, side);
  const chroma = (CLIP_WIDTH / 2) * (CLIP_HEIGHT / 2);
  for (const plane of [0, 1])
    copy(CLIP_WIDTH * CLIP_HEIGHT + plane * chroma, CLIP_WIDTH / 2, CLIP_HEIGHT / 2, STRIP_WIDTH / 2, side / 2);
  return out;
}

/** Teaches 'My project' in a page of `context` (on wasm), leaves it trained and predicting, and closes the page. */
export async function teachProject(context: BrowserContext, options: TeachOptions = {}): Promise<Taught> {
  const page = await context.newPage();
  try {
    await page.goto(new URL('tests/browser/harness.html', inject('baseUrl')).href);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 60_000 });
    const taught = await page.evaluate(
      async ({ labels, frames, width, height, appSettings, running }) => {
        const pipe = await window.tw.createPipeline({ backend: 'wasm', project: 'My project' });
        for (const label of labels) await pipe.addLabel(label);
        // Limited-range BT.601, as Chromium's fake camera reads the clip (see tests/support/clip.ts).
        const colorSpace: VideoColorSpaceInit = {
          primaries: 'smpte170m',
          transfer: 'smpte170m',
          matrix: 'smpte170m',
          fullRange: false,
        };
        for (const frame of frames) {
          const data = Uint8Array.from(atob(frame.i420), (c) => c.charCodeAt(0));
          const picture = new VideoFrame(data, {
            format: 'I420',
            codedWidth: width,
            codedHeight: height,
            timestamp: 0,
            colorSpace,
          });
          await pipe.addExample(frame.label, picture);
          picture.close();
        }
        await pipe.train();
        if (appSettings !== undefined) await pipe.setAppSettings(appSettings);
        // Kept as predicting: the next start (the studio's) predicts again by itself.
        if (running) pipe.start(Object.assign(document.createElement('canvas'), { width: 64, height: 64 }));
        await pipe.flush();
        const file = new Uint8Array(await (await pipe.saveProject()).arrayBuffer());
        const counts = await pipe.counts();
        await pipe.close();
        let binary = '';
        for (let i = 0; i < file.length; i += 0x8000) binary += String.fromCharCode(...file.subarray(i, i + 0x8000));
        return { file: btoa(binary), cards: labels.map((name) => ({ name, count: counts.perLabel[name] ?? 0 })) };
      },
      {
        labels: [...CLIP_LABELS],
        frames: exampleFrames(),
        width: CLIP_HEIGHT,
        height: CLIP_HEIGHT,
        appSettings: options.appSettings,
        running: options.running ?? true,
      },
    );
    return { cards: taught.cards, file: Buffer.from(taught.file, 'base64') };
  } finally {
    await page.close();
  }
}

/** A browser profile in a new folder under `parent` holding the taught project, and what was taught. */
export async function taughtProfile(parent: string, options: TeachOptions = {}): Promise<{ dir: string } & Taught> {
  const dir = mkdtempSync(join(parent, 'taught-'));
  const context = await launchProfile(dir);
  try {
    return { dir, ...(await teachProject(context, options)) };
  } finally {
    await context.close();
  }
}

/** A copy of the (closed) profile `dir`, in a new folder under `parent`: the same browser, to be changed at will. */
export function copyProfile(dir: string, parent: string): string {
  const copy = mkdtempSync(join(parent, 'profile-'));
  cpSync(dir, copy, { recursive: true });
  return copy;
}
