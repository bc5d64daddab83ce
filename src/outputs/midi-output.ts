/**
 * Predictions as MIDI 1.0, to a DAW or a synth, through the browser's Web MIDI (WEBMIDI.js opens the ports):
 * a control change per class (its confidence), a note while a class wins, regression outputs as control
 * changes (optionally 14-bit pairs). midi-messages.ts holds the byte mapping. Main thread only: Web MIDI does not
 * exist in workers.
 */
import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import type { Output as WebMidiPort } from 'webmidi';
import type { Prediction } from '../protocol/engine-api';
import type { Milliseconds } from '../protocol/units';
import {
  checkChannel,
  controlChange,
  freshMidiMemory,
  midiNames,
  midiSlots,
  midiText,
  silence,
  toMidiMessages,
  type MidiChannel,
  type MidiMap,
  type MidiMessage,
} from './midi-messages';
import type { Output, OutputState } from './output';
import { rateGate, type Rate } from './rate-limit';

/** How the page asks for MIDI: `navigator.requestMIDIAccess`'s shape. */
export type RequestMidiAccess = (options?: MIDIOptions) => Promise<MIDIAccess>;

/** What `midiOutput` sends, where, and how often. Defaults: MIDI_OUTPUT_DEFAULTS. */
export interface MidiOutputOptions {
  /**
   * The output port, by its name as the system lists it (`'IAC Driver Bus 1'`, `'loopMIDI Port'`) or its id;
   * `''` takes the first there is. A port plugged in later is taken as soon as it appears.
   */
  port?: string;
  /** The MIDI channel, 1–16 as DAWs number it. */
  channel?: MidiChannel;
  /**
   * Each class's (or regression output's) control change and note number, by name; `null` sends none. A name
   * not here takes its default by its place in label order: CC 20–31 then 102–119, notes from middle C (60) up.
   */
  map?: MidiMap;
  /** A winning class's note on velocity: its confidence × 127 (at least 1), or this fixed 1–127. */
  velocity?: 'confidence' | number;
  /**
   * Regression outputs as 14-bit pairs: MSB on the CC (0–31), LSB on CC + 32. Classes stay 7-bit; every CC in
   * `map` must then be 0–31.
   */
  fourteenBit?: boolean;
  /**
   * `'every'` prediction, only on a label `'change'`, or at most this many per second by the frames' capture
   * times; a label change (its notes) always goes through at once. Only controllers whose value moved are sent.
   */
  rate?: Rate;
  /**
   * Silence (a note off for each note sounding, then All Notes Off) once no prediction has come for this
   * long: the pipeline stopped, its worker crashed, or the camera went. 0 never silences by time. Raise it
   * on a backend slower than two predictions a second, or its notes restart between predictions.
   */
  silenceAfterMs?: Milliseconds;
  /**
   * How to ask for MIDI access: null is the browser's `navigator.requestMIDIAccess`; a function stands in for it
   * (a simulated MIDIAccess such as web-midi-test's, or a polyfill). WEBMIDI.js takes it as its
   * `requestMIDIAccessFunction`; the first `midiOutput` to connect in a page decides for the page.
   */
  requestMIDIAccess?: RequestMidiAccess | null;
}

/** Every `midiOutput` option's default, and the only place each is written. */
export const MIDI_OUTPUT_DEFAULTS: Readonly<Required<MidiOutputOptions>> = Object.freeze<Required<MidiOutputOptions>>({
  port: '',
  channel: 1,
  map: {},
  velocity: 'confidence',
  fourteenBit: false,
  rate: 'every',
  silenceAfterMs: 500,
  requestMIDIAccess: null,
});

/** How long predictions pause after `learn()`, so that a DAW's MIDI learn hears that control change alone. */
export const LEARN_PAUSE_MS: Milliseconds = 2000;

export interface MidiOutputState extends OutputState {
  /** The output ports there are, by name (empty until MIDI access is given). */
  ports: string[];
  /** The port in use, by name; null while there is none. */
  port: string | null;
}

