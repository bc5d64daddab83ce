import { map, pipe, scan, type MonoTypeOperatorFunction } from 'rxjs';
import type { Milliseconds } from '../../protocol/units';
import type { Prediction } from '../../protocol/engine-api';

/** How long a new label must last before `hold` lets the emitted label switch to it. Defaults: HOLD_DEFAULTS. */
export interface HoldOptions {
  /**
   * Consecutive predictions the new label must win, counting the one that first shows it
   * (1 switches at once). An integer ≥ 1. When only `ms` is given, 1: time alone decides.
   */
  frames?: number;
  /**
   * Time the new label must have been winning, measured on the predictions' own `t` timestamps
   * (not the wall clock), from its first prediction to the current one. ≥ 0.
   */
  ms?: Milliseconds;
}

/** Every `hold` option's default, and the only place each is written. */
export const HOLD_DEFAULTS: Readonly<Required<HoldOptions>> = Object.freeze<Required<HoldOptions>>({
  frames: 3,
  ms: 0,
});

/**
 * Adds hysteresis to the label: a new label must win for `frames` consecutive predictions and for at
 * least `ms` (both, when both are given) before the emitted label switches to it.
 *
 * Until then, predictions are emitted with the previous stable label; their confidences stay live.
 * The first label is accepted at once. Each subscriber gets its own state.
 *
 * @param options Any not given take HOLD_DEFAULTS (but `frames` is 1 when only `ms` is given).
 * @example
 * predictions$.pipe(threshold(), hold({ frames: 5, ms: 200 })).subscribe((p) => console.log(p.label));
 */
export function hold(options: HoldOptions = {}): MonoTypeOperatorFunction<Prediction> {
  const frames = options.frames ?? (options.ms === undefined ? HOLD_DEFAULTS.frames : 1);
  const ms = options.ms ?? HOLD_DEFAULTS.ms;
  if (!(Number.isInteger(frames) && frames >= 1)) {
    throw new RangeError(
      `hold({ frames }): frames must be an integer ≥ 1, got ${frames}. Use 1 to switch on the first prediction.`,
    );
  }
  if (!(Number.isFinite(ms) && ms >= 0)) {
    throw new RangeError(`hold({ ms }): ms must be a finite number ≥ 0, got ${ms}. Use 0 for no time requirement.`);
  }
  return pipe(
    scan<Prediction, Hysteresis, null>((state, prediction) => step(state, prediction, frames, ms), null),
    map((state) => state.prediction),
  );
}

interface Hysteresis {
  /** The label being emitted. */
  stable: string;
  /** A different label that is winning but has not lasted long enough yet. */
  candidate: string | null;
  /** `t` of the candidate's first prediction. */
  since: Milliseconds;
  /** Consecutive predictions the candidate has won. */
  count: number;
  prediction: Prediction;
}

function step(state: Hysteresis | null, prediction: Prediction, frames: number, ms: Milliseconds): Hysteresis {
  if (state === null || prediction.label === state.stable) {
    return settle(prediction);
  }
  const continuing = prediction.label === state.candidate;
  const since = continuing ? state.since : prediction.t;
  const count = continuing ? state.count + 1 : 1;
  if (count >= frames && prediction.t - since >= ms) {
    return settle(prediction);
  }
  return {
    stable: state.stable,
    candidate: prediction.label,
    since,
    count,
    prediction: { ...prediction, label: state.stable },
  };
}

function settle(prediction: Prediction): Hysteresis {
  return { stable: prediction.label, candidate: null, since: prediction.t, count: 0, prediction };
}
