/**
 * Predictions → MIDI 1.0 bytes, message by message (pure functions; the port, the permission and the studio are
 * tested in real Chromium against a simulated MIDIAccess in tests/browser/midi.test.ts). Every expected message
 * is written as the MIDI 1.0 tables write it: status byte in hex (kind | channel - 1), then the data bytes.
 */
import { describe, expect, test } from 'vitest';
import {
  defaultController,
  defaultNote,
  freshMidiMemory,
  midiSlots,
  midiText,
  silence,
  to14Bit,
  to7Bit,
  toMidiMessages,
  type MidiMessageOptions,
} from '../../src/outputs/midi-messages';
import { MIDI_OUTPUT_DEFAULTS, midiOutput } from '../../src/outputs/midi-output';
import type { Prediction } from '../../src/protocol/engine-api';
import { prediction } from '../support/prediction';

const regression = (values: Record<string, number>): Prediction => prediction('', {}, { values });
const channel1: MidiMessageOptions = { channel: 1, map: {}, velocity: 'confidence', fourteenBit: false };

describe('classes: a control change each, a note while one wins', () => {
  test('first prediction: CC 20, 21 with each confidence × 127, then note on 60 (C4) for the winner at its confidence', () => {
    const memory = freshMidiMemory();
    expect(toMidiMessages(prediction('cat', { cat: 0.9, dog: 0.1 }), memory, channel1)).toEqual([
      [0xb0, 20, 114], // Control Change, ch 1, controller 20, round(0.9 × 127) = 114
      [0xb0, 21, 13], //  Control Change, ch 1, controller 21, round(0.1 × 127) = 13
      [0x90, 60, 114], // Note On, ch 1, note 60, velocity 114
    ]);
    expect([...memory.sounding]).toEqual([60]);
  });

  test('the label changes: the CCs that moved, then note off for the old winner (velocity 64), then note on for the new', () => {
    const memory = freshMidiMemory();
    toMidiMessages(prediction('cat', { cat: 0.9, dog: 0.1 }), memory, channel1);
    expect(toMidiMessages(prediction('dog', { cat: 0.2, dog: 0.8 }), memory, channel1)).toEqual([
      [0xb0, 20, 25],
      [0xb0, 21, 102],
      [0x80, 60, 64], // Note Off, ch 1, note 60, release velocity 64
      [0x90, 61, 102], // Note On, ch 1, note 61 (C#4), velocity 102
    ]);
    expect([...memory.sounding]).toEqual([61]);
  });

  test('the same label, values that did not move: nothing; one value moved: that CC alone', () => {
    const memory = freshMidiMemory();
    toMidiMessages(prediction('cat', { cat: 0.9, dog: 0.1 }), memory, channel1);
    expect(toMidiMessages(prediction('cat', { cat: 0.9001, dog: 0.1 }), memory, channel1)).toEqual([]);
    expect(toMidiMessages(prediction('cat', { cat: 0.95, dog: 0.1 }), memory, channel1)).toEqual([[0xb0, 20, 121]]);
  });

  test("a label that is no class ('unknown'): the note ends and none starts; a class again starts its note", () => {
    const memory = freshMidiMemory();
    toMidiMessages(prediction('cat', { cat: 1, dog: 0 }), memory, channel1);
    expect(toMidiMessages(prediction('unknown', { cat: 1, dog: 0 }), memory, channel1)).toEqual([[0x80, 60, 64]]);
    expect(memory.sounding.size).toBe(0);
    expect(toMidiMessages(prediction('dog', { cat: 1, dog: 0 }), memory, channel1)).toEqual([[0x90, 61, 1]]);
  });

  test('channel 16 is status low nibble 0xF: B F, 9 F, 8 F', () => {
    const memory = freshMidiMemory();
    const ch16 = { ...channel1, channel: 16 };
    toMidiMessages(prediction('cat', { cat: 1, dog: 0 }), memory, ch16);
    expect(toMidiMessages(prediction('dog', { cat: 0, dog: 1 }), memory, ch16)).toEqual([
      [0xbf, 20, 0],
      [0xbf, 21, 127],
      [0x8f, 60, 64],
      [0x9f, 61, 127],
    ]);
  });

  test('velocity: a confidence of 0 still sounds (velocity 1: a note on at 0 would be a note off); a fixed velocity', () => {
    expect(toMidiMessages(prediction('cat', { cat: 0 }), freshMidiMemory(), channel1)).toEqual([
      [0xb0, 20, 0],
      [0x90, 60, 1],
    ]);
    expect(toMidiMessages(prediction('cat', { cat: 0.5 }), freshMidiMemory(), { ...channel1, velocity: 100 })).toEqual([
      [0xb0, 20, 64],
      [0x90, 60, 100],
    ]);
  });

  test("the map: a class's own CC and note, null for none; the others keep their defaults by place", () => {
    const map = { cat: { cc: 1, note: 36 }, dog: { note: null } };
    const memory = freshMidiMemory();
    const o = { ...channel1, map };
    expect(toMidiMessages(prediction('cat', { cat: 0.5, dog: 0.25, bird: 0.25 }), memory, o)).toEqual([
      [0xb0, 1, 64], // cat on CC 1 (mod wheel), as mapped
      [0xb0, 21, 32], // dog keeps CC 21
      [0xb0, 22, 32], // bird: CC 22
      [0x90, 36, 64], // cat's note 36 (C2, a drum rack's first pad)
    ]);
    expect(toMidiMessages(prediction('dog', { cat: 0.25, dog: 0.5, bird: 0.25 }), memory, o)).toEqual([
      [0xb0, 1, 32],
      [0xb0, 21, 64],
      [0x80, 36, 64], // dog plays no note: cat's ends, nothing starts
    ]);
    expect(midiSlots(['cat', 'dog', 'bird'], map)).toEqual([
      { name: 'cat', cc: 1, note: 36 },
      { name: 'dog', cc: 21, note: null },
      { name: 'bird', cc: 22, note: 62 },
    ]);
  });
});

