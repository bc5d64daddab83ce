/**
 * Pose and gestures over OSC: the keypoints of pose predictions (`oscOutput({ pose: true })`), "nobody in
 * view", and gestures recognised — message by message, then through the real bridge to liblo's oscdump (an
 * independent decoder), at a limited rate, with what `OutputState.last` says.
 */
import OSC from 'osc-js';
import { filter, firstValueFrom } from 'rxjs';
import WebSocket from 'ws';
import { afterEach, describe, expect, test } from 'vitest';
import { freshMemory, isUrgent, oscText, toOscMessages, type OscMessageOptions } from '../../src/outputs/osc-messages';
import { oscOutput, type OscOutputOptions } from '../../src/outputs/osc-output';
import type { Output, OutputState } from '../../src/outputs/output';
import { KEYPOINT_NAMES, type Person, type Pose } from '../../src/protocol/pose';
import { HAND_KEYPOINT_NAMES, type Hand } from '../../src/protocol/hand';
import type { GestureEvent, Prediction } from '../../src/protocol/engine-api';
import { cleanUp, startBridge } from '../support/bridge';
import { startOscdump } from '../support/oscdump';

globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;
afterEach(cleanUp);

/** A body whose keypoint i is at (i/20, 1 − i/20), sure of itself (0.5 + i/40), unless nobody is there. */
const body = (noPerson = false, shift = 0): Pose => ({
  keypoints: KEYPOINT_NAMES.map((name, i) => ({
    name,
    x: i / 20 + shift,
    y: 1 - i / 20,
    score: noPerson ? 0.05 : 0.5 + i / 40,
  })),
  noPerson,
});

const prediction = (extra: Partial<Prediction> = {}): Prediction => ({
  label: '',
  confidences: {},
  t: 1000,
  latencyMs: 5,
  timings: { fromPixels: 1, infer: 3, head: 0, total: 4 },
  tensors: 10,
  ...extra,
});
/** A trained pose classifier's prediction. */
const classified = (label: string, pose = body(), t = 1000): Prediction =>
  prediction({ label, confidences: { up: label === 'up' ? 0.9 : 0.1, down: label === 'down' ? 0.9 : 0.1 }, pose, t });
/** A gesture head's prediction; `match` when this frame completed a gesture. */
const gesture = (match: GestureEvent | null, t = 1000): Prediction =>
  prediction({
    label: match ? match.name : '',
    confidences: { wave: match ? 0.8 : 0.1, clap: 0.1 },
    pose: body(),
    t,
    gesture: { nearest: 'wave', distances: { wave: match?.distance ?? 0.4, clap: 0.5 }, match },
  });
const WAVE: GestureEvent = { name: 'wave', distance: 0.0625, t: 1000, durationMs: 900 };

const tw: OscMessageOptions = { prefix: '/tw', mode: 'tw', labelEveryFrame: false, perLabel: false, pose: true };
const addresses = (p: Prediction, memory = freshMemory(), o: OscMessageOptions = tw) =>
  toOscMessages(p, memory, o).map((m) => `${m.address} ,${m.types}`);

