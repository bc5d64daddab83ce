/**
 * Predictions → MIDI 1.0 channel messages, three bytes each, as the MIDI 1.0 Detailed Specification's
 * "Channel Voice Messages" and "Channel Mode Messages" tables write them. Pure functions; the output
 * decides when and where they go.
 *
 *   status      data 1      data 2                 sent
 *   0xB0 | ch   cc          confidence × 127       Control Change: a class's confidence, when its value moves
 *   0x90 | ch   note        velocity 1–127         Note On: a class wins (becomes the label)
 *   0x80 | ch   note        64                     Note Off: it stops winning (64: the spec's default velocity)
 *   0xB0 | ch   cc          value × 127            Control Change: a regression output, when its value moves
 *   0xB0 | ch   cc          (value × 16383) >> 7   14-bit: the MSB on cc (0–31) …
 *   0xB0 | ch   cc + 32     (value × 16383) & 127  … then the LSB on cc + 32, as the spec pairs controllers 0–31
 *   0xB0 | ch   123         0                      All Notes Off, after a Note Off for each note sounding
 *
 * `ch` is the channel as DAWs number it (1–16) minus one: the status byte's low four bits. Data bytes are
 * 0–127. A note on with velocity 0 would mean note off, so a winner's velocity is at least 1.
 */
import type { Prediction } from '../protocol/engine-api';
import type { NormalRange } from '../protocol/units';

/** A MIDI channel as DAWs number it: 1–16. */
export type MidiChannel = number;
/** A MIDI 1.0 channel message: status byte, then two data bytes. */
export type MidiMessage = readonly [status: number, data1: number, data2: number];

export const CONTROL_CHANGE = 0xb0;
export const NOTE_ON = 0x90;
export const NOTE_OFF = 0x80;
/** The Channel Mode Message that ends every note on a channel (a control change on controller 123, value 0). */
export const ALL_NOTES_OFF = 123;
/** A 14-bit controller's LSB is on its number + 32 (MSB on 0–31, LSB on 32–63). */
export const LSB_OFFSET = 32;
/** The note off velocity the spec recommends where there is none to tell. */
export const RELEASE_VELOCITY = 64;

/** What one class (or regression output) sends: its controller and its note; null sends none. */
export interface MidiAssignment {
  /** Control change number, 0–119 (0–31 for a 14-bit pair). */
  cc: number | null;
  /** Note number, 0–127 (60 is middle C). */
  note: number | null;
}

/** Assignments by class (or regression output) name; a name not here, or a field not given, takes its default. */
export type MidiMap = Record<string, Partial<MidiAssignment>>;

/** One class (or output) as it is mapped, in label order. */
export interface MidiSlot extends MidiAssignment {
  name: string;
}

/** What `toMidiMessages` makes of a prediction. */
export interface MidiMessageOptions {
  /** The channel, 1–16. */
  channel: MidiChannel;
  map: MidiMap;
  /** A winner's note on velocity: its confidence × 127 (at least 1), or this fixed 1–127. */
  velocity: 'confidence' | number;
  /** Regression outputs as 14-bit pairs (MSB on cc, LSB on cc + 32) instead of one 7-bit value. */
  fourteenBit: boolean;
}

/** What the receiver was sent last, to send only what changed and to end what sounds. */
export interface MidiMemory {
  /** The label last sent (null: none yet, or everything was silenced since). */
  label: string | null;
  /** The notes sounding now. */
  sounding: Set<number>;
  /** Each controller's last value (7-bit, or the 14-bit value of an MSB controller). */
  controllers: Map<number, number>;
}

export const freshMidiMemory = (): MidiMemory => ({ label: null, sounding: new Set(), controllers: new Map() });

const byte = (x: number) => Math.max(0, Math.min(127, Math.round(x)));
const unit = (x: number) => (Number.isFinite(x) ? Math.max(0, Math.min(1, x)) : 0);

