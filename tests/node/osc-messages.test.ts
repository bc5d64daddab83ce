/**
 * The OSC address space and control decoding, message by message (pure functions; the bridge and
 * the receivers are tested for real in outputs.test.ts and bridge.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OSC from 'osc-js';
import { describe, expect, test } from 'vitest';
import { decodePacket, toCommand } from '../../src/outputs/control';
import { toJson } from '../../src/outputs/json-output';
import { addressParts, checkPrefix, safeAddressPart } from '../../src/outputs/osc-address';
import { freshMemory, pack, toOscMessages } from '../../src/outputs/osc-messages';
import { OSC_OUTPUT_DEFAULTS, oscOutput } from '../../src/outputs/osc-output';
import { PATCH_CONTROLS, typed } from '../support/bridge';
import { REPO } from '../support/paths';
import { prediction } from '../support/prediction';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const tw = { prefix: '/tw', mode: 'tw' as const, labelEveryFrame: false, perLabel: true };
const show = (ms: InstanceType<typeof OSC.TypedMessage>[]) =>
  ms.map((m) => `${m.address} ,${m.types} ${m.args.map(String).join(' ')}`.trim());

describe('trainwhistle address space', () => {
  test('first prediction: labels, label, class, one message per label, and all confidences — floats typed f even at 0 and 1', () => {
    const memory = freshMemory();
    expect(show(toOscMessages(prediction('ukulele', { ukulele: 1, 'train whistle': 0 }), memory, tw))).toEqual([
      '/tw/labels ,ss ukulele train whistle',
      '/tw/label ,s ukulele',
      '/tw/class ,i 0',
      '/tw/confidence/ukulele ,f 1',
      '/tw/confidence/train_whistle ,f 0',
      '/tw/confidences ,ff 1 0',
    ]);
  });

  test('label and class only on change (or every frame when asked); labels only when the set changes', () => {
    const memory = freshMemory();
    toOscMessages(prediction('a', { a: 0.9, b: 0.1 }), memory, tw);
    expect(show(toOscMessages(prediction('a', { a: 0.8, b: 0.2 }), memory, tw)).map((s) => s.split(' ')[0])).toEqual([
      '/tw/confidence/a',
      '/tw/confidence/b',
      '/tw/confidences',
    ]);
    expect(show(toOscMessages(prediction('b', { a: 0.3, b: 0.7 }), memory, tw)).slice(0, 2)).toEqual([
      '/tw/label ,s b',
      '/tw/class ,i 1',
    ]);
    expect(
      show(
        toOscMessages(prediction('b', { a: 0.3, b: 0.7 }), memory, { ...tw, labelEveryFrame: true, perLabel: false }),
      ),
    ).toEqual(['/tw/label ,s b', '/tw/class ,i 1', '/tw/confidences ,ff 0.3 0.7']);
    expect(show(toOscMessages(prediction('c', { a: 0.1, b: 0.1, c: 0.8 }), memory, tw))[0]).toBe(
      '/tw/labels ,sss a b c',
    );
    expect(show(toOscMessages(prediction('unknown', { a: 0.4, b: 0.3, c: 0.3 }), memory, tw))[0]).toBe(
      '/tw/label ,s unknown',
    );
    expect(show(toOscMessages(prediction('unknown', { a: 0.4, b: 0.3, c: 0.3 }), freshMemory(), tw))).toContain(
      '/tw/class ,i -1',
    );
  });

  test('regression: one message per output and all outputs in one', () => {
    const p = prediction('', {}, { values: { x: 0.25, 'y axis': 1 } });
    expect(show(toOscMessages(p, freshMemory(), { ...tw, prefix: '/my/patch' }))).toEqual([
      '/my/patch/output/x ,f 0.25',
      '/my/patch/output/y_axis ,f 1',
      '/my/patch/outputs ,ff 0.25 1',
    ]);
  });

  test('Wekinator mode: /wek/outputs with the class number 1..N, or the regression values', () => {
    const wek = { ...tw, mode: 'wekinator' as const };
    expect(show(toOscMessages(prediction('b', { a: 0.2, b: 0.8 }), freshMemory(), wek))).toEqual(['/wek/outputs ,f 2']);
    expect(show(toOscMessages(prediction('', {}, { values: { x: 0, y: 0.5 } }), freshMemory(), wek))).toEqual([
      '/wek/outputs ,ff 0 0.5',
    ]);
  });

  test('bundles carry every message and the frame time as their timetag', () => {
    const messages = toOscMessages(prediction('a', { a: 1, b: 0 }), freshMemory(), tw);
    const [packet] = pack(messages, Date.UTC(2026, 10, 28, 12, 0, 0));
    const decoded = new OSC.Packet();
    decoded.unpack(new DataView(packet!.buffer, packet!.byteOffset, packet!.byteLength));
    const bundle = decoded.value as InstanceType<typeof OSC.Bundle>;
    expect(bundle).toBeInstanceOf(OSC.Bundle);
    expect(bundle.bundleElements.map((m: { address: string }) => m.address)).toEqual(messages.map((m) => m.address));
    expect(bundle.timetag.value.timestamp()).toBe(Date.UTC(2026, 10, 28, 12, 0, 0));
  });

  test('labels outside ASCII go out as UTF-8, in strings and in addresses', () => {
    const messages = toOscMessages(prediction('café', { café: 0.5, ギター: 0.5 }), freshMemory(), tw);
    const bytes = Buffer.concat(pack(messages));
    expect(bytes.includes(Buffer.from('caf\u00e9', 'utf8'))).toBe(true);
    expect(bytes.includes(Buffer.from('/tw/confidence/ギター\0', 'utf8'))).toBe(true);
  });

  test('labels become safe, distinct address parts; bad prefixes are refused', () => {
    expect(safeAddressPart('water bottle #2 {big}')).toBe('water_bottle__2__big_');
    expect(safeAddressPart('   ')).toBe('_');
    expect([...addressParts(['a b', 'a_b', 'a/b']).values()]).toEqual(['a_b', 'a_b_2', 'a_b_3']);
    expect(() => checkPrefix('tw')).toThrow(/must look like \/tw/);
    expect(() => checkPrefix('/t w')).toThrow(RangeError);
    expect(() => checkPrefix('/my/patch')).not.toThrow();
  });
});

describe('defaults', () => {
  test('oscOutput() takes OSC_OUTPUT_DEFAULTS, and the README states them', () => {
    const output = oscOutput();
    expect(output.name).toBe(`osc ${OSC_OUTPUT_DEFAULTS.url}`);
    output.close();
    const written = Object.entries(OSC_OUTPUT_DEFAULTS)
      .map(([key, value]) => `${key}: ${typeof value === 'string' ? `'${value}'` : String(value)}`)
      .join(', ');
    expect(README.replace(/\s+/g, ' ')).toContain(`take \`OSC_OUTPUT_DEFAULTS\`: \`{ ${written} }\``);
  });
});

describe('JSON', () => {
  test('the documented schema, with wall-clock time; regression values only for regression', () => {
    expect(toJson(prediction('a', { a: 0.75, b: 0.25 }, { t: 500 }))).toEqual({
      type: 'prediction',
      t: performance.timeOrigin + 500,
      label: 'a',
      confidences: { a: 0.75, b: 0.25 },
      latencyMs: 5,
    });
    expect(toJson(prediction('', {}, { t: 500, values: { x: 0.25, 'y axis': 1 } }))).toEqual({
      type: 'prediction',
      t: performance.timeOrigin + 500,
      label: '',
      confidences: {},
      values: { x: 0.25, 'y axis': 1 },
      latencyMs: 5,
    });
    // Several people: everyone in view, as the prediction has them, and who came and went.
    const person = {
      id: 4,
      keypoints: [{ name: 'nose' as const, x: 0.5, y: 0.25, score: 0.75 }],
      box: { xMin: 0.25, yMin: 0, xMax: 0.75, yMax: 1 },
      score: 0.5,
      label: 'a',
      confidence: 0.75,
    };
    const people = toJson(
      prediction('a', { a: 0.75 }, { people: [person], peopleChanged: { entered: [4], left: [2] } }),
    );
    expect(JSON.parse(JSON.stringify(people))).toMatchObject({
      people: [person],
      peopleChanged: { entered: [4], left: [2] },
    });
  });

  test("the README's example line has the fields a prediction's JSON has, in the same order", () => {
    const example = /```json\n(.*)\n```/.exec(README)![1]!;
    const documented = JSON.parse(example) as Record<string, unknown>;
    expect(Object.keys(toJson(prediction('a', { a: 0.75, b: 0.25 })))).toEqual(Object.keys(documented));
  });
});

describe('control in', () => {
  const decode = (m: InstanceType<typeof OSC.Message> | InstanceType<typeof OSC.Bundle>) => {
    const bytes = m.pack();
    return decodePacket(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  };

  test('trainwhistle and Wekinator addresses become commands; others none', () => {
    expect(toCommand('/tw/record', ['ukulele', 1])).toEqual({ kind: 'record', label: 'ukulele', on: true });
    expect(toCommand('/tw/record', ['ukulele', 0])).toEqual({ kind: 'record', label: 'ukulele', on: false });
    expect(toCommand('/tw/train', [])).toEqual({ kind: 'train' });
    expect(toCommand('/tw/run', [0])).toEqual({ kind: 'run', on: false });
    expect(toCommand('/tw/clear', ['ukulele'])).toEqual({ kind: 'clear', label: 'ukulele' });
    expect(toCommand('/p/train', [], '/p')).toEqual({ kind: 'train' });
    expect(toCommand('/wekinator/control/startRecording', [])).toEqual({ kind: 'recordTarget', on: true });
    expect(toCommand('/wekinator/control/outputs', [2])).toEqual({ kind: 'target', values: [2] });
    expect(toCommand('/wekinator/control/deleteAllExamples', [])).toEqual({ kind: 'clearAll' });
    expect(toCommand('/tw/record', [])).toBeNull();
    expect(toCommand('/tw/explode', [])).toBeNull();
  });

  test('packets decode, bundles into each message; garbage into nothing', () => {
    expect(decode(new OSC.Message('/tw/record', 'cup', 1))).toEqual([{ address: '/tw/record', args: ['cup', 1] }]);
    const bundle = new OSC.Bundle([new OSC.Message('/tw/train'), new OSC.Message('/tw/run', 1)]);
    expect(decode(bundle).map((m) => m.address)).toEqual(['/tw/train', '/tw/run']);
    expect(decodePacket(new Uint8Array([1, 2, 3, 4, 5]).buffer)).toEqual([]);
    const fromMax = toOscMessages(prediction('café', { café: 1 }), freshMemory(), { ...tw, perLabel: false })[1]!; // /tw/label ,s café, as UTF-8
    expect(decode(fromMax as unknown as InstanceType<typeof OSC.Message>)).toEqual([
      { address: '/tw/label', args: ['café'] },
    ]);
  });

  /** What controlInput() makes of a packet from the bridge: each message's command, or null. */
  const commandsIn = (bytes: Uint8Array, prefix?: string) =>
    decodePacket(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer).map((m) =>
      toCommand(m.address, m.args, prefix),
    );

  test("Wekinator's control and /tw/clear, as Max (ints) and Wekinator (floats) send them, decode to their commands", () => {
    for (const { name, bytes, commands } of PATCH_CONTROLS) expect(commandsIn(bytes), name).toEqual(commands);
  });

  test('what the control paths refuse: outputs without a number, clear without a label, another prefix', () => {
    expect(commandsIn(new OSC.Message('/wekinator/control/outputs').pack())).toEqual([null]);
    expect(commandsIn(typed('/wekinator/control/outputs', ['s', 'two']))).toEqual([null]);
    expect(commandsIn(new OSC.Message('/tw/clear').pack())).toEqual([null]);
    expect(commandsIn(typed('/tw/clear', ['s', 'hat']), '/cam1')).toEqual([null]);
    expect(commandsIn(typed('/cam1/clear', ['s', 'hat']), '/cam1')).toEqual([{ kind: 'clear', label: 'hat' }]);
    // Wekinator's own addresses do not move with the prefix.
    expect(commandsIn(new OSC.Message('/wekinator/control/stopRecording').pack(), '/cam1')).toEqual([
      { kind: 'recordTarget', on: false },
    ]);
  });
});