describe('pose messages', () => {
  test('an untrained pose pipeline: the presence, then each keypoint (x, y, score) and all 51 in one, in KEYPOINT_NAMES order', () => {
    const messages = toOscMessages(prediction({ pose: body() }), freshMemory(), tw);
    expect(messages.map((m) => `${m.address} ,${m.types}`)).toEqual([
      '/tw/noperson ,i',
      ...KEYPOINT_NAMES.map((name) => `/tw/pose/${name} ,fff`),
      `/tw/pose ,${'f'.repeat(51)}`,
    ]);
    expect(messages[0]!.args).toEqual([0]);
    expect(messages[1]!.args).toEqual([0, 1, 0.5]); // nose
    expect(messages[17]!.args).toEqual([16 / 20, 1 - 16 / 20, 0.5 + 16 / 40]); // right_ankle
    expect(messages[18]!.args.slice(0, 6)).toEqual([0, 1, 0.5, 1 / 20, 1 - 1 / 20, 0.5 + 1 / 40]);
    // No classes yet: no label, class or confidences to say.
    expect(messages.some((m) => /label|class|confidence/.test(m.address))).toBe(false);
  });

  test('nobody in view: /noperson 1 once, no keypoints (MoveNet guesses then), /noperson 0 when someone is back', () => {
    const memory = freshMemory();
    addresses(classified('up'), memory);
    expect(addresses(classified('', body(true)), memory)).toEqual([
      '/tw/label ,s',
      '/tw/class ,i',
      '/tw/confidences ,ff',
      '/tw/noperson ,i',
    ]);
    const nobodyStill = toOscMessages(classified('', body(true)), memory, tw);
    expect(oscText(nobodyStill)).toBe('/tw/confidences 0.100 0.100');
    const back = toOscMessages(classified('up'), memory, tw);
    expect(back.map((m) => m.address).slice(0, 4)).toEqual([
      '/tw/label',
      '/tw/class',
      '/tw/confidences',
      '/tw/noperson',
    ]);
    expect(back[3]!.args).toEqual([0]);
    expect(back).toHaveLength(4 + 17 + 1);
  });

  test('without pose: true, or for a prediction without a pose, nothing of the pose is sent', () => {
    expect(addresses(classified('up'), freshMemory(), { ...tw, pose: false })).toEqual([
      '/tw/labels ,ss',
      '/tw/label ,s',
      '/tw/class ,i',
      '/tw/confidences ,ff',
    ]);
    const image = prediction({ label: 'a', confidences: { a: 1 } });
    expect(addresses(image).some((a) => a.includes('pose') || a.includes('noperson'))).toBe(false);
  });

  test('another prefix moves every pose address', () => {
    expect(addresses(prediction({ pose: body() }), freshMemory(), { ...tw, prefix: '/cam2' })[1]).toBe(
      '/cam2/pose/nose ,fff',
    );
  });
});

describe('gesture messages', () => {
  test('/gesture ,sf with the name and distance on the frame that completed it, and only then', () => {
    const memory = freshMemory();
    const before = toOscMessages(gesture(null), memory, { ...tw, pose: false });
    expect(before.some((m) => m.address === '/tw/gesture')).toBe(false);
    const matched = toOscMessages(gesture(WAVE, 1100), memory, { ...tw, pose: false });
    const g = matched.find((m) => m.address === '/tw/gesture')!;
    expect(g.types).toBe('sf');
    expect(oscText([g])).toBe('/tw/gesture "wave" 0.063');
    expect(matched.map((m) => m.address)).toEqual(['/tw/label', '/tw/class', '/tw/gesture', '/tw/confidences']);
  });

  test('a gesture, a new label and someone coming or going are urgent: they pass any rate limit', () => {
    const memory = freshMemory();
    toOscMessages(gesture(null), memory, tw);
    expect(isUrgent(gesture(null, 1010), memory, { pose: true })).toBe(false);
    expect(isUrgent(gesture(WAVE, 1010), memory, { pose: true })).toBe(true);
    expect(isUrgent({ ...gesture(null, 1010), pose: body(true) }, memory, { pose: true })).toBe(true);
    expect(isUrgent({ ...gesture(null, 1010), pose: body(true) }, memory, {})).toBe(false);
    expect(isUrgent({ ...gesture(null, 1010), label: 'clap' }, memory, {})).toBe(true);
  });

  test('in both modes, hands still in view and the same people are not urgent: the rate limit holds', () => {
    const hand: Hand = {
      id: 1,
      handedness: 'Left',
      score: 0.99,
      keypoints: HAND_KEYPOINT_NAMES.map((name) => ({ name, x: 0.5, y: 0.5, z: 0, score: 0.99 })),
    };
    const person = { id: 1, keypoints: body().keypoints, box: { xMin: 0, yMin: 0, xMax: 1, yMax: 1 }, score: 0.9 };
    const seen = (t: number): Prediction => ({
      ...gesture(null, t),
      hands: [hand],
      people: [person],
      peopleChanged: { entered: [], left: [] },
    });
    for (const mode of ['tw', 'wekinator'] as const) {
      const o = { ...tw, mode, hands: true, people: true };
      const memory = freshMemory();
      toOscMessages(seen(1000), memory, o);
      expect(isUrgent(seen(1010), memory, o), mode).toBe(false);
      expect(isUrgent({ ...seen(1010), hands: [] }, memory, o), `${mode}: the hand gone`).toBe(true);
      expect(isUrgent({ ...seen(1010), people: [] }, memory, o), `${mode}: the person gone`).toBe(true);
    }
  });
});

