/**
 * Predictions → OSC messages, in trainwhistle's address space or Wekinator's. Pure functions over
 * osc-js messages; the output decides when and where to send them.
 *
 *   <prefix>/labels ,s…            all labels in order — first prediction, and when the set changes
 *   <prefix>/label ,s              the winning label — on change
 *   <prefix>/class ,i              its 0-based index in label order (-1 for a label such as 'unknown') — on change
 *   <prefix>/confidence/<label> ,f one message per label, every prediction
 *   <prefix>/confidences ,f…       all confidences in label order, every prediction
 *   <prefix>/output/<name> ,f      regression outputs, every prediction
 *   <prefix>/outputs ,f…           all regression outputs in order, every prediction
 *   /wek/outputs ,f…               Wekinator mode: class number 1..N, or the regression values
 *
 * Numbers are typed explicitly: osc-js would send 0 and 1 as int32 otherwise.
 */
import OSC from 'osc-js';
import type { Prediction } from '../protocol/types';
import { addressParts } from './osc-address';

export type OscMode = 'tw' | 'wekinator';

/** What the previous prediction sent, to know what changed. */
export interface OscMemory {
  label: string | null;
  /** Labels (or regression output names) in order, and their address parts, kept until they change. */
  labels: string[];
  parts: Map<string, string>;
}

export const freshMemory = (): OscMemory => ({ label: null, labels: [], parts: new Map() });

const floats = (values: readonly number[]) => values.map((value) => ({ type: 'f' as const, value }));

/**
 * osc-js writes each UTF-16 code unit as one byte (though it reads UTF-8), so "café" would arrive
 * mangled. Handing it a string whose code units are the UTF-8 bytes makes it write UTF-8, which
 * Max, Pd and liblo read.
 */
export function utf8(text: string): string {
  return String.fromCharCode(...new TextEncoder().encode(text));
}

/** The text `utf8` made, read back as the characters it stood for. */
function fromUtf8(bytes: string): string {
  return new TextDecoder().decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0)));
}

/**
 * Messages as a person reads them, one a line: the address, then each value (floats to 3 decimals,
 * strings quoted), as Max's `print` or liblo's `oscdump` shows them.
 * @example oscText(messages) // '/tw/label "cat"\n/tw/confidences 0.910 0.090'
 */
export function oscText(messages: readonly InstanceType<typeof OSC.TypedMessage>[]): string {
  return messages
    .map((m) => {
      const values = m.args.map((value, i) => {
        if (typeof value === 'string') return m.types[i] === 's' ? JSON.stringify(fromUtf8(value)) : value;
        if (typeof value === 'number') return m.types[i] === 'f' ? value.toFixed(3) : String(value);
        return typeof value === 'boolean' || typeof value === 'bigint' || value === null ? String(value) : m.types[i]!;
      });
      return [fromUtf8(m.address), ...values].join(' ');
    })
    .join('\n');
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The messages for one prediction, updating `memory`.
 * @example toOscMessages(p, freshMemory(), { prefix: '/tw', mode: 'tw', labelEveryFrame: false, perLabel: true })
 */
export function toOscMessages(
  p: Prediction,
  memory: OscMemory,
  o: { prefix: string; mode: OscMode; labelEveryFrame: boolean; perLabel: boolean },
): InstanceType<typeof OSC.TypedMessage>[] {
  // osc-js types the constructor's args as values, but it takes {type, value} objects.
  const msg = (address: string, args: { type: 'f' | 'i' | 's'; value: number | string }[]) =>
    new OSC.TypedMessage(
      utf8(address),
      args.map((a) =>
        a.type === 's' ? { type: 's', value: utf8(a.value as string) } : a,
      ) as unknown as ConstructorParameters<typeof OSC.TypedMessage>[1],
    );
  const isRegression = p.values !== undefined;
  const labels = Object.keys(isRegression ? p.values! : p.confidences);
  const changed = p.label !== memory.label;
  const labelsChanged = !sameList(labels, memory.labels);
  memory.label = p.label;
  if (labelsChanged) [memory.labels, memory.parts] = [labels, addressParts(labels)];
  const parts = memory.parts;

  if (o.mode === 'wekinator') {
    const values = isRegression ? Object.values(p.values!) : [labels.indexOf(p.label) + 1];
    return [msg('/wek/outputs', floats(values))];
  }
  const out: InstanceType<typeof OSC.TypedMessage>[] = [];
  if (isRegression) {
    for (const name of labels) out.push(msg(`${o.prefix}/output/${parts.get(name)}`, floats([p.values![name]!])));
    out.push(msg(`${o.prefix}/outputs`, floats(labels.map((n) => p.values![n]!))));
    return out;
  }
  if (labelsChanged)
    out.push(
      msg(
        `${o.prefix}/labels`,
        labels.map((value) => ({ type: 's' as const, value })),
      ),
    );
  if (changed || o.labelEveryFrame) {
    out.push(msg(`${o.prefix}/label`, [{ type: 's', value: p.label }]));
    out.push(msg(`${o.prefix}/class`, [{ type: 'i', value: labels.indexOf(p.label) }]));
  }
  if (o.perLabel) {
    for (const label of labels)
      out.push(msg(`${o.prefix}/confidence/${parts.get(label)}`, floats([p.confidences[label]!])));
  }
  out.push(msg(`${o.prefix}/confidences`, floats(labels.map((l) => p.confidences[l]!))));
  return out;
}

/** The frame's capture time as a wall-clock timestamp (ms since 1970), for bundle timetags and JSON. */
export function wallClock(p: Prediction): number {
  return performance.timeOrigin + p.t;
}

/** Packs messages for the wire: each on its own, or all in one bundle timetagged with the capture time. */
export function pack(messages: InstanceType<typeof OSC.TypedMessage>[], bundleAt?: number): Uint8Array[] {
  if (bundleAt === undefined) return messages.map((m) => m.pack());
  const bundle = new OSC.Bundle();
  // Bundle.add() accepts only untyped Messages; the elements list takes any packable message.
  bundle.bundleElements.push(...messages);
  bundle.timestamp(Math.round(bundleAt));
  return [bundle.pack()];
}
