/**
 * MIDI out in real Chromium, byte by byte. These machines have no MIDI hardware and no ALSA sequencer, so no
 * real port was available: each page gets web-midi-test's simulated MIDIAccess (its wmt.js from node_modules,
 * installed before the page's own scripts, nothing fetched), and a virtual MIDI destination whose every message
 * the test reads, as a DAW would receive it. The library's midiOutput takes it as its `requestMIDIAccess`; the
 * studio, which has no such option, finds it as `navigator.requestMIDIAccess`, as it would find Chromium's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { MidiOutput, MidiOutputState, Prediction } from '../../src/index';
import { LEARN_PAUSE_MS } from '../../src/outputs/midi-output';
import { CLIP_LABELS } from '../support/clip';
import { launch, open } from './browser';
import { crash, engineWorker } from './engine-worker';
import { SHOTS, launchProfile, studioReady } from './studio-page';
import { copyProfile, taughtProfile } from './taught-project';

/** web-midi-test's global, as wmt.js installs it (its own typings pull in an old global WebMidi namespace). */
interface Wmt {
  midi: boolean;
  MidiDst: new (name: string) => { receive: (message: number[]) => void; connect(): void; disconnect(): void };
  requestMIDIAccess: (options?: MIDIOptions) => Promise<MIDIAccess>;
}
declare global {
  interface Window {
    WMT: Wmt;
    /** Every message the virtual port received, in order, as byte arrays. */
    midiIn: number[][];
    midi: MidiOutput;
    midiStates: MidiOutputState[];
    /** What ports plugged in with `heard: false` received. */
    elsewhere: number[][];
    /** When each message of `midiIn` arrived (`performance.now()`). */
    midiAt: number[];
  }
}

const WMT_SCRIPT = createRequire(import.meta.url).resolve('web-midi-test/wmt.js');

let browser: Browser;
beforeAll(async () => {
  browser = await launch({ camera: false, webgpu: false });
});
afterAll(async () => {
  await browser?.close();
});

/** The harness page (the public API as `window.tw`) with the simulated MIDIAccess installed before it loads. */
async function harness(): Promise<{ page: Page; logs: string[] }> {
  const context = await browser.newContext();
  await context.addInitScript({ path: WMT_SCRIPT });
  return open(context, 'tests/browser/harness.html');
}

/** A virtual MIDI destination named `name`, plugged in now; what it receives goes to `window.midiIn` (or `elsewhere`). */
async function plugIn(page: Page, name: string, heard = true): Promise<void> {
  await page.evaluate(
    ({ name, heard }) => {
      window.midiIn ??= [];
      window.elsewhere ??= [];
      const port = new window.WMT.MidiDst(name);
      port.receive = (message) => (heard ? window.midiIn : window.elsewhere).push([...message]);
      port.connect();
    },
    { name, heard },
  );
}

/** Makes `window.midi` with `options` over the simulated MIDIAccess, connects it, and resolves with its first settled state. */
async function makeOutput(page: Page, options: Record<string, unknown> = {}): Promise<MidiOutputState> {
  return page.evaluate(
    (options) =>
      new Promise<MidiOutputState>((resolve) => {
        window.midiIn ??= [];
        window.midiStates = [];
        window.midi = window.tw.midiOutput({ ...options, requestMIDIAccess: window.WMT.requestMIDIAccess });
        window.midi.status$.subscribe((s) => {
          window.midiStates.push(s);
          if (s.status === 'connected' || (s.status === 'disconnected' && s.reason)) resolve(s);
        });
        window.midi.connect();
      }),
    options,
  );
}

/** Sends one classification prediction through `window.midi` (capture time `t`, ms). */
function send(page: Page, label: string, confidences: Record<string, number>, t = 0): Promise<boolean> {
  return page.evaluate(
    ({ label, confidences, t }) => {
      const p: Prediction = {
        label,
        confidences,
        t,
        latencyMs: 1,
        timings: { fromPixels: 0, infer: 0, head: 0, total: 0 },
        tensors: 0,
      };
      return window.midi.send(p);
    },
    { label, confidences, t },
  );
}

/** Resolves with everything the port received once it holds at least `n` messages. */
async function received(page: Page, n: number): Promise<number[][]> {
  await page
    .waitForFunction((n) => window.midiIn.length >= n, n, { timeout: 10_000 })
    .catch((e: Error) => {
      throw new Error(`the port did not get ${n} messages`, { cause: e });
    });
  return page.evaluate(() => window.midiIn);
}

