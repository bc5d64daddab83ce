/**
 * Runs in a test page: a Teachable Machine export read and run as this project does (tm-export.ts, tm-model.ts),
 * each photo (an <img>, as a sketch gives one) squared by the browser at the model's size as Teachable Machine
 * squares it (`teachableMachinePlacement`), for teachable.test.ts to hold against `@teachablemachine/image`.
 */
import * as tf from '@tensorflow/tfjs';
import { teachableMachinePlacement } from '../../src/protocol/frame';
import { readTmExport } from '../../src/worker/teachable/tm-export';
import { TmModel } from '../../src/worker/teachable/tm-model';

declare global {
  interface Window {
    /** Each photo's probabilities, in the export's class order. */
    tmOurs(zipUrl: string, photoUrls: string[]): Promise<{ labels: string[]; probabilities: number[][] }>;
  }
}

window.tmOurs = async (zipUrl, photoUrls) => {
  await tf.setBackend('cpu');
  const bytes = new Uint8Array(await (await fetch(zipUrl)).arrayBuffer());
  const model = await TmModel.load(readTmExport([{ name: 'export.zip', bytes }]));
  const size = model.metadata.imageSize;
  const canvas = Object.assign(document.createElement('canvas'), { width: size, height: size });
  const g = canvas.getContext('2d')!;
  const probabilities: number[][] = [];
  try {
    for (const url of photoUrls) {
      const image = new Image();
      image.crossOrigin = 'anonymous';
      image.src = url;
      await image.decode();
      const p = teachableMachinePlacement(image.width, image.height, size);
      g.drawImage(image, p.sx, p.sy, p.sw, p.sh, p.dx, p.dy, p.dw, p.dh);
      const square = tf.browser.fromPixels(canvas, 3);
      probabilities.push([...model.classify(await model.features(square))]);
      square.dispose();
    }
  } finally {
    model.dispose();
  }
  return { labels: model.metadata.labels, probabilities };
};
document.body.dataset.ready = 'true';
