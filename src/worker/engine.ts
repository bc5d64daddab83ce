/**
 * The engine: MobileNet as a feature extractor, the user's examples, and one trainable head.
 * It runs inside the worker (see worker.ts) and, for tests, directly in Node on the wasm backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { MobileNet } from '@tensorflow-models/mobilenet';
import type {
  EngineApi,
  EngineImage,
  EngineOptions,
  ExampleCounts,
  ExampleInfo,
  InitReport,
  LoadProgress,
  Backend,
  Milliseconds,
  Prediction,
  RawBenchmark,
  Target,
  TrainProgress,
  TrainReport,
} from '../protocol/types';
import { chooseBackend } from './backends';
import { ExampleStore, checkLabel } from './examples';
import { INPUT_SIZE, checkImage, release, thumbnail, toSquarePixels } from './frames';
import { DenseHead } from './heads/dense';
import { NotTrainedError, type Head } from './heads/head';
import { KnnHead } from './heads/knn';
import { RegressionHead, checkRegressionTarget } from './heads/regression';
import { loadMobileNet } from './model-loader';
import { mergeEngineOptions, validateEngineOptions, type PartialEngineOptions } from '../protocol/options';

/** What differs between the browser worker and Node tests. */
export interface EnginePlatform {
  /** Load the weights from this handler instead of the URL sources (Node tests). */
  modelHandler?: tf.io.IOHandler;
}

export class Engine implements EngineApi {
  #options: EngineOptions | null = null;
  #model: MobileNet | null = null;
  #head: Head | null = null;
  #store = new ExampleStore();
  #training = false;

  constructor(private readonly platform: EnginePlatform = {}) {}