describe('midiOutput, on a simulated MIDIAccess', () => {
  test('a CC per class, a note on for the winner and its note off when another wins; all notes off on close', async () => {
    const { page } = await harness();
    await plugIn(page, 'Virtual Synth');
    const state = await makeOutput(page, { silenceAfterMs: 0 });
    expect(state).toMatchObject({ status: 'connected', port: 'Virtual Synth', ports: ['Virtual Synth'] });

    expect(await send(page, 'cat', { cat: 0.9, dog: 0.1 })).toBe(true);
    expect(await received(page, 3)).toEqual([
      [0xb0, 20, 114], // ch 1 CC 20 = round(0.9 × 127): cat's confidence
      [0xb0, 21, 13], // ch 1 CC 21 = round(0.1 × 127): dog's
      [0x90, 60, 114], // note on 60: cat wins
    ]);
    await send(page, 'cat', { cat: 0.9, dog: 0.1 }, 33); // nothing moved: nothing sent
    await send(page, 'dog', { cat: 0.3, dog: 0.7 }, 66);
    expect((await received(page, 7)).slice(3)).toEqual([
      [0xb0, 20, 38],
      [0xb0, 21, 89],
      [0x80, 60, 64], // cat's note ends …
      [0x90, 61, 89], // … dog's starts
    ]);
    const last = await page.evaluate(() => window.midiStates.at(-1)!.last);
    expect(last).toContain('90 3D 59  ch 1 note on 61 velocity 89  dog');

    await page.evaluate(() => window.midi.close());
    expect((await received(page, 9)).slice(7)).toEqual([
      [0x80, 61, 64], // dog's note, which was sounding
      [0xb0, 123, 0], // All Notes Off
    ]);
    const after = await page.evaluate(() => window.midiStates.at(-1)!.status);
    expect(after).toBe('closed');
    expect(await send(page, 'cat', { cat: 1, dog: 0 }, 99)).toBe(false);
    await page.context().close();
  });

  test('channel and port as chosen; regression outputs as 14-bit pairs', async () => {
    const { page } = await harness();
    await plugIn(page, 'IAC Driver Bus 1', false);
    await plugIn(page, 'IAC Driver Bus 2');
    const state = await makeOutput(page, {
      port: 'IAC Driver Bus 2',
      channel: 10,
      fourteenBit: true,
      silenceAfterMs: 0,
    });
    expect(state).toMatchObject({ status: 'connected', port: 'IAC Driver Bus 2' });
    await page.evaluate(() => {
      window.midi.send({
        label: '',
        confidences: {},
        values: { x: 0.5, y: 1 },
        t: 0,
        latencyMs: 1,
        timings: { fromPixels: 0, infer: 0, head: 0, total: 0 },
        tensors: 0,
      });
    });
    expect(await received(page, 4)).toEqual([
      [0xb9, 20, 64], // ch 10 CC 20 MSB: round(0.5 × 16383) = 8192 = 64 × 128 + 0
      [0xb9, 52, 0], //  ch 10 CC 52 LSB
      [0xb9, 21, 127], // 16383: 127, 127
      [0xb9, 53, 127],
    ]);
    expect(await page.evaluate(() => window.elsewhere)).toEqual([]); // Bus 1 heard nothing
    await page.context().close();
  });

  test('predictions that stop: once none has come for silenceAfterMs, note off and All Notes Off', async () => {
    const { page } = await harness();
    await plugIn(page, 'Virtual Synth');
    await makeOutput(page, { silenceAfterMs: 300 });
    await send(page, 'cat', { cat: 1, dog: 0 });
    expect(await received(page, 5)).toEqual([
      [0xb0, 20, 127],
      [0xb0, 21, 0],
      [0x90, 60, 127],
      [0x80, 60, 64],
      [0xb0, 123, 0],
    ]);
    // Predictions again: the whole state is sent again, note and all.
    await send(page, 'cat', { cat: 1, dog: 0 }, 1000);
    expect((await received(page, 8)).slice(5)).toEqual([
      [0xb0, 20, 127],
      [0xb0, 21, 0],
      [0x90, 60, 127],
    ]);
    await page.context().close();
  });

  test('learn(cc): that CC = 127 alone, then predictions pause so the DAW learns it', async () => {
    const { page } = await harness();
    await plugIn(page, 'Virtual Synth');
    await makeOutput(page, { silenceAfterMs: 0 });
    await send(page, 'cat', { cat: 0.5, dog: 0.5 });
    await received(page, 3);
    expect(await page.evaluate(() => window.midi.learn(21))).toBe(true);
    expect(await send(page, 'dog', { cat: 0.2, dog: 0.8 }, 33)).toBe(false); // paused
    expect((await received(page, 4)).slice(3)).toEqual([[0xb0, 21, 127]]);
    expect(await page.evaluate(() => window.midiIn.length)).toBe(4);
    await page.context().close();
  });

  test('MIDI refused: disconnected, saying how to allow it', async () => {
    const { page } = await harness();
    await page.evaluate(() => (window.WMT.midi = false));
    const state = await makeOutput(page);
    expect(state.status).toBe('disconnected');
    expect(state.reason).toMatch(/^MIDI access was refused: allow MIDI devices for this site .* then reload the page$/);
    expect(await send(page, 'cat', { cat: 1 })).toBe(false);
    expect(await page.evaluate(() => window.midiStates.at(-1)!.dropped)).toBe(1);
    await page.context().close();
  });

  test('no port: disconnected, saying how to make one; a port plugged in later is used at once', async () => {
    const { page } = await harness();
    const state = await makeOutput(page);
    expect(state).toMatchObject({ status: 'disconnected', ports: [] });
    expect(state.reason).toMatch(/^no MIDI output port on this computer: create one \(IAC Driver on macOS, loopMIDI/);
    const connected = page.evaluate(
      () =>
        new Promise<MidiOutputState>((resolve) =>
          window.midi.status$.subscribe((s) => s.status === 'connected' && resolve(s)),
        ),
    );
    await plugIn(page, 'loopMIDI Port');
    expect(await connected).toMatchObject({ status: 'connected', port: 'loopMIDI Port' });
    await send(page, 'cat', { cat: 1, dog: 0 });
    expect(await received(page, 3)).toEqual([
      [0xb0, 20, 127],
      [0xb0, 21, 0],
      [0x90, 60, 127],
    ]);
    await page.context().close();
  });

  test('a port asked for by a name there is not: disconnected, listing the ports there are', async () => {
    const { page } = await harness();
    await plugIn(page, 'IAC Driver Bus 1');
    const state = await makeOutput(page, { port: 'Ableton' });
    expect(state.reason).toBe(
      "no MIDI output named 'Ableton' (there are: IAC Driver Bus 1): choose one of them, or connect that device — it is used as soon as it appears",
    );
    await page.context().close();
  });
});

describe('the studio', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'tw-midi-'));
  /** The taught project (its three photos), kept with MIDI on and coffee mapped to CC 1 and note 36 (a drum rack's C1). */
  let taught: Awaited<ReturnType<typeof taughtProfile>>;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    taught = await taughtProfile(scratch, {
      appSettings: { midi: { on: true, map: { coffee: { cc: 1, note: 36 } } } },
    });
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /**
   * The studio on a copy of the taught profile, predicting by itself, with the simulated MIDIAccess as the page's
   * `navigator.requestMIDIAccess`: `allow` answers the permission, `port` plugs in a virtual 'IAC Driver Bus 1'.
   */
  async function studio({ allow = true, port = true } = {}): Promise<{ page: Page; logs: string[] }> {
    const context = await launchProfile(copyProfile(taught.dir, scratch));
    contexts.push(context);
    await context.addInitScript({ path: WMT_SCRIPT });
    await context.addInitScript(
      ({ allow, port }) => {
        window.WMT.midi = allow;
        Object.defineProperty(navigator, 'requestMIDIAccess', { value: window.WMT.requestMIDIAccess });
        window.midiIn = [];
        window.midiAt = [];
        if (!port) return;
        const bus = new window.WMT.MidiDst('IAC Driver Bus 1');
        bus.receive = (message) => {
          window.midiIn.push([...message]);
          window.midiAt.push(performance.now());
        };
        bus.connect();
      },
      { allow, port },
    );
    const opened = await open(context, 'index.html?backend=wasm');
    await studioReady(opened.page);
    return opened;
  }

  /** A message as a pattern: each byte, or null for any. */
  type Pattern = (number | null)[];
  const matches = (m: number[], pattern: Pattern) => pattern.every((b, i) => b === null || b === m[i]);
  const NOTE_ON: Pattern = [0x90, null, null];
  const ALL_NOTES_OFF: Pattern = [0xb0, 123, 0];

  /** What the port received from message `from` on, once a message matching `pattern` is among them. */
  async function until(page: Page, from: number, what: string, pattern: Pattern): Promise<number[][]> {
    await page
      .waitForFunction(
        ({ from, pattern }) => window.midiIn.slice(from).some((m) => pattern.every((b, i) => b === null || b === m[i])),
        { from, pattern },
        { timeout: 60_000 },
      )
      .catch(async (e: Error) => {
        const tail = (await page.evaluate(() => window.midiIn)).slice(from).slice(-12);
        throw new Error(`the port never got ${what}: ${JSON.stringify(tail)}`, { cause: e });
      });
    return (await page.evaluate(() => window.midiIn)).slice(from);
  }
  /**
   * The first All Notes Off from `from` on comes right after a note off for the note sounding then (if one was);
   * returns its index.
   */
  function expectSilenced(all: number[][], from: number): number {
    const at = all.findIndex((m, i) => i >= from && matches(m, ALL_NOTES_OFF));
    const lastNote = all
      .slice(0, at)
      .filter((m) => m[0] === 0x90 || m[0] === 0x80)
      .at(-1);
    const context = JSON.stringify(all.slice(Math.max(0, at - 6), at + 1));
    if (lastNote?.[0] === 0x80) expect(all[at - 1], `the sounding note ended: ${context}`).toEqual(lastNote);
    else if (lastNote)
      expect(all[at - 1], `no note off before All Notes Off: ${context}`).toEqual([0x80, lastNote[1], 64]);
    return at;
  }

  /** The studio's MIDI status line, once it matches `text`. */
  async function statusSays(page: Page, text: RegExp): Promise<void> {
    await expect.poll(() => page.getByTestId('midi-status').textContent(), { timeout: 30_000 }).toMatch(text);
  }
  const count = (page: Page) => page.evaluate(() => window.midiIn.length);

  test('each class on its CC, its note while it wins; the map shown, edited and kept; test CC; all notes off on stop and on a crash', async () => {
    const { page, logs } = await studio();
    await page.waitForSelector('[data-testid="midi-status"][data-status="connected"]');
    // The map as kept: coffee as mapped, the others by their place.
    const map = () =>
      page.$$eval('[data-testid="midi-map"] tbody tr', (rows) =>
        rows.map((r) => [r.querySelector('th')!.textContent, ...[...r.querySelectorAll('input')].map((i) => i.value)]),
      );
    expect(await map()).toEqual([
      ['chelsea', '20', '60'],
      ['coffee', '1', '36'],
      ['rocket', '22', '62'],
    ]);
    expect(await page.getByLabel('MIDI port').inputValue()).toBe('');
    expect(await page.locator('[data-testid="midi-port"] option').allTextContents()).toEqual([
      'first MIDI port (IAC Driver Bus 1)',
      'IAC Driver Bus 1',
    ]);

    // Predicting by itself on the clip: three label changes, each a note on.
    const notes = { chelsea: 60, coffee: 36, rocket: 62 } as const;
    const cc = { chelsea: 20, coffee: 1, rocket: 22 } as const;
    await expect
      .poll(async () => (await page.evaluate(() => window.midiIn)).filter((m) => matches(m, NOTE_ON)).length, {
        timeout: 90_000,
      })
      .toBeGreaterThanOrEqual(4);
    const played = await page.evaluate(() => window.midiIn);
    const context = JSON.stringify({ played: played.slice(0, 40), logs: logs.slice(-10) });
    expect(
      played.every((m) => m.length === 3 && (m[0]! & 0x0f) === 0),
      `channel 1 only: ${context}`,
    ).toBe(true);
    const controllers = new Set(played.filter((m) => m[0] === 0xb0).map((m) => m[1]));
    expect(
      [...controllers].sort((a, b) => a! - b!),
      context,
    ).toEqual([1, 20, 22]);
    // Each note on: the previous winner's note off just before it, the winner's CC the highest then, and the notes in
    // the clip's order (chelsea → coffee → rocket → chelsea).
    const latest = new Map<number, number>();
    let sounding: number | null = null;
    const order: string[] = [];
    for (const [i, m] of played.entries()) {
      if (m[0] === 0xb0) latest.set(m[1]!, m[2]!);
      if (m[0] === 0x80) {
        expect(m, context).toEqual([0x80, sounding, 64]);
        sounding = null;
      }
      if (m[0] !== 0x90) continue;
      expect(sounding, `note on at ${i} while ${sounding} sounds: ${context}`).toBeNull();
      const label = CLIP_LABELS.find((l) => notes[l] === m[1]);
      expect(label, context).toBeDefined();
      const own = latest.get(cc[label!])!;
      for (const other of CLIP_LABELS) expect(own, context).toBeGreaterThanOrEqual(latest.get(cc[other]) ?? 0);
      expect(m[2], 'velocity: the confidence').toBe(Math.max(1, own));
      sounding = m[1]!;
      order.push(label!);
    }
    for (let i = 1; i < order.length; i++)
      expect(order[i], order.join(' → ')).toBe(CLIP_LABELS[(CLIP_LABELS.indexOf(order[i - 1] as never) + 1) % 3]);

    // Send test CC: rocket's CC alone at 127, and nothing else for the pause (the DAW learns this one).
    const beforeTest = await count(page);
    await page.getByRole('button', { name: 'Send test CC for rocket' }).click();
    const afterTest = await until(page, beforeTest, 'the test CC', [0xb0, 22, 127]);
    const at = beforeTest + afterTest.findIndex((m) => matches(m, [0xb0, 22, 127]));
    await expect
      .poll(() => page.getByTestId('midi-last').textContent())
      .toBe('B0 16 7F  ch 1 CC 22 = 127  (test: MIDI learn)');
    await page.waitForFunction((at) => window.midiIn.length > at + 1, at, { timeout: 30_000 });
    const gap = await page.evaluate((at) => window.midiAt[at + 1]! - window.midiAt[at]!, at);
    expect(gap).toBeGreaterThanOrEqual(LEARN_PAUSE_MS - 50);

    // The map edited: rocket on CC 70 from now on.
    const beforeEdit = await count(page);
    await page.getByLabel('CC for rocket', { exact: true }).fill('70');
    await page.getByLabel('CC for rocket', { exact: true }).press('Tab');
    await until(page, beforeEdit, 'rocket on CC 70', [0xb0, 70, null]);
    await page.waitForSelector('[data-testid="midi-status"][data-status="connected"]');

    // Stop predicting: the sounding note ends, then All Notes Off.
    await expect
      .poll(
        async () =>
          (await page.evaluate(() => window.midiIn)).slice(beforeEdit).filter((m) => matches(m, NOTE_ON)).length,
        {
          timeout: 60_000,
        },
      )
      .toBeGreaterThanOrEqual(1);
    const beforeStop = await count(page);
    await page.getByRole('button', { name: 'Stop predicting' }).click();
    await until(page, beforeStop, 'All Notes Off after the stop', ALL_NOTES_OFF);
    expectSilenced(await page.evaluate(() => window.midiIn), beforeStop);

    // Predicting again, then the worker crashes: the note ends (All Notes Off), and after the restart notes play on.
    await page.getByRole('button', { name: 'Start predicting' }).click();
    const beforeRun = await count(page);
    await until(page, beforeRun, 'a note on after Start', NOTE_ON);
    const beforeCrash = await count(page);
    await crash(engineWorker(page));
    await until(page, beforeCrash, 'All Notes Off after the crash', ALL_NOTES_OFF);
    const afterSilence = expectSilenced(await page.evaluate(() => window.midiIn), beforeCrash) + 1;
    await expect
      .poll(() => page.getByTestId('error').textContent(), { timeout: 60_000 })
      .toContain("The engine's worker stopped");
    await until(page, afterSilence, 'a note on after the restart', NOTE_ON);

    // Kept with the project: the map as edited after a reload.
    await page.evaluate(() => window.midiIn.splice(0));
    await page.reload();
    await studioReady(page);
    await page.waitForSelector('[data-testid="midi-status"][data-status="connected"]');
    expect(await page.getByLabel('MIDI', { exact: true }).isChecked()).toBe(true);
    expect(await map()).toEqual([
      ['chelsea', '20', '60'],
      ['coffee', '1', '36'],
      ['rocket', '70', '62'],
    ]);
    await page.locator('.output.midi').scrollIntoViewIfNeeded();
    await page.locator('.output.midi').screenshot({ path: join(SHOTS, 'studio-midi.png') });
  });

  test('MIDI refused, or no port: the status says so, and what to do', async () => {
    const refused = await studio({ allow: false });
    await statusSays(
      refused.page,
      /^disconnected · 0 sent · \d+ dropped — MIDI access was refused: allow MIDI devices for this site .* then reload the page$/,
    );
    await refused.page.getByTestId('midi-status').screenshot({ path: join(SHOTS, 'studio-midi-refused.png') });
    const none = await studio({ port: false });
    await statusSays(
      none.page,
      /^disconnected · 0 sent · \d+ dropped — no MIDI output port on this computer: create one \(IAC Driver on macOS, loopMIDI on Windows\)/,
    );
  });
});
