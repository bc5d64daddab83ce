import { distinctUntilKeyChanged, pipe, scan, type OperatorFunction } from 'rxjs';
import type { Milliseconds, NormalRange } from '../../protocol/units';
import type { Prediction } from '../../protocol/engine-api';

/** One switch of the label, as emitted by `labelChanges`. */
export interface LabelChange {
  /** The new label. */
  label: string;
  /** The label before the switch; `null` for the first prediction. */
  previous: string | null;
  /** Capture time of the prediction that switched (its `t`). */
  t: Milliseconds;
  /**
   * Confidence of the new label, or `null` when the prediction has none for it (regression, or a label
   * such as `threshold`'s `unknownLabel`; see `prediction.confidences` for the scores).
   */
  confidence: NormalRange | null;
  /** The prediction that switched. */
  prediction: Prediction;
}

/**
 * Emits one `LabelChange` each time the label differs from the previous prediction's; the first
 * prediction always emits, with `previous: null`.
 *
 * @example
 * predictions$.pipe(smooth(), threshold(), hold(), labelChanges())
 *   .subscribe(({ previous, label }) => console.log(`${previous} → ${label}`));
 */
export function labelChanges(): OperatorFunction<Prediction, LabelChange> {
  return pipe(
    distinctUntilKeyChanged('label'),
    scan<Prediction, LabelChange, null>((last, prediction) => toChange(prediction, last?.label ?? null), null),
  );
}

function toChange(prediction: Prediction, previous: string | null): LabelChange {
  return {
    label: prediction.label,
    previous,
    t: prediction.t,
    confidence: prediction.confidences[prediction.label] ?? null,
    prediction,
  };
}
