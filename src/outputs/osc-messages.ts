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
 *   <prefix>/gesture ,sf           a gesture recognised (head 'dtw'): its name and DTW distance — on every match
 *   <prefix>/noperson ,i           pose: 1 when nobody is in view, 0 when someone is — on change (`pose: true`)
 *   <prefix>/pose/<keypoint> ,fff  pose: x, y, score of each of the 17 keypoints — while someone is in view
 *   <prefix>/pose ,f…              pose: all 51 values (x, y, score per keypoint, in KEYPOINT_NAMES order)
 *   <prefix>/people ,i             people: how many are in view — on change (`people: true`)
 *   <prefix>/person/<id>/enter     people: someone came into view (id 1, 2, …, never given twice) — at once
 *   <prefix>/person/<id>/leave     people: they left (unseen for `people.forgetMs`) — at once
 *   <prefix>/person/<id>/pose ,f…  people: their 51 values, as /pose — every prediction they are in view
 *   <prefix>/person/<id>/label ,sf people: their own label and its confidence, once trained — every prediction
 *   <prefix>/nohand ,i             hands: 1 when no hand is in view, 0 when one is — on change (`hands: true`)
 *   <prefix>/hand/<left|right>/<keypoint> ,fff  hands: x, y, z of each of the 21 — while the hand is in view
 *   <prefix>/hand/<left|right> ,f… hands: all 63 values (x, y, z per keypoint, in HAND_KEYPOINT_NAMES order)
 *   /wek/outputs ,f…               Wekinator mode: class number 1..N, or the regression values
 *   /wek/inputs ,f…                Wekinator mode, pose: the 51 values, as Wekinator takes its inputs; hands: the
 *                                  63 of each hand in view, right hand first; pose and hands: one list, pose first
 *   /output_<n>                    Wekinator mode: gesture n (1..N) recognised, as Wekinator's DTW names its events
 *
 * Numbers are typed explicitly: osc-js would send 0 and 1 as int32 otherwise. With nobody in view no pose
 * values are sent (MoveNet's guesses then are noise a patch would draw), only `/noperson 1` once.
 */
import OSC from 'osc-js';
import { handsBySide, type Hand } from '../protocol/hand';
import type { Pose } from '../protocol/pose';
import type { Prediction } from '../protocol/engine-api';
import { addressParts } from './osc-address';

export type OscMode = 'tw' | 'wekinator';

/** What the previous prediction sent, to know what changed. */
export interface OscMemory {
  label: string | null;
  /** Labels (or regression output names) in order, and their address parts, kept until they change. */
  labels: string[];
  parts: Map<string, string>;
  /** Whether the last pose sent said nobody was in view (null: no pose sent yet). */
  noPerson: boolean | null;
  /** How many people the last prediction sent had in view (null: none sent yet). */
  people: number | null;
  /** Whether the last prediction sent had no hand in view (null: none sent yet). */
  noHand: boolean | null;
}

export const freshMemory = (): OscMemory => ({
  label: null,
  labels: [],
  parts: new Map(),
  noPerson: null,
  people: null,
  noHand: null,
});

/** What `toOscMessages` makes of a prediction. */
export interface OscMessageOptions {
  prefix: string;
  mode: OscMode;
  labelEveryFrame: boolean;
  perLabel: boolean;
  /** Send the pose's keypoints (of predictions that carry one); without it, nothing of the pose. */
  pose?: boolean;
  /** Send everyone in view, by id (of predictions with features 'people'); without it, nothing of them. */
  people?: boolean;
  /** Send the hands' keypoints (of predictions with features 'hands' or `also: ['hands']`); without it, nothing of them. */
  hands?: boolean;
}

/**
 * Whether this prediction carries news a patch must not miss whatever the rate: a new label, a gesture, or
 * someone coming into view or leaving it (with `pose`, or by id with `people`).
 */
export function isUrgent(
  p: Prediction,
  memory: OscMemory,
  o: Pick<OscMessageOptions, 'pose' | 'people' | 'hands'> = {},
): boolean {
  if (p.label !== memory.label || p.gesture?.match) return true;
  if (o.hands && p.hands && (p.hands.length === 0) !== memory.noHand) return true;
  if (o.people && p.people && (p.people.length !== memory.people || hasChanges(p))) return true;
  return o.pose === true && p.pose !== undefined && p.pose.noPerson !== memory.noPerson;
}

const hasChanges = (p: Prediction) => (p.peopleChanged?.entered.length ?? 0) + (p.peopleChanged?.left.length ?? 0) > 0;

/** The 63 numbers of a hand: x, y, z of each keypoint in HAND_KEYPOINT_NAMES order. */
export function handValues(hand: Pick<Hand, 'keypoints'>): number[] {
  return hand.keypoints.flatMap((k) => [k.x, k.y, k.z]);
}

/** The 51 numbers of a pose (or a person's): x, y, score of each keypoint in KEYPOINT_NAMES order. */
export function poseValues(pose: Pick<Pose, 'keypoints'>): number[] {
  return pose.keypoints.flatMap((k) => [k.x, k.y, k.score]);
}

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
  o: OscMessageOptions,
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
  const pose = o.pose && p.pose ? p.pose : null;
  const presence = pose && pose.noPerson !== memory.noPerson ? pose.noPerson : null;
  if (pose) memory.noPerson = pose.noPerson;
  // What changed since the last prediction sent, in either mode: the rate limit (isUrgent) reads the same memory.
  const hands = o.hands && p.hands ? p.hands : null;
  const handPresence = hands && (hands.length === 0) !== memory.noHand ? hands.length === 0 : null;
  if (hands) memory.noHand = hands.length === 0;
  const people = o.people && p.people ? p.people : null;
  const count = people && people.length !== memory.people ? people.length : null;
  if (people) memory.people = people.length;
  const match = p.gesture?.match ?? null;

  if (o.mode === 'wekinator') {
    const out: InstanceType<typeof OSC.TypedMessage>[] = [];
    const values = isRegression ? Object.values(p.values!) : [labels.indexOf(p.label) + 1];
    // A pose pipeline before training has no classes: nothing to number.
    if (isRegression || labels.length > 0) out.push(msg('/wek/outputs', floats(values)));
    if (match) out.push(msg(`/output_${labels.indexOf(match.name) + 1}`, []));
    // One message of inputs: the pose's, then the hands' (right first), as Wekinator takes one input list.
    const rightFirst = handsBySide(hands ?? []).filter((h) => h !== undefined);
    const inputs = [...(pose && !pose.noPerson ? poseValues(pose) : []), ...rightFirst.flatMap(handValues)];
    if (inputs.length > 0) out.push(msg('/wek/inputs', floats(inputs)));
    return out;
  }
  const out: InstanceType<typeof OSC.TypedMessage>[] = [];
  if (isRegression) {
    for (const name of labels) out.push(msg(`${o.prefix}/output/${parts.get(name)}`, floats([p.values![name]!])));
    out.push(msg(`${o.prefix}/outputs`, floats(labels.map((n) => p.values![n]!))));
  } else if (labels.length > 0) {
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
    if (match)
      out.push(
        msg(`${o.prefix}/gesture`, [
          { type: 's', value: match.name },
          { type: 'f', value: match.distance },
        ]),
      );
    if (o.perLabel) {
      for (const label of labels)
        out.push(msg(`${o.prefix}/confidence/${parts.get(label)}`, floats([p.confidences[label]!])));
    }
    out.push(msg(`${o.prefix}/confidences`, floats(labels.map((l) => p.confidences[l]!))));
  }
  if (presence !== null) out.push(msg(`${o.prefix}/noperson`, [{ type: 'i', value: presence ? 1 : 0 }]));
  if (pose && !pose.noPerson) {
    for (const k of pose.keypoints) out.push(msg(`${o.prefix}/pose/${k.name}`, floats([k.x, k.y, k.score])));
    out.push(msg(`${o.prefix}/pose`, floats(poseValues(pose))));
  }
  if (handPresence !== null) out.push(msg(`${o.prefix}/nohand`, [{ type: 'i', value: handPresence ? 1 : 0 }]));
  if (hands) {
    // By the person's side; of two hands called the same side, each gets one (handsBySide).
    for (const [i, hand] of handsBySide(hands).entries()) {
      if (!hand) continue;
      const side = i === 0 ? 'right' : 'left';
      for (const k of hand.keypoints) out.push(msg(`${o.prefix}/hand/${side}/${k.name}`, floats([k.x, k.y, k.z])));
      out.push(msg(`${o.prefix}/hand/${side}`, floats(handValues(hand))));
    }
  }
  if (people) {
    if (count !== null) out.push(msg(`${o.prefix}/people`, [{ type: 'i', value: count }]));
    for (const id of p.peopleChanged?.entered ?? []) out.push(msg(`${o.prefix}/person/${id}/enter`, []));
    for (const id of p.peopleChanged?.left ?? []) out.push(msg(`${o.prefix}/person/${id}/leave`, []));
    for (const person of people) {
      out.push(msg(`${o.prefix}/person/${person.id}/pose`, floats(poseValues(person))));
      if (person.label !== undefined)
        out.push(
          msg(`${o.prefix}/person/${person.id}/label`, [
            { type: 's', value: person.label },
            { type: 'f', value: person.confidence ?? 0 },
          ]),
        );
    }
  }
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
