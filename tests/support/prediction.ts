/** A Prediction as the engine gives one, for the tests of what outputs make of it (OSC, MIDI, the Pd patch). */
import type { Prediction } from '../../src/protocol/engine-api';

/** `label` with `confidences`, at t = 1000 ms with fixed timings; `extra` over it (`values` for regression). */
export const prediction = (
  label: string,
  confidences: Record<string, number>,
  extra: Partial<Prediction> = {},
): Prediction => ({
  label,
  confidences,
  t: 1000,
  latencyMs: 5,
  timings: { fromPixels: 1, infer: 3, head: 1, total: 5 },
  tensors: 10,
  ...extra,
});
