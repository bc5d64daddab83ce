/**
 * Control from Max, TouchDesigner or Pd: OSC sent to the bridge's UDP port arrives here as binary
 * WebSocket frames and becomes typed commands. trainwhistle's own addresses and Wekinator's.
 *
 *   <prefix>/record <label> <1|0>    hold-to-record a label
 *   <prefix>/train                   train
 *   <prefix>/run <1|0>               start or stop predicting
 *   <prefix>/clear <label>           delete a label's examples
 *   /wekinator/control/outputs v…    the target for the next recording (class number 1..N, or values)
 *   /wekinator/control/startRecording, stopRecording, train, startRunning, stopRunning, deleteAllExamples
 */
import OSC from 'osc-js';
import { filter, mergeMap, type Observable } from 'rxjs';
import { checkPrefix } from './osc-address';
import { OSC_OUTPUT_DEFAULTS } from './osc-output';
import type { OutputState } from './output';
import { BRIDGE_URL, ReconnectingSocket } from './reconnecting-socket';

export type ControlCommand =
  | { kind: 'record'; label: string; on: boolean }
  | { kind: 'train' }
  | { kind: 'run'; on: boolean }
  | { kind: 'clear'; label: string }
  | { kind: 'clearAll' }
  | { kind: 'target'; values: number[] }
  | { kind: 'recordTarget'; on: boolean };

const WEKINATOR: Record<string, ControlCommand> = {
  '/wekinator/control/startRecording': { kind: 'recordTarget', on: true },
  '/wekinator/control/stopRecording': { kind: 'recordTarget', on: false },
  '/wekinator/control/train': { kind: 'train' },
  '/wekinator/control/startRunning': { kind: 'run', on: true },
  '/wekinator/control/stopRunning': { kind: 'run', on: false },
  '/wekinator/control/deleteAllExamples': { kind: 'clearAll' },
};

/** Where control messages come from. Defaults: CONTROL_INPUT_DEFAULTS. */
export interface ControlInputOptions {
  /** The bridge's WebSocket: the patch sends to the bridge's UDP port, and the bridge passes it on here. */
  url?: string;
  /** The prefix of trainwhistle's control addresses (`/tw/record`, …); Wekinator's addresses have none. */
  prefix?: string;
}

/**
 * Every `controlInput` option's default, and the only place each is written. The prefix is the OSC output's: a
 * patch that reads `/tw/label` sends `/tw/record`.
 */
export const CONTROL_INPUT_DEFAULTS: Readonly<Required<ControlInputOptions>> = Object.freeze<
  Required<ControlInputOptions>
>({
  url: BRIDGE_URL,
  prefix: OSC_OUTPUT_DEFAULTS.prefix,
});

const truthy = (v: unknown) => v === true || (typeof v === 'number' && v !== 0) || v === '1' || v === 'true';

/** One OSC message → a command, or null for an address or arguments we do not take. */
export function toCommand(
  address: string,
  args: unknown[],
  prefix = CONTROL_INPUT_DEFAULTS.prefix,
): ControlCommand | null {
  if (address in WEKINATOR) return WEKINATOR[address]!;
  if (address === '/wekinator/control/outputs') {
    const values = args.filter((a): a is number => typeof a === 'number');
    return values.length ? { kind: 'target', values } : null;
  }
  const label = typeof args[0] === 'string' ? args[0] : typeof args[0] === 'number' ? String(args[0]) : null;
  switch (address) {
    case `${prefix}/record`:
      return label !== null ? { kind: 'record', label, on: args.length < 2 || truthy(args[1]) } : null;
    case `${prefix}/train`:
      return { kind: 'train' };
    case `${prefix}/run`:
      return { kind: 'run', on: args.length === 0 || truthy(args[0]) };
    case `${prefix}/clear`:
      return label !== null ? { kind: 'clear', label } : null;
    default:
      return null;
  }
}

/** Every message of a packet (a bundle holds several). Malformed packets give none. */
export function decodePacket(data: ArrayBuffer): { address: string; args: unknown[] }[] {
  try {
    const packet = new OSC.Packet();
    packet.unpack(new DataView(data));
    const flatten = (v: unknown): { address: string; args: unknown[] }[] =>
      v instanceof OSC.Bundle
        ? v.bundleElements.flatMap(flatten)
        : [{ address: (v as OSC.Message).address, args: (v as OSC.Message).args }];
    return flatten(packet.value);
  } catch {
    return [];
  }
}

export interface ControlInput {
  readonly commands$: Observable<ControlCommand>;
  readonly status$: Observable<Pick<OutputState, 'status' | 'reason'>>;
  close(): void;
}

/** Listens to the bridge for control messages. Options not given take CONTROL_INPUT_DEFAULTS. */
export function controlInput(options: ControlInputOptions = {}): ControlInput {
  const { url, prefix } = { ...CONTROL_INPUT_DEFAULTS, ...options };
  checkPrefix(prefix);
  const socket = new ReconnectingSocket(url);
  socket.connect();
  const commands$ = socket.messages$.pipe(
    filter((m): m is ArrayBuffer => typeof m !== 'string'),
    mergeMap((m) => decodePacket(m).map((msg) => toCommand(msg.address, msg.args, prefix))),
    filter((c): c is ControlCommand => c !== null),
  );
  return { commands$, status$: socket.status$.asObservable(), close: () => socket.close() };
}