describe('regression outputs: control changes, 7-bit or 14-bit pairs', () => {
  test('7-bit: value × 127 on CC 20, 21…; no notes', () => {
    expect(toMidiMessages(regression({ x: 0.5, y: 1 }), freshMidiMemory(), channel1)).toEqual([
      [0xb0, 20, 64],
      [0xb0, 21, 127],
    ]);
  });

  test('14-bit: MSB on CC n, then LSB on CC n + 32; the value is round(v × 16383)', () => {
    const memory = freshMidiMemory();
    const o = { ...channel1, fourteenBit: true };
    // 0.5 × 16383 = 8191.5 → 8192 = 0x2000: MSB 0x40 (64), LSB 0x00. 1 → 16383 = 0x3FFF: MSB 127, LSB 127.
    expect(toMidiMessages(regression({ x: 0.5, y: 1 }), memory, o)).toEqual([
      [0xb0, 20, 64],
      [0xb0, 52, 0],
      [0xb0, 21, 127],
      [0xb0, 53, 127],
    ]);
    // 0.25 × 16383 = 4095.75 → 4096 = 0x1000: MSB 32, LSB 0. The LSB alone moving still sends the pair, MSB first.
    expect(toMidiMessages(regression({ x: 0.25, y: 1 }), memory, o)).toEqual([
      [0xb0, 20, 32],
      [0xb0, 52, 0],
    ]);
    expect(toMidiMessages(regression({ x: 0.25 + 1 / 16383, y: 1 }), memory, o)).toEqual([
      [0xb0, 20, 32],
      [0xb0, 52, 1],
    ]);
  });

  test('to7Bit and to14Bit clamp to 0–1 and round; NaN is 0', () => {
    expect([0, 0.5, 1, -1, 2, Number.NaN].map(to7Bit)).toEqual([0, 64, 127, 0, 127, 0]);
    expect(to14Bit(0)).toEqual([0, 0]);
    expect(to14Bit(1)).toEqual([127, 127]);
    expect(to14Bit(1 / 16383)).toEqual([0, 1]);
    expect(to14Bit(128 / 16383)).toEqual([1, 0]);
  });
});