  async init(
    options: PartialEngineOptions | EngineOptions,
    onProgress: (p: LoadProgress) => void = () => {},
  ): Promise<InitReport> {
    if (this.#model) throw new Error('The engine is already initialised; create a new one for other options.');
    const o = mergeEngineOptions(options);
    validateEngineOptions(o);
    onProgress({ phase: 'backend', fraction: 0 });
    // Weights load into CPU memory (wasm, else cpu); tfjs moves them when the chosen backend first uses them.
    await tf.setBackend(tf.findBackendFactory('wasm') ? 'wasm' : 'cpu');
    const loaded = await loadMobileNet(o, onProgress, this.platform.modelHandler);
    this.#model = loaded.model;
    const probe = tf.zeros<tf.Rank.R3>([INPUT_SIZE, INPUT_SIZE, 3], 'int32');
    let backend;
    try {
      backend = await chooseBackend(o, (deadline) => this.#measure(probe, deadline));
      await this.#measure(probe, 0); // warm the chosen backend (shader compilation) before the first frame
    } finally {
      probe.dispose();
    }
    this.#options = o;
    this.#head = this.#makeHead(o);
    return {
      backend: backend.report,
      model: loaded.report,
      head: o.head,
      outputs: o.head === 'regression' ? o.outputs : [],
      warnings: [...loaded.warnings, ...backend.warnings],
    };
  }

  /** Mean ms per frame on the active backend: one warm-up, then frames until `deadline` (at most 5). */
  async #measure(probe: tf.Tensor3D, deadline: Milliseconds): Promise<Milliseconds> {
    const run = async () => {
      const t0 = performance.now();
      const out = this.#model!.infer(probe, true);
      await out.data();
      out.dispose();
      return performance.now() - t0;
    };
    const first = await run();
    const times: number[] = [];
    while (times.length < 5 && performance.now() < deadline) times.push(await run());
    return times.length ? times.reduce((a, b) => a + b, 0) / times.length : first;
  }

  #makeHead(o: EngineOptions): Head {
    switch (o.head) {
      case 'dense':
        return new DenseHead(o.train, () => this.#store.labels);
      case 'knn':
        return new KnnHead(o.knn, this.#store);
      case 'regression':
        return new RegressionHead(o.train, o.outputs);
    }
  }

  #ready(): { model: MobileNet; head: Head; options: EngineOptions } {
    if (!this.#model || !this.#head || !this.#options)
      throw new Error('The engine is not initialised: await init(options) first.');
    return { model: this.#model, head: this.#head, options: this.#options };
  }

  async #embedSquare(
    image: EngineImage,
  ): Promise<{ embedding: Float32Array; square: tf.Tensor3D; fromPixels: Milliseconds; infer: Milliseconds }> {
    const { model } = this.#ready();
    checkImage(image);
    const t0 = performance.now();
    const square = tf.tidy(() => toSquarePixels(image));
    const t1 = performance.now();
    const out = model.infer(square, true);
    const embedding = (await out.data()) as Float32Array;
    out.dispose();
    return { embedding, square, fromPixels: t1 - t0, infer: performance.now() - t1 };
  }

  async embed(image: EngineImage): Promise<Float32Array> {
    try {
      const { embedding, square } = await this.#embedSquare(image);
      square.dispose();
      return embedding;
    } finally {
      release(image);
    }
  }

  async addExample(target: Target, image: EngineImage): Promise<ExampleInfo> {
    try {
      const { options } = this.#ready();
      let label = '';
      let values: Record<string, number> | undefined;
      if (options.head === 'regression') {
        checkRegressionTarget(target, options.outputs);
        values = { ...target };
      } else {
        if (typeof target !== 'string') {
          throw new TypeError(
            `A ${options.head} example needs a label string, not ${JSON.stringify(target)}. (Target values are for head: 'regression'.)`,
          );
        }
        checkLabel(target);
        label = target;
      }
      const { embedding, square } = await this.#embedSquare(image);
      try {
        return this.#store.add({ label, ...(values ? { values } : {}), embedding, thumbnail: await thumbnail(square) });
      } finally {
        square.dispose();
      }
    } finally {
      release(image);
    }
  }

  async removeExample(id: number): Promise<ExampleCounts> {
    return this.#store.remove(id);
  }

  async clearLabel(label: string): Promise<ExampleCounts> {
    return this.#store.clearLabel(label);
  }

  async renameLabel(from: string, to: string): Promise<ExampleCounts> {
    return this.#store.rename(from, to);
  }

  async clearExamples(): Promise<ExampleCounts> {
    return this.#store.clear();
  }

  async counts(): Promise<ExampleCounts> {
    return this.#store.counts();
  }

  async examples(): Promise<ExampleInfo[]> {
    return this.#store.infos();
  }

  async train(onProgress: (p: TrainProgress) => void = () => {}): Promise<TrainReport> {
    const { head } = this.#ready();
    if (this.#training) throw new Error('Training is already running; wait for it to finish.');
    this.#training = true;
    try {
      return await head.train(this.#store.all, onProgress);
    } finally {
      this.#training = false;
    }
  }

  async predict(image: EngineImage, t: Milliseconds): Promise<Prediction> {
    try {
      const { head } = this.#ready();
      if (!head.ready()) throw new NotTrainedError(head.notReadyReason());
      const start = performance.now();
      const { embedding, square, fromPixels, infer } = await this.#embedSquare(image);
      square.dispose();
      const h0 = performance.now();
      const scores = head.predict(embedding);
      const end = performance.now();
      const names = head.names;
      const timings = { fromPixels, infer, head: end - h0, total: end - start };
      const base = { t, latencyMs: 0, timings, tensors: tf.memory().numTensors };
      if (head.kind === 'regression') {
        const values = Object.fromEntries(names.map((n, i) => [n, scores[i]!]));
        return { ...base, label: '', confidences: {}, values };
      }
      let best = 0;
      for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
      return { ...base, label: names[best]!, confidences: Object.fromEntries(names.map((n, i) => [n, scores[i]!])) };
    } finally {
      release(image);
    }
  }

  async memory(): Promise<{ numTensors: number; numBytes: number }> {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  }

  async rawBenchmark(durationMs: Milliseconds): Promise<RawBenchmark> {
    const { model } = this.#ready();
    const frame = tf.tidy(() => tf.randomUniform<tf.Rank.R3>([INPUT_SIZE, INPUT_SIZE, 3], 0, 255, 'int32'));
    try {
      const run = async () => {
        const out = model.infer(frame, true);
        await out.data();
        out.dispose();
      };
      await run(); // warm-up: shader compilation is not the steady state
      const times: number[] = [];
      const start = performance.now();
      while (performance.now() - start < durationMs || times.length < 3) {
        const t0 = performance.now();
        await run();
        times.push(performance.now() - t0);
      }
      const elapsed = performance.now() - start;
      const sorted = [...times].sort((a, b) => a - b);
      const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
      return {
        backend: tf.getBackend() as Backend,
        frames: times.length,
        fps: (times.length / elapsed) * 1000,
        msPerFrame: { mean: elapsed / times.length, p50: at(0.5), p95: at(0.95) },
      };
    } finally {
      frame.dispose();
    }
  }

  async dispose(): Promise<void> {
    this.#head?.dispose();
    this.#head = null;
    (this.#model as unknown as { model?: tf.GraphModel } | null)?.model?.dispose();
    this.#model = null;
    this.#options = null;
    this.#store.clear();
  }
}
