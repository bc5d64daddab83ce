import { map, type MonoTypeOperatorFunction } from 'rxjs';
import type { NormalRange } from '../../protocol/units';
import type { Prediction } from '../../protocol/engine-api';

/**
 * Replaces the winning label with `unknownLabel` when its confidence is below `minConfidence`.
 *
 * Confidences are passed through untouched, so downstream code can still see what almost won.
 * Regression predictions (label '') pass unchanged. Put it after `smooth` so that it judges the
 * smoothed confidence, not a single noisy frame.
 *
 * @param minConfidence Lowest confidence, in [0, 1], that keeps the winning label. @default 0.6
 * @param unknownLabel Label emitted instead when the winner is not confident enough. @default 'unknown'
 * @example
 * predictions$.pipe(smooth(), threshold(0.8, 'nothing')).subscribe((p) => console.log(p.label));
 */
export function threshold(
  minConfidence: NormalRange = 0.6,
  unknownLabel = 'unknown',
): MonoTypeOperatorFunction<Prediction> {
  if (!(minConfidence >= 0 && minConfidence <= 1)) {
    throw new RangeError(
      `threshold(minConfidence): minConfidence must be in [0, 1], got ${minConfidence}. ` +
        'Confidences are fractions, so pass e.g. 0.6 rather than 60.',
    );
  }
  if (unknownLabel === '') {
    throw new RangeError(
      "threshold(minConfidence, unknownLabel): unknownLabel must not be '', which marks regression " +
        "predictions. Pass a name such as 'unknown'.",
    );
  }
  return map((prediction) => {
    if (prediction.label === '') return prediction;
    // A winner missing from its own confidences has no evidence behind it, so it counts as 0.
    const confidence = prediction.confidences[prediction.label] ?? 0;
    return confidence < minConfidence ? { ...prediction, label: unknownLabel } : prediction;
  });
}