/** A value 0–1 as a 7-bit data byte, 0–127. */
export const to7Bit = (x: NormalRange): number => Math.round(unit(x) * 127);

/** A value 0–1 as 14 bits, 0–16383, split as the spec sends it: [MSB, LSB], 7 bits each. */
export function to14Bit(x: NormalRange): [msb: number, lsb: number] {
  const v = Math.round(unit(x) * 16383);
  return [v >> 7, v & 0x7f];
}

/** Throws a RangeError unless `channel` is 1–16. */
export function checkChannel(channel: MidiChannel): void {
  if (!Number.isInteger(channel) || channel < 1 || channel > 16)
    throw new RangeError(`channel must be a MIDI channel 1–16, as the DAW numbers it (got ${channel}).`);
}

/** Status byte `kind | (channel - 1)`. */
const status = (kind: number, channel: MidiChannel) => kind | (channel - 1);

/** Control Change: `0xB0 | ch`, controller, value. */
export const controlChange = (channel: MidiChannel, controller: number, value: number): MidiMessage => [
  status(CONTROL_CHANGE, channel),
  controller,
  byte(value),
];

/** Note On: `0x90 | ch`, note, velocity (1–127: 0 would be a note off). */
export const noteOn = (channel: MidiChannel, note: number, velocity: number): MidiMessage => [
  status(NOTE_ON, channel),
  note,
  Math.max(1, byte(velocity)),
];

/** Note Off: `0x80 | ch`, note, 64. */
export const noteOff = (channel: MidiChannel, note: number): MidiMessage => [
  status(NOTE_OFF, channel),
  note,
  RELEASE_VELOCITY,
];

/**
 * A class's controller by default, by its place in label order: the controllers MIDI 1.0 leaves undefined,
 * 20–31 (whose LSBs, 52–63, are free too), then 102–119; none past the 30th (or the 12th, for 14-bit pairs).
 */
export function defaultController(index: number, fourteenBit = false): number | null {
  if (index < 12) return 20 + index;
  if (fourteenBit) return null;
  return index < 30 ? 102 + index - 12 : null;
}

/** A class's note by default: middle C (60) for the first, then up a semitone each, to 127. */
export const defaultNote = (index: number): number | null => (60 + index <= 127 ? 60 + index : null);

/**
 * Each name's controller and note: `map`'s, else the default by its place. Throws a RangeError naming the class
 * for a number MIDI has no room for.
 * @example midiSlots(['cat', 'dog'], { dog: { note: 36 } }) // [{ name: 'cat', cc: 20, note: 60 }, { name: 'dog', cc: 21, note: 36 }]
 */
export function midiSlots(names: readonly string[], map: MidiMap = {}, fourteenBit = false): MidiSlot[] {
  return names.map((name, i) => {
    const given = map[name] ?? {};
    const cc = given.cc === undefined ? defaultController(i, fourteenBit) : given.cc;
    const note = given.note === undefined ? defaultNote(i) : given.note;
    const top = fourteenBit ? 31 : 119;
    if (cc !== null && !(Number.isInteger(cc) && cc >= 0 && cc <= top))
      throw new RangeError(
        fourteenBit
          ? `"${name}" is on CC ${cc}: a 14-bit pair needs a controller 0–31 (its LSB goes on the number + 32).`
          : `"${name}" is on CC ${cc}: a control change number is 0–119 (120–127 are channel mode messages).`,
      );
    if (note !== null && !(Number.isInteger(note) && note >= 0 && note <= 127))
      throw new RangeError(`"${name}" plays note ${note}: a MIDI note is 0–127 (60 is middle C).`);
    return { name, cc, note };
  });
}

/** The class and regression output names of a prediction, in order. */
export const midiNames = (p: Prediction): string[] => Object.keys(p.values ?? p.confidences);