describe('Wekinator mode', () => {
  const wek = { ...tw, mode: 'wekinator' as const };
  test('the pose as Wekinator inputs, a gesture as /output_<n> (n = its place, 1..N), the class number as ever', () => {
    const memory = freshMemory();
    expect(addresses(gesture(null), memory, wek)).toEqual(['/wek/outputs ,f', `/wek/inputs ,${'f'.repeat(51)}`]);
    const matched = toOscMessages(gesture({ ...WAVE, name: 'clap' }), memory, wek);
    expect(matched.map((m) => `${m.address} ,${m.types}`)).toEqual([
      '/wek/outputs ,f',
      '/output_2 ,',
      `/wek/inputs ,${'f'.repeat(51)}`,
    ]);
    expect(matched[0]!.args).toEqual([2]); // the label: the gesture under way
    // Nobody in view: Wekinator gets no inputs (it would learn MoveNet's guesses); untrained: no outputs.
    expect(addresses(prediction({ pose: body(true) }), freshMemory(), wek)).toEqual([]);
  });

  test("a pose with hands beside it (also: hands): one list of inputs, the pose's 51 then the hand's 63", () => {
    const hand: Hand = {
      id: 1,
      handedness: 'Right',
      score: 0.99,
      keypoints: HAND_KEYPOINT_NAMES.map((name) => ({ name, x: 0.25, y: 0.5, z: 0.125, score: 0.99 })),
    };
    const both = { ...gesture(null), hands: [hand] };
    const out = toOscMessages(both, freshMemory(), { ...wek, hands: true });
    expect(out.map((m) => `${m.address} ,${m.types}`)).toEqual(['/wek/outputs ,f', `/wek/inputs ,${'f'.repeat(114)}`]);
    expect(out[1]!.args.slice(0, 51)).toEqual(toOscMessages(gesture(null), freshMemory(), wek)[1]!.args);
    expect(out[1]!.args.slice(51, 54)).toEqual([0.25, 0.5, 0.125]);
    // Nobody in view, a hand still: the hand's alone.
    expect(addresses({ ...both, pose: body(true) }, freshMemory(), { ...wek, hands: true })).toEqual([
      '/wek/outputs ,f',
      `/wek/inputs ,${'f'.repeat(63)}`,
    ]);
  });
});

