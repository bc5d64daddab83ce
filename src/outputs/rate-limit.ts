/**
 * How often an output sends, as every output reads its `rate` option: every prediction, only the news a
 * receiver must not miss (a label change, say), or at most so many a second by the frames' capture times.
 * One gate per output; the output says which predictions are urgent.
 */
import type { Milliseconds } from '../protocol/units';

/** `'every'` prediction, only urgent ones (`'change'`), or at most this many per second (urgent ones always pass). */
export type Rate = 'every' | 'change' | number;

export interface RateGate {
  /** True when the prediction captured at `t` is not to be sent; `urgent` ones pass whatever the rate. */
  skip(t: Milliseconds, urgent: boolean): boolean;
  /** The prediction captured at `t` was sent: the next non-urgent one waits its turn from there. */
  sent(t: Milliseconds): void;
}

/**
 * A gate for `rate` (throws a RangeError for a rate that is not one).
 * @example
 * const gate = rateGate(10);
 * if (!gate.skip(p.t, labelChanged)) { send(p); gate.sent(p.t); }
 */
export function rateGate(rate: Rate): RateGate {
  if (rate !== 'every' && rate !== 'change' && !(typeof rate === 'number' && rate > 0))
    throw new RangeError(`rate must be 'every', 'change' or a number of messages per second > 0 (got ${rate}).`);
  let lastSentAt = -Infinity;
  return {
    skip(t, urgent) {
      if (rate === 'change') return !urgent;
      return typeof rate === 'number' && !urgent && t - lastSentAt < 1000 / rate;
    },
    sent(t) {
      lastSentAt = t;
    },
  };
}