/**
 * The messages for one prediction, updating `memory`: the controllers whose value moved (a 14-bit pair as
 * MSB then LSB), then, when the label changes, the old winner's note off and the new winner's note on.
 * @example toMidiMessages(p, freshMidiMemory(), { channel: 1, map: {}, velocity: 'confidence', fourteenBit: false })
 */
export function toMidiMessages(p: Prediction, memory: MidiMemory, o: MidiMessageOptions): MidiMessage[] {
  const out: MidiMessage[] = [];
  const regression = p.values !== undefined;
  const slots = midiSlots(midiNames(p), o.map, regression && o.fourteenBit);
  for (const { name, cc } of slots) {
    if (cc === null) continue;
    if (regression && o.fourteenBit) {
      const [msb, lsb] = to14Bit(p.values![name]!);
      const value = (msb << 7) | lsb;
      if (memory.controllers.get(cc) === value) continue;
      memory.controllers.set(cc, value);
      out.push(controlChange(o.channel, cc, msb), controlChange(o.channel, cc + LSB_OFFSET, lsb));
    } else {
      const value = to7Bit(regression ? p.values![name]! : p.confidences[name]!);
      if (memory.controllers.get(cc) === value) continue;
      memory.controllers.set(cc, value);
      out.push(controlChange(o.channel, cc, value));
    }
  }
  if (!regression && p.label !== memory.label) {
    memory.label = p.label;
    for (const note of memory.sounding) out.push(noteOff(o.channel, note));
    memory.sounding.clear();
    // A label that is no class ('unknown', below a threshold) ends the note and starts none.
    const winner = slots.find((s) => s.name === p.label);
    if (winner && winner.note !== null) {
      const velocity = o.velocity === 'confidence' ? to7Bit(p.confidences[p.label] ?? 0) : o.velocity;
      out.push(noteOn(o.channel, winner.note, velocity));
      memory.sounding.add(winner.note);
    }
  }
  return out;
}

/**
 * Silence, for a stop, a restart or a close: a note off for each note sounding, then All Notes Off (CC 123) for
 * whatever else the receiver holds on the channel. `memory` forgets everything, so the next prediction sends the
 * whole state again.
 */
export function silence(memory: MidiMemory, channel: MidiChannel): MidiMessage[] {
  const out = [...memory.sounding].map((note) => noteOff(channel, note));
  out.push(controlChange(channel, ALL_NOTES_OFF, 0));
  Object.assign(memory, freshMidiMemory());
  return out;
}

const hex = (m: MidiMessage) => m.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');

/**
 * Messages as a person reads them, one a line: the bytes in hex, then what they say, with the class they
 * belong to where `slots` tell it.
 * @example midiText([[0xb0, 20, 115]], [{ name: 'cat', cc: 20, note: 60 }]) // 'B0 14 73  ch 1 CC 20 = 115  cat'
 */
export function midiText(messages: readonly MidiMessage[], slots: readonly MidiSlot[] = []): string {
  return messages
    .map((m) => {
      const [s, d1, d2] = m;
      const channel = (s & 0x0f) + 1;
      const kind = s & 0xf0;
      const lsbOf = slots.find((x) => x.cc === d1 - LSB_OFFSET);
      const ccOf = slots.find((x) => x.cc === d1);
      const what =
        kind === NOTE_ON
          ? [`note on ${d1} velocity ${d2}`, slots.find((x) => x.note === d1)?.name]
          : kind === NOTE_OFF
            ? [`note off ${d1}`, slots.find((x) => x.note === d1)?.name]
            : d1 === ALL_NOTES_OFF
              ? ['all notes off', undefined]
              : !ccOf && lsbOf
                ? [`CC ${d1} = ${d2} (LSB)`, lsbOf.name]
                : [`CC ${d1} = ${d2}`, ccOf?.name];
      return [hex(m), `ch ${channel} ${what[0]}`, what[1]].filter((x) => x !== undefined).join('  ');
    })
    .join('\n');
}
