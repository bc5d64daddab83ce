import { scan, type MonoTypeOperatorFunction } from 'rxjs';
import type { NormalRange } from '../../protocol/units';
import type { Prediction } from '../../protocol/engine-api';

/**
 * Smooths predictions with an exponential moving average of each label's confidence (and of each
 * regression value), then re-picks the winning label from the smoothed confidences.
 *
 * `alpha` is the weight of the newest prediction: 1 means no smoothing, smaller values smooth more
 * (and react more slowly). A label that appears starts at its own value; one that disappears is dropped.
 * Each subscriber gets its own running average.
 *
 * @param alpha Weight of the newest value, in (0, 1]. @default 0.5
 * @example
 * predictions$.pipe(smooth(0.3)).subscribe((p) => console.log(p.label, p.confidences));
 */
export function smooth(alpha: NormalRange = 0.5): MonoTypeOperatorFunction<Prediction> {
  if (!(alpha > 0 && alpha <= 1)) {
    throw new RangeError(
      `smooth(alpha): alpha must be in (0, 1], got ${alpha}. ` +
        'Use 1 for no smoothing, or a smaller value such as 0.3 for steadier output.',
    );
  }
  // Seeding with null (not a shared object) keeps the accumulator pure, so scan's per-subscription
  // state is the only state there is.
  return scan<Prediction, Prediction, null>((previous, current) => blend(previous, current, alpha), null);
}

function blend(previous: Prediction | null, current: Prediction, alpha: NormalRange): Prediction {
  const confidences = average(previous?.confidences, current.confidences, alpha);
  const smoothed: Prediction = { ...current, label: argmax(confidences) ?? current.label, confidences };
  if (current.values !== undefined) {
    smoothed.values = average(previous?.values, current.values, alpha);
  }
  return smoothed;
}

/** Averages over the current keys only (in their order), so labels that vanished drop out. */
function average(
  previous: Record<string, number> | undefined,
  current: Record<string, number>,
  alpha: NormalRange,
): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [key, value] of Object.entries(current)) {
    const before = previous?.[key];
    result[key] = before === undefined ? value : alpha * value + (1 - alpha) * before;
  }
  return result;
}

/** The first key with the highest value (ties go to label order), or undefined when there are none. */
function argmax(scores: Record<string, number>): string | undefined {
  let best: string | undefined;
  let bestScore = -Infinity;
  for (const [key, score] of Object.entries(scores)) {
    if (score > bestScore) {
      best = key;
      bestScore = score;
    }
  }
  return best;
}
