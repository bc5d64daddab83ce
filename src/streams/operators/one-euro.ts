import { scan, map, type MonoTypeOperatorFunction } from 'rxjs';
import type { Milliseconds } from '../../protocol/units';
import type { Prediction } from '../../protocol/engine-api';

/** The One Euro filter's two parameters (Casiez, Roussel & Vogel, CHI 2012). Defaults: ONE_EURO_DEFAULTS. */
export interface OneEuroOptions {
  /** Cut-off frequency when still, in Hz: lower is steadier (less jitter) and lags more on slow moves. */
  minCutoff?: number;
  /**
   * How much speed raises the cut-off (per unit of frame per second): higher follows fast moves more
   * closely. Keypoints are in 0..1 of the frame, so a hand crossing the frame in a second moves at 1.
   */
  beta?: number;
}

/** Every `oneEuro` option's default, and the only place each is written. */
export const ONE_EURO_DEFAULTS: Readonly<Required<OneEuroOptions>> = Object.freeze<Required<OneEuroOptions>>({
  minCutoff: 1,
  beta: 5,
});

/** Derivatives are smoothed at this cut-off, as the paper recommends. */
const D_CUTOFF = 1;
/** A frame this long after the previous one starts afresh (a new run, a paused tab). */
const GAP_MS: Milliseconds = 1000;

/** The smoothing factor of a first-order low-pass filter at `cutoff` Hz, for a step of `dt` seconds. */
const alpha = (cutoff: number, dt: number) => 1 / (1 + 1 / (2 * Math.PI * cutoff * dt));

interface AxisState {
  value: number;
  speed: number;
}

interface State {
  t: Milliseconds;
  axes: AxisState[]; // x and y of each keypoint, in order
  /** Each hand's axes, by its id (features 'hands'). */
  hands: Map<number, AxisState[]>;
  /** Each person's axes, by their id (features 'people'). */
  people: Map<number, AxisState[]>;
  out: Prediction | null;
}

function filterAxis(s: AxisState | undefined, x: number, dt: number, o: Required<OneEuroOptions>): AxisState {
  if (!s) return { value: x, speed: 0 };
  const rawSpeed = (x - s.value) / dt;
  const speed = s.speed + alpha(D_CUTOFF, dt) * (rawSpeed - s.speed);
  const cutoff = o.minCutoff + o.beta * Math.abs(speed);
  return { value: s.value + alpha(cutoff, dt) * (x - s.value), speed };
}

/**
 * Steadies a pose's keypoints, and each hand's and each person's (by their id), with a One Euro filter: its cut-off adapts to speed, so slow moves and
 * stillness are steady while fast moves are not delayed — what MediaPipe-in-TouchDesigner users ask for
 * first. Works on the frame times (`t`), so dropped frames do not fool it. Predictions without a pose, or
 * with nobody in view, pass unchanged and start the filter afresh; a hand newly in view starts afresh too. Each subscriber has its own state.
 *
 * Options not given take ONE_EURO_DEFAULTS.
 *
 * @example predictions$.pipe(oneEuro({ minCutoff: 0.5 })).subscribe((p) => draw(p.pose)) // steadier still
 */
export function oneEuro(options: OneEuroOptions = {}): MonoTypeOperatorFunction<Prediction> {
  const o = { ...ONE_EURO_DEFAULTS, ...options };
  if (!(o.minCutoff > 0))
    throw new RangeError(
      `oneEuro: minCutoff must be > 0 Hz (got ${o.minCutoff}), e.g. ${ONE_EURO_DEFAULTS.minCutoff}.`,
    );
  if (!(o.beta >= 0))
    throw new RangeError(`oneEuro: beta must be ≥ 0 (got ${o.beta}), e.g. ${ONE_EURO_DEFAULTS.beta}.`);
  /** Keypoints steadied against their axes of the frame before (none, or `dt` 0: as they are, and afresh). */
  const steady = <K extends { x: number; y: number }>(
    keypoints: readonly K[],
    before: AxisState[] | undefined,
    dt: number,
  ) => {
    const axes: AxisState[] = [];
    const out = keypoints.map((k, i) => {
      const [x, y] =
        dt > 0 && before
          ? [filterAxis(before[2 * i], k.x, dt, o), filterAxis(before[2 * i + 1], k.y, dt, o)]
          : [filterAxis(undefined, k.x, 1, o), filterAxis(undefined, k.y, 1, o)];
      axes.push(x, y);
      return { ...k, x: x.value, y: y.value };
    });
    return { keypoints: out, axes };
  };
  return (source) =>
    source.pipe(
      scan<Prediction, State, null>((state, p) => {
        const follows = state !== null && p.t > state.t && p.t - state.t < GAP_MS;
        const dt = follows ? (p.t - state.t) / 1000 : 0;
        // Hands and people: each by its id; one newly in view starts afresh.
        const byId = <T extends { id: number; keypoints: readonly { x: number; y: number }[] }>(
          seen: readonly T[] | undefined,
          before: Map<number, AxisState[]> | undefined,
        ) => {
          const kept = new Map<number, AxisState[]>();
          const out = seen?.map((one) => {
            const { keypoints, axes } = steady(one.keypoints, before?.get(one.id), dt);
            kept.set(one.id, axes);
            return { ...one, keypoints };
          });
          return { kept, out };
        };
        const hands = byId(p.hands, state?.hands);
        const people = byId(p.people, state?.people);
        const withThem = {
          ...p,
          ...(hands.out ? { hands: hands.out } : {}),
          ...(people.out ? { people: people.out } : {}),
        };
        const next = { t: p.t, hands: hands.kept, people: people.kept };
        if (!p.pose || p.pose.noPerson) return { ...next, axes: [], out: withThem };
        const { keypoints, axes } = steady(p.pose.keypoints, state?.axes.length ? state.axes : undefined, dt);
        return { ...next, axes, out: { ...withThem, pose: { ...p.pose, keypoints } } };
      }, null),
      map((state) => state.out!),
    );
}
