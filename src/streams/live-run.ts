/**
 * A pipeline's live run: `start(source)` … `stop()`, the predictions it makes and the metrics it keeps.
 * The frames' way to the worker is intake's to decide (intake/intake.ts); this holds the run itself.
 */
import type * as Comlink from 'comlink';
import {
  ReplaySubject,
  Subject,
  Subscription,
  filter,
  interval,
  map,
  share,
  startWith,
  takeUntil,
  type Observable,
} from 'rxjs';
import type { EngineApi, Prediction } from '../protocol/engine-api';
import type { Backend } from '../protocol/engine-options';
import type { FrameShape } from '../protocol/frame';
import type { Milliseconds } from '../protocol/units';
import { livePredictions } from './intake/intake';
import type { LiveSource } from './intake/page-frames';
import { MetricsRecorder, type Metrics } from './metrics';

export interface LiveRunOptions {
  backend: Backend;
  /** The square the picture becomes for the model. */
  frame: FrameShape;
  /** Read a camera's frames in the worker where the browser can, unless a run says otherwise. */
  workerCamera: boolean;
  /** How often `metrics$` emits while running. */
  metricsIntervalMs: Milliseconds;
  /** Errors of the run, each told once (the intake dedupes repeats). */
  report: (e: Error) => void;
}

export class LiveRun {
  readonly #predictions = new Subject<Prediction>();
  // Replayed: a subscriber to metrics$ after close() completes at once.
  readonly #closed = new ReplaySubject<void>(1);
  readonly #metrics: MetricsRecorder;
  #run: Subscription | null = null;
  /** Every prediction while running (hot). */
  readonly predictions$: Observable<Prediction> = this.#predictions.asObservable();
  /** The run's numbers every `metricsIntervalMs`, while running. */
  readonly metrics$: Observable<Metrics>;

  constructor(
    private readonly engine: Comlink.Remote<EngineApi>,
    private readonly options: LiveRunOptions,
  ) {
    this.#metrics = new MetricsRecorder(options.backend);
    this.metrics$ = interval(options.metricsIntervalMs).pipe(
      startWith(0),
      filter(() => this.#run !== null),
      map(() => this.#metrics.snapshot(performance.now())),
      takeUntil(this.#closed),
      share(),
    );
  }

  get running(): boolean {
    return this.#run !== null;
  }

  /** Predicts every frame of `source` (stopping a run before); returns at once. */
  start(source: LiveSource, workerCamera = this.options.workerCamera): void {
    this.stop();
    this.#metrics.start(performance.now());
    const run = new Subscription();
    this.#run = run;
    const { frame, report } = this.options;
    run.add(
      livePredictions(this.engine, source, { workerCamera, frame, metrics: this.#metrics, report }).subscribe({
        next: (p) => {
          this.#metrics.prediction(p, performance.now());
          this.#predictions.next(p);
        },
        error: (e: Error) => {
          report(e);
          run.unsubscribe();
          if (this.#run === run) this.#run = null;
        },
      }),
    );
  }

  /** Stops the run; false when none was running. */
  stop(): boolean {
    if (!this.#run) return false;
    this.#run.unsubscribe();
    this.#run = null;
    return true;
  }

  /** A crashed worker was replaced: counted in `metrics$`. */
  workerRestarted(): void {
    this.#metrics.workerRestarted();
  }

  close(): void {
    this.stop();
    this.#closed.next();
    this.#closed.complete();
    this.#predictions.complete();
  }
}