describe('through the bridge, read by liblo (oscdump)', () => {
  const state = (output: Output, check: (s: OutputState) => boolean) =>
    firstValueFrom(output.status$.pipe(filter(check)));

  /** Sends `predictions` through a real bridge to oscdump; returns what each send returned and the lines read. */
  async function run(options: OscOutputOptions, predictions: Prediction[]) {
    const dump = await startOscdump();
    try {
      const bridge = await startBridge(['--send', `127.0.0.1:${dump.port}`]);
      const output = oscOutput({ url: `ws://127.0.0.1:${bridge.wsPort}`, ...options });
      output.connect();
      await state(output, (s) => s.status === 'connected');
      const sent = predictions.map((p) => output.send(p));
      const last = (await state(output, (s) => s.sent === sent.filter(Boolean).length)).last;
      // Once the bridge has seen the output leave, it has handled all it sent (the bridge reads each page's
      // messages in turn, so a marker from another page sent earlier could overtake them); then a marker.
      output.close();
      await expect.poll(() => bridge.stdout(), { timeout: 10_000 }).toMatch(/client left/);
      const marker = new OSC.Message('/end').pack();
      const ws = new WebSocket(`ws://127.0.0.1:${bridge.wsPort}`);
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(marker);
      const isMarker = (l: string) => l.trimEnd() === '/end';
      while (!dump.all.some(isMarker)) await dump.lines.next();
      ws.close();
      return { sent, last, lines: dump.all.slice(0, dump.all.findIndex(isMarker)) };
    } finally {
      dump.stop();
    }
  }

  test('keypoints, the flat 51, nobody in view and a gesture arrive as liblo reads them', async () => {
    const { lines, last } = await run({ pose: true, perLabel: false }, [
      gesture(null, 1000),
      { ...gesture(null, 1033), pose: body(true) },
      gesture(WAVE, 1066),
    ]);
    const f = (x: number) => x.toFixed(6);
    const k = (i: number) => `${f(i / 20)} ${f(1 - i / 20)} ${f(0.5 + i / 40)}`;
    const first = [
      '/tw/labels ss "wave" "clap"',
      '/tw/label s ""',
      '/tw/class i -1',
      '/tw/confidences ff 0.100000 0.100000',
      '/tw/noperson i 0',
      ...KEYPOINT_NAMES.map((name, i) => `/tw/pose/${name} fff ${k(i)}`),
      `/tw/pose ${'f'.repeat(51)} ${KEYPOINT_NAMES.map((_, i) => k(i)).join(' ')}`,
    ];
    expect(lines.slice(0, first.length)).toEqual(first);
    expect(lines.slice(first.length, first.length + 2)).toEqual([
      '/tw/confidences ff 0.100000 0.100000',
      '/tw/noperson i 1',
    ]);
    const third = lines.slice(first.length + 2);
    expect(third.slice(0, 5)).toEqual([
      '/tw/label s "wave"',
      '/tw/class i 0',
      '/tw/gesture sf "wave" 0.062500',
      '/tw/confidences ff 0.800000 0.100000',
      '/tw/noperson i 0',
    ]);
    expect(third).toHaveLength(5 + 17 + 1);
    // What the app shows as "last sent" is what went out last, line by line: oscdump's lines, less the type
    // tags, floats to 3 decimals.
    const shown = (line: string) => {
      const [address, types, ...values] = line.split(' ');
      return [address, ...values.map((v, i) => (types![i] === 'f' ? Number(v).toFixed(3) : v))].join(' ');
    };
    expect(last!.split('\n')).toEqual(third.map(shown));
    expect(last!.split('\n').slice(0, 3)).toEqual(['/tw/label "wave"', '/tw/class 0', '/tw/gesture "wave" 0.063']);
  });

  test('at most 10 a second, by frame time: the pose waits its turn, a gesture or someone leaving does not', async () => {
    // The label stays '' throughout, so that only the gesture and the presence can make a frame urgent.
    const frames = [
      gesture(null, 0),
      gesture(null, 40), // too soon
      { ...gesture(WAVE, 80), label: '' }, // a gesture: at once
      gesture(null, 120), // too soon after 80
      { ...gesture(null, 160), pose: body(true) }, // nobody now: at once
      gesture(null, 300), // someone back (and 140 ms since the last)
      gesture(null, 330), // too soon
    ];
    const { sent, lines } = await run({ pose: true, rate: 10, perLabel: false }, frames);
    expect(sent).toEqual([true, false, true, false, true, true, false]);
    expect(lines.filter((l) => l.startsWith('/tw/gesture '))).toEqual(['/tw/gesture sf "wave" 0.062500']);
    expect(lines.filter((l) => l.startsWith('/tw/noperson '))).toEqual([
      '/tw/noperson i 0',
      '/tw/noperson i 1',
      '/tw/noperson i 0',
    ]);
    expect(lines.filter((l) => l.startsWith('/tw/pose '))).toHaveLength(3);
  });

  test("people by id: the count on change, enter and leave at once whatever the rate, each one's pose and label", async () => {
    const person = (id: number, label?: string): Person => ({
      id,
      keypoints: body(false, id / 100).keypoints,
      box: { xMin: 0, yMin: 0, xMax: 0.5, yMax: 1 },
      score: 0.8,
      ...(label ? { label, confidence: 0.75 } : {}),
    });
    const everyone = (t: number, people: Person[], entered: number[] = [], left: number[] = []) => ({
      ...classified('up', body(), t),
      people,
      peopleChanged: { entered, left },
    });
    const frames = [
      everyone(0, [person(1, 'up'), person(2, 'down')], [1, 2]),
      everyone(40, [person(1, 'up'), person(2, 'down')]), // too soon, nothing new
      everyone(80, [person(1, 'up')]), // 2 out of view, not yet gone: the count changes, at once
      everyone(120, [person(1, 'up')]), // too soon
      everyone(600, [person(1, 'up')], [], [2]), // 2 has left
      everyone(620, [person(1, 'up'), person(3)], [3]), // someone new, at once
    ];
    const { sent, lines } = await run({ people: true, rate: 10, perLabel: false }, frames);
    expect(sent).toEqual([true, false, true, false, true, true]);
    const about = lines.filter((l) => /^\/tw\/(people|person)/.test(l)).map((l) => l.replace(/( [\d.]+){51}$/, ' …51'));
    expect(about).toEqual([
      '/tw/people i 2',
      '/tw/person/1/enter ',
      '/tw/person/2/enter ',
      `/tw/person/1/pose ${'f'.repeat(51)} …51`,
      '/tw/person/1/label sf "up" 0.750000',
      `/tw/person/2/pose ${'f'.repeat(51)} …51`,
      '/tw/person/2/label sf "down" 0.750000',
      '/tw/people i 1',
      `/tw/person/1/pose ${'f'.repeat(51)} …51`,
      '/tw/person/1/label sf "up" 0.750000',
      '/tw/person/2/leave ',
      `/tw/person/1/pose ${'f'.repeat(51)} …51`,
      '/tw/person/1/label sf "up" 0.750000',
      '/tw/people i 2',
      '/tw/person/3/enter ',
      `/tw/person/1/pose ${'f'.repeat(51)} …51`,
      '/tw/person/1/label sf "up" 0.750000',
      `/tw/person/3/pose ${'f'.repeat(51)} …51`,
    ]);
    // Each person's 51 are theirs: person 1's first keypoint at x 0.01, person 3's at 0.03.
    expect(lines.find((l) => l.startsWith('/tw/person/3/pose'))).toMatch(/ f+ 0\.030000 1\.000000 0\.500000 /);
  });

  test('hands: each keypoint x y z by side, the 63 in one, no hand in view at once whatever the rate; Wekinator gets the 63 of each, right hand first', async () => {
    const hand = (handedness: 'Left' | 'Right', shift: number): Hand => ({
      id: handedness === 'Left' ? 1 : 2,
      handedness,
      score: 0.99,
      keypoints: HAND_KEYPOINT_NAMES.map((name, i) => ({
        name,
        x: i / 40 + shift,
        y: 1 - i / 40,
        z: i / 100,
        score: 0.99,
      })),
    });
    const withHands = (t: number, hands: Hand[]) => ({ ...prediction({ t }), hands });
    const frames = [
      withHands(0, [hand('Left', 0), hand('Right', 0.25)]),
      withHands(40, [hand('Left', 0)]), // too soon
      withHands(80, []), // no hand: at once
      withHands(300, [hand('Right', 0.25)]),
    ];
    const { sent, lines } = await run({ hands: true, rate: 10, perLabel: false }, frames);
    expect(sent).toEqual([true, false, true, true]);
    const f = (x: number) => x.toFixed(6);
    const k = (i: number, shift: number) => `${f(i / 40 + shift)} ${f(1 - i / 40)} ${f(i / 100)}`;
    expect(lines.filter((l) => l.startsWith('/tw/nohand '))).toEqual([
      '/tw/nohand i 0',
      '/tw/nohand i 1',
      '/tw/nohand i 0',
    ]);
    expect(lines).toContain(`/tw/hand/left/wrist fff ${k(0, 0)}`);
    expect(lines).toContain(`/tw/hand/right/pinky_tip fff ${k(20, 0.25)}`);
    expect(lines.filter((l) => l.startsWith('/tw/hand/left '))).toEqual([
      `/tw/hand/left ${'f'.repeat(63)} ${HAND_KEYPOINT_NAMES.map((_, i) => k(i, 0)).join(' ')}`,
    ]);
    expect(lines.filter((l) => l.startsWith('/tw/hand/right '))).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('/tw/hand/right/'))).toHaveLength(2 * 21);

    const wek = await run({ hands: true, mode: 'wekinator' }, [frames[0]!]);
    const inputs = wek.lines.find((l) => l.startsWith('/wek/inputs '))!;
    expect(inputs).toMatch(new RegExp(`^/wek/inputs ${'f'.repeat(126)} `));
    // The right hand's 63 first: its wrist at x 0.25.
    expect(inputs.split(' ').slice(2, 5)).toEqual(k(0, 0.25).split(' '));
  });

  test('Wekinator mode: /wek/inputs carries the 51, and /output_1 the gesture', async () => {
    const { lines } = await run({ pose: true, mode: 'wekinator' }, [gesture(WAVE)]);
    expect(lines[0]).toBe('/wek/outputs f 1.000000');
    expect(lines[1]!.trimEnd()).toBe('/output_1');
    expect(lines[2]).toMatch(new RegExp(`^/wek/inputs ${'f'.repeat(51)} 0\\.000000 1\\.000000 0\\.500000 `));
    expect(lines).toHaveLength(3);
  });
});
