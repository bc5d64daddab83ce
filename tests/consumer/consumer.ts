/**
 * What a TypeScript user of the package writes: the API from the README, used under strict settings.
 * tests/node/package.test.ts compiles it against the built package (dist/lib/index.d.ts), imported by
 * name; the `@ts-expect-error` lines check that the types refuse what they should.
 */
import {
  createPipeline,
  hold,
  labelChanges,
  oscOutput,
  smooth,
  threshold,
  type ExampleCounts,
  type LabelChange,
  type Pipeline,
  type PipelineOptions,
  type Prediction,
} from 'trainwhistle';
import { createPipeline as createStandalonePipeline } from 'trainwhistle/standalone';

export async function teach(video: HTMLVideoElement, photo: HTMLImageElement): Promise<() => Promise<void>> {
  const options: PipelineOptions = {
    backend: 'auto',
    head: 'dense',
    train: { epochs: 20 },
    modelBaseUrl: new URL('models/', document.baseURI).href,
    onProgress: (p) => console.log(`loading ${Math.round(p.fraction * 100)} %`),
  };
  const pipe: Pipeline = await createPipeline(options);

  await pipe.addExample('ukulele', photo);
  const recording = pipe.record('train whistle', video, { maxFps: 10 });
  const added: number = await recording.stop();
  const report = await pipe.train();
  console.log(`${added} recorded; trained on ${report.examples} examples in ${report.ms} ms`);

  const started: void = pipe.start(video);
  const changes = pipe.predictions$.pipe(smooth(0.5), threshold(0.7), hold({ frames: 3 }), labelChanges());
  const labels = changes.subscribe((c: LabelChange) => console.log(`${c.previous ?? '–'} → ${c.label}`, c.confidence));
  const latest = pipe.predictions$.subscribe((p: Prediction) => console.log(p.label, p.confidences['ukulele']));
  const counts = pipe.counts$.subscribe((c: ExampleCounts) => console.log(c.total, c.perLabel));

  const osc = oscOutput({ url: 'ws://127.0.0.1:8080', prefix: '/tw', rate: 'change' });
  const sending = osc.attach(pipe.predictions$.pipe(smooth(0.5)));

  // @ts-expect-error start() returns at once, with nothing to await
  await pipe.start(video).then(() => {});
  // @ts-expect-error backends are a closed set
  await createStandalonePipeline({ backend: 'webgl3' });

  return async () => {
    for (const s of [labels, latest, counts, sending]) s.unsubscribe();
    osc.close();
    await pipe.close();
    return started;
  };
}

// @ts-expect-error only what package.json "exports" names is reachable, not the files behind it
export type * from 'trainwhistle/dist/lib/index.js';
