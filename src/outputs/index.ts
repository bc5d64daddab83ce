/** Where predictions go: OSC (trainwhistle or Wekinator addresses) and JSON, through the bridge; and control coming back. */
export type { Output, OutputState, OutputStatus } from './output';
export { oscOutput, type OscOutputOptions } from './osc-output';
export { jsonOutput, toJson, type JsonOutputOptions, type PredictionMessage } from './json-output';
export { addressParts, safeAddressPart } from './osc-address';
export { oscText, toOscMessages, type OscMessageOptions, type OscMode } from './osc-messages';
export { controlInput, decodePacket, toCommand, type ControlCommand, type ControlInput } from './control';
export { remoteControl, type RemoteControl, type RemoteControlEvents } from './remote-control';
export { recordLive } from './live-recording';
