/**
 * `@teachablemachine/image` 0.8.5 from npm, with the tfjs 1.3.1 it pins, as a page of its own serves them: the
 * reference a Teachable Machine model is held against. Its page loads `model.json` and `metadata.json` beside
 * it, as a sketch does, and `window.theirLabels(urls)` gives each picture's probabilities and best class.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../support/paths';
import type { Served } from './other-origin';

/** What `window.theirLabels` answers: the model's classes, and for each picture its probabilities and best class. */
export interface TheirAnswer {
  labels: string[];
  probabilities: number[][];
  out: string[];
}

const PAGE = `<!doctype html>
<script src="tf.min.js"></script>
<script src="teachablemachine-image.min.js"></script>
<script>
  window.theirLabels = async (urls) => {
    await tf.setBackend('cpu');
    const model = await tmImage.load('model.json', 'metadata.json');
    const probabilities = [];
    const out = [];
    for (const url of urls) {
      const image = new Image();
      image.src = url;
      await image.decode();
      const p = await model.predict(image);
      probabilities.push(p.map((c) => c.probability));
      out.push(p.reduce((a, b) => (b.probability > a.probability ? b : a)).className);
    }
    return { labels: model.getClassLabels(), probabilities, out };
  };
</script>`;

/** The package's page (`/page.html`) and its scripts, to serve beside a model's files. */
export const TEACHABLE_MACHINE_PAGE: Served = {
  '/page.html': { body: PAGE, type: 'text/html' },
  '/tf.min.js': {
    body: readFileSync(join(REPO, 'node_modules/tfjs-1.3.1-for-teachable-machine/dist/tf.min.js')),
    type: 'text/javascript',
  },
  '/teachablemachine-image.min.js': {
    body: readFileSync(join(REPO, 'node_modules/@teachablemachine/image/dist/teachablemachine-image.min.js')),
    type: 'text/javascript',
  },
};

declare global {
  interface Window {
    theirLabels(urls: string[]): Promise<TheirAnswer>;
  }
}
