/**
 * Where predictions go: OSC (trainwhistle or Wekinator addresses) and JSON, through the bridge; MIDI, through the
 * browser's Web MIDI; and control coming back.
 */
export type { Output, OutputState, OutputStatus } from './output';
export { OSC_OUTPUT_DEFAULTS, oscOutput, type OscOutputOptions } from './osc-output';
export {
  LEARN_PAUSE_MS,
  MIDI_OUTPUT_DEFAULTS,
  midiOutput,
  type MidiOutput,
  type MidiOutputOptions,
  type MidiOutputState,
  type RequestMidiAccess,
} from './midi-output';
export {
  ALL_NOTES_OFF,
  defaultController,
  defaultNote,
  freshMidiMemory,
  midiSlots,
  midiText,
  silence,
  toMidiMessages,
  type MidiAssignment,
  type MidiChannel,
  type MidiMap,
  type MidiMemory,
  type MidiMessage,
  type MidiMessageOptions,
  type MidiSlot,
} from './midi-messages';
export type { Rate } from './rate-limit';
export {
  JSON_OUTPUT_DEFAULTS,
  jsonOutput,
  toJson,
  type JsonOutputOptions,
  type PredictionMessage,
} from './json-output';
export { addressParts, safeAddressPart } from './osc-address';
export { oscText, toOscMessages, type OscMessageOptions, type OscMode } from './osc-messages';
export {
  CONTROL_INPUT_DEFAULTS,
  controlInput,
  decodePacket,
  toCommand,
  type ControlCommand,
  type ControlInput,
  type ControlInputOptions,
} from './control';
export { remoteControl, type RemoteControl, type RemoteControlEvents } from './remote-control';
export { recordLive } from './live-recording';
export { ORIGIN_REFUSED, refusedOrigin } from './reconnecting-socket';