export interface MidiOutput extends Output {
  readonly status$: Observable<MidiOutputState>;
  /** Silence now: a note off for each note sounding, then All Notes Off (CC 123) on the channel. */
  allNotesOff(): void;
  /**
   * One control change alone, `controller` = 127, for a DAW's MIDI learn (Ableton: MIDI Map, click a control,
   * then this); predictions pause for LEARN_PAUSE_MS so the DAW learns this one. False when no port is open.
   */
  learn(controller: number): boolean;
}

/** What the status says when the page has no Web MIDI at all. */
const NO_WEB_MIDI =
  'this browser offers no Web MIDI here: use Chrome, Edge or Firefox, on an https:// or http://localhost page';

/** Why MIDI access failed, for the user: a refusal says how to allow it. */
function refusal(e: unknown): string {
  const name = (e as { name?: unknown } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'MIDI access was refused: allow MIDI devices for this site (the icon at the left of the address bar, or Site settings → MIDI devices), then reload the page';
  return `MIDI could not start (${(e as Error | null)?.message ?? String(e)}): reload the page, or restart the browser if a MIDI driver was just installed`;
}

/** Why no port is open, for the user. */
function noPort(wanted: string, ports: readonly string[]): string {
  if (ports.length === 0)
    return 'no MIDI output port on this computer: create one (IAC Driver on macOS, loopMIDI on Windows) or plug in a device — it is used as soon as it appears';
  return `no MIDI output named '${wanted}' (there are: ${ports.join(', ')}): choose one of them, or connect that device — it is used as soon as it appears`;
}

/**
 * Sends predictions as MIDI. Options not given take MIDI_OUTPUT_DEFAULTS. Asking for MIDI access makes Chromium
 * show a permission prompt the first time; a refusal, or no port, is the status's `reason`.
 * @example
 * const midi = midiOutput({ port: 'IAC Driver Bus 1', channel: 2 });
 * midi.attach(pipe.predictions$.pipe(smooth(0.5)));
 * // After a crash the restarted worker predicts on: end what sounded before it.
 * pipe.errors$.pipe(filter((e) => e instanceof WorkerRestartedError)).subscribe(() => midi.allNotesOff());
 */
export function midiOutput(options: MidiOutputOptions = {}): MidiOutput {
  const o = { ...MIDI_OUTPUT_DEFAULTS, ...options };
  checkChannel(o.channel);
  if (o.velocity !== 'confidence' && !(Number.isInteger(o.velocity) && o.velocity >= 1 && o.velocity <= 127))
    throw new RangeError(`velocity must be 'confidence' or a note on velocity 1–127 (got ${o.velocity}).`);
  if (!(o.silenceAfterMs >= 0))
    throw new RangeError(`silenceAfterMs must be 0 (never) or a number of milliseconds (got ${o.silenceAfterMs}).`);
  // A mapped number MIDI has no room for is refused now, not at the first prediction.
  midiSlots(Object.keys(o.map), o.map, o.fourteenBit);
  const gate = rateGate(o.rate);
  const messageOptions = { channel: o.channel, map: o.map, velocity: o.velocity, fourteenBit: o.fourteenBit };

  let memory = freshMidiMemory();
  /** Something was sent since the last silence: there may be something to end. */
  let dirty = false;
  let port: WebMidiPort | null = null;
  let quietUntil = -Infinity;
  let silenceTimer: ReturnType<typeof setTimeout> | undefined;
  let stopWatching = () => {};
  let started = false;
  let closed = false;
  const state$ = new BehaviorSubject<MidiOutputState>({
    status: 'disconnected',
    sent: 0,
    dropped: 0,
    ports: [],
    port: null,
  });
  const set = (change: Partial<MidiOutputState>) => {
    const next = { ...state$.value, ...change };
    if (next.status === 'connected') delete next.reason;
    state$.next(next);
  };

  /** Sends messages to the port; false (the port went away meanwhile) says so in the status. */
  const write = (messages: readonly MidiMessage[]): boolean => {
    if (!port) return false;
    try {
      for (const m of messages) port.send([...m]);
      return true;
    } catch (e) {
      port = null;
      set({
        status: 'disconnected',
        port: null,
        reason: `the MIDI port stopped taking messages (${(e as Error).message})`,
      });
      return false;
    }
  };

  const allNotesOff = () => {
    clearTimeout(silenceTimer);
    const messages = silence(memory, o.channel);
    dirty = false;
    if (write(messages)) set({ last: midiText(messages) });
  };

  /** Takes the port asked for from the ports there are now; a new one gets the whole state again. */
  const choose = (outputs: readonly WebMidiPort[]) => {
    const wanted = o.port ? outputs.find((p) => p.name === o.port || p.id === o.port) : outputs[0];
    const ports = outputs.map((p) => p.name);
    if (wanted !== port) {
      port = wanted ?? null;
      memory = freshMidiMemory();
    }
    if (port) set({ status: 'connected', ports, port: port.name });
    else set({ status: 'disconnected', ports, port: null, reason: noPort(o.port, ports) });
  };

  const open = async () => {
    set({ status: 'connecting', reason: "asking for MIDI access: answer the browser's prompt, if it shows one" });
    const request: RequestMidiAccess | undefined =
      o.requestMIDIAccess ??
      (typeof navigator !== 'undefined' && typeof navigator.requestMIDIAccess === 'function'
        ? (opts) => navigator.requestMIDIAccess(opts)
        : undefined);
    if (!request) return set({ status: 'disconnected', reason: NO_WEB_MIDI });
    try {
      // Loaded when MIDI is first used: a page that never sends MIDI never loads WEBMIDI.js.
      const { WebMidi } = await import('webmidi');
      await WebMidi.enable({ sysex: false, requestMIDIAccessFunction: request });
      if (closed) return;
      const listener = WebMidi.addListener('portschanged', () => choose(WebMidi.outputs));
      stopWatching = () => listener.remove();
      choose(WebMidi.outputs);
    } catch (e) {
      if (!closed) set({ status: 'disconnected', reason: refusal(e) });
    }
  };

  const output: MidiOutput = {
    name: `midi ${o.port || '(first port)'} ch ${o.channel}`,
    status$: state$.asObservable(),
    connect() {
      if (started || closed) return;
      started = true;
      void open();
    },
    send(p) {
      if (closed) return false;
      if (o.silenceAfterMs > 0) {
        clearTimeout(silenceTimer);
        silenceTimer = setTimeout(() => dirty && allNotesOff(), o.silenceAfterMs);
      }
      // MIDI learn: the DAW must hear the test control change alone (not a drop: nothing is wrong).
      if (performance.now() < quietUntil) return false;
      if (gate.skip(p.t, p.label !== memory.label)) return false;
      if (!port) {
        set({ dropped: state$.value.dropped + 1 });
        return false;
      }
      gate.sent(p.t);
      const messages = toMidiMessages(p, memory, messageOptions);
      if (!write(messages)) {
        set({ dropped: state$.value.dropped + 1 });
        return false;
      }
      dirty ||= messages.length > 0;
      const slots = () => midiSlots(midiNames(p), o.map, o.fourteenBit && p.values !== undefined);
      set({ sent: state$.value.sent + 1, ...(messages.length > 0 ? { last: midiText(messages, slots()) } : {}) });
      return true;
    },
    attach(predictions$: Observable<Prediction>): Subscription {
      output.connect();
      // Predictions that end (the pipeline closed) leave nothing sounding.
      return predictions$.subscribe({ next: (p) => output.send(p), complete: () => !closed && allNotesOff() });
    },
    allNotesOff: () => {
      if (!closed) allNotesOff();
    },
    learn(controller) {
      if (closed || !port) return false;
      if (!(Number.isInteger(controller) && controller >= 0 && controller <= 119))
        throw new RangeError(`A control change number is 0–119 (got ${controller}).`);
      const message = controlChange(o.channel, controller, 127);
      if (!write([message])) return false;
      quietUntil = performance.now() + LEARN_PAUSE_MS;
      // The controller's real value goes out again after the pause, whatever it was before.
      memory.controllers.delete(controller);
      dirty = true;
      set({ last: `${midiText([message])}  (test: MIDI learn)` });
      return true;
    },
    close() {
      if (closed) return;
      allNotesOff();
      closed = true;
      stopWatching();
      port = null;
      set({ status: 'closed', port: null });
      state$.complete();
    },
  };
  return output;
}
