/**
 * OSC through the bridge (WebSocket → UDP) to Max, Pure Data, TouchDesigner — or to Wekinator
 * patches with `mode: 'wekinator'`.
 */
import { checkPrefix } from './osc-address';
import { freshMemory, isUrgent, oscText, pack, toOscMessages, wallClock, type OscMode } from './osc-messages';
import type { Output } from './output';
import { rateGate, type Rate } from './rate-limit';
import { BRIDGE_URL } from './reconnecting-socket';
import { socketOutput } from './socket-output';

/** What `oscOutput` sends, where, and how often. Defaults: OSC_OUTPUT_DEFAULTS. */
export interface OscOutputOptions {
  /** The bridge's WebSocket. */
  url?: string;
  /** The address prefix of every message (`/tw/label`, `/tw/confidences`, …); Wekinator's addresses have none. */
  prefix?: string;
  /** trainwhistle's address space (`'tw'`), or Wekinator's `/wek/outputs` (`'wekinator'`). */
  mode?: OscMode;
  /**
   * `'every'` prediction, only on a label `'change'`, or at most this many per second, by the frames' capture
   * times. A label change, a gesture and someone coming into view or leaving always go through at once.
   */
  rate?: Rate;
  /** Send `/label` and `/class` with every prediction, not only when the label changes. */
  labelEveryFrame?: boolean;
  /** Send one `/confidence/<label>` message per label (TouchDesigner makes a channel of each). */
  perLabel?: boolean;
  /** One bundle per prediction, timetagged with the frame's capture time. */
  bundle?: boolean;
  /**
   * Send the body's keypoints of pose predictions, at `rate`: `/pose/<keypoint> ,fff` (x, y, score) for each of
   * the 17 and `/pose ,f…` (all 51), while someone is in view; `/noperson ,i 1` when nobody is (and `0` when
   * someone is back) — at once, whatever the rate. Wekinator mode sends `/wek/inputs` (the 51) instead.
   * Smooth the keypoints first with `oneEuro()`.
   */
  pose?: boolean;
  /**
   * Send everyone in view by id, with features 'people': `/people ,i` (how many; on change),
   * `/person/<id>/enter` and `/person/<id>/leave` (at once, whatever the rate), and for each person in view
   * `/person/<id>/pose ,f…` (their 51) and, once trained, `/person/<id>/label ,sf` (their label, its confidence).
   */
  people?: boolean;
  /**
   * Send the hands of predictions with features 'hands' (or `also: ['hands']`), at `rate`: `/hand/<left|right>/<keypoint> ,fff` (x, y, z)
   * for each of the 21 and `/hand/<left|right> ,f…` (all 63), while the hand is in view; `/nohand ,i 1` when
   * no hand is (and `0` when one is back) — at once, whatever the rate. Wekinator mode sends `/wek/inputs`
   * (the 63 of each hand, right hand first; after the pose's 51 where both are sent) instead.
   */
  hands?: boolean;
}

/** Every `oscOutput` option's default, and the only place each is written. */
export const OSC_OUTPUT_DEFAULTS: Readonly<Required<OscOutputOptions>> = Object.freeze<Required<OscOutputOptions>>({
  url: BRIDGE_URL,
  prefix: '/tw',
  mode: 'tw',
  rate: 'every',
  labelEveryFrame: false,
  perLabel: true,
  bundle: false,
  pose: false,
  people: false,
  hands: false,
});

/**
 * Sends predictions as OSC through the bridge. Options not given take OSC_OUTPUT_DEFAULTS.
 *
 * Gestures recognised (`/gesture ,sf`, or Wekinator's `/output_<n>`) go out at once, whatever the rate, as
 * label changes do.
 * @example
 * const osc = oscOutput({ prefix: '/tw' });
 * osc.attach(pipe.predictions$.pipe(smooth(0.5)));
 * // A pose pipeline: the steadied skeleton, 30 times a second at most.
 * oscOutput({ pose: true, rate: 30 }).attach(pipe.predictions$.pipe(oneEuro()));
 */
export function oscOutput(options: OscOutputOptions = {}): Output {
  const o = { ...OSC_OUTPUT_DEFAULTS, ...options };
  checkPrefix(o.prefix);
  const gate = rateGate(o.rate);
  let memory = freshMemory();
  return socketOutput(o.mode === 'wekinator' ? 'osc (wekinator)' : 'osc', o.url, {
    skip: (p) => gate.skip(p.t, isUrgent(p, memory, o)),
    // After a (re)connection the patch gets the labels and the current label again — not a backlog.
    reset: () => (memory = freshMemory()),
    encode(p) {
      gate.sent(p.t);
      const messages = toOscMessages(p, memory, o);
      return { frames: pack(messages, o.bundle ? wallClock(p) : undefined), text: oscText(messages) };
    },
  });
}
