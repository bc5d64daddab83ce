/**
 * Examples made by another feature model get new feature vectors from their stored crops.
 */
import * as tf from '@tensorflow/tfjs';
import type { FeatureIdentity } from '../../protocol/project-record';
import type { ProjectProgress } from '../../protocol/project';
import type { Example } from '../examples';
import type { FeatureExtractor } from '../features/feature-extractor';
import { toSquarePixels } from '../intake/pixels';
import { decodeCrop } from './crops';

/** New examples with `features`' vectors; throws, changing nothing, when an example has no crop. */
export async function reembed(
  examples: readonly Example[],
  features: FeatureExtractor,
  from: FeatureIdentity,
  onProgress: (p: ProjectProgress) => void,
): Promise<Example[]> {
  const missing = examples.filter((e) => !e.crop).length;
  if (missing > 0) {
    throw new RangeError(
      `The project was made with ${from.model} and ${missing} of its examples have no stored picture, so they cannot be re-embedded with ${features.identity.model}. Open it with ${from.model}, or record those examples again.`,
    );
  }
  const out: Example[] = [];
  for (const [i, e] of examples.entries()) {
    const pixels = await decodeCrop(e.crop!, `The picture of example ${e.id}`);
    const square = tf.tidy(() => toSquarePixels(pixels));
    try {
      out.push({ ...e, embedding: await features.extract(square) });
    } finally {
      square.dispose();
    }
    if (i % 20 === 0 || i === examples.length - 1)
      onProgress({ phase: 'reembed', fraction: (i + 1) / examples.length });
  }
  return out;
}