describe('silence', () => {
  test('a note off for each note sounding, then All Notes Off (CC 123, value 0); afterwards the state is sent again', () => {
    const memory = freshMidiMemory();
    toMidiMessages(prediction('cat', { cat: 0.9, dog: 0.1 }), memory, { ...channel1, channel: 3 });
    expect(silence(memory, 3)).toEqual([
      [0x82, 60, 64],
      [0xb2, 123, 0],
    ]);
    expect(silence(memory, 3)).toEqual([[0xb2, 123, 0]]);
    expect(toMidiMessages(prediction('cat', { cat: 0.9, dog: 0.1 }), memory, { ...channel1, channel: 3 })).toEqual([
      [0xb2, 20, 114],
      [0xb2, 21, 13],
      [0x92, 60, 114],
    ]);
  });
});

describe('defaults and checks', () => {
  test('controllers: 20–31 (undefined in MIDI 1.0), then 102–119, none past the 30th; 14-bit: 20–31 only', () => {
    expect([0, 11, 12, 29, 30].map((i) => defaultController(i))).toEqual([20, 31, 102, 119, null]);
    expect([0, 11, 12].map((i) => defaultController(i, true))).toEqual([20, 31, null]);
    expect([0, 1, 67, 68].map(defaultNote)).toEqual([60, 61, 127, null]);
  });

  test('numbers MIDI has no room for are refused, naming the class and the range', () => {
    expect(() => midiSlots(['cat'], { cat: { cc: 120 } })).toThrow(/"cat" is on CC 120: .* 0–119/);
    expect(() => midiSlots(['x'], { x: { cc: 40 } }, true)).toThrow(
      /"x" is on CC 40: a 14-bit pair needs a controller 0–31/,
    );
    expect(() => midiSlots(['cat'], { cat: { note: 128 } })).toThrow(/"cat" plays note 128: a MIDI note is 0–127/);
    expect(() => midiOutput({ channel: 0 })).toThrow(RangeError);
    expect(() => midiOutput({ channel: 17 })).toThrow(/channel must be a MIDI channel 1–16/);
    expect(() => midiOutput({ velocity: 0 })).toThrow(/velocity must be 'confidence' or a note on velocity 1–127/);
    expect(() => midiOutput({ rate: 0 })).toThrow(/rate must be/);
  });

  test('MIDI_OUTPUT_DEFAULTS: the first port, channel 1, confidence velocity, 7-bit, every prediction, silence after 500 ms', () => {
    expect(MIDI_OUTPUT_DEFAULTS).toEqual({
      port: '',
      channel: 1,
      map: {},
      velocity: 'confidence',
      fourteenBit: false,
      rate: 'every',
      silenceAfterMs: 500,
      requestMIDIAccess: null,
    });
  });

  test('midiText: the bytes in hex, what they say, and whose they are', () => {
    const slots = midiSlots(['cat', 'dog'], {});
    expect(
      midiText(
        [
          [0xb0, 20, 114],
          [0xb0, 52, 3],
          [0x80, 60, 64],
          [0x91, 61, 102],
          [0xb0, 123, 0],
        ],
        slots,
      ),
    ).toBe(
      [
        'B0 14 72  ch 1 CC 20 = 114  cat',
        'B0 34 03  ch 1 CC 52 = 3 (LSB)  cat',
        '80 3C 40  ch 1 note off 60  cat',
        '91 3D 66  ch 2 note on 61 velocity 102  dog',
        'B0 7B 00  ch 1 all notes off',
      ].join('\n'),
    );
  });
});
