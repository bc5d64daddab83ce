/**
 * What the page knows of the project: the project and the head's settings as the worker last told them,
 * and the example counts, which `counts$` replays to each new subscriber before every change.
 */
import type * as Comlink from 'comlink';
import { BehaviorSubject, type Observable } from 'rxjs';
import type { EngineApi, ExampleCounts, InitReport } from '../protocol/engine-api';
import type { HeadSettings } from '../protocol/engine-options';
import type { ProjectInfo } from '../protocol/project';

export class ProjectState {
  #project: ProjectInfo;
  #settings: HeadSettings;
  readonly #counts: BehaviorSubject<ExampleCounts>;
  /** The counts now, then after every change. */
  readonly counts$: Observable<ExampleCounts>;

  constructor(
    private readonly engine: Comlink.Remote<EngineApi>,
    info: InitReport,
    counts: ExampleCounts,
  ) {
    this.#project = info.project;
    this.#settings = info.settings;
    this.#counts = new BehaviorSubject(counts);
    this.counts$ = this.#counts.asObservable();
  }

  get project(): ProjectInfo {
    return this.#project;
  }

  get settings(): HeadSettings {
    return this.#settings;
  }

  /** Takes the counts a call answered with, and passes them on. */
  counted = (counts: ExampleCounts): ExampleCounts => {
    this.#counts.next(counts);
    return counts;
  };

  /** Asks the worker for the counts (after a change it did not answer with them). */
  async recount(): Promise<ExampleCounts> {
    return this.counted(await this.engine.counts());
  }

  /** Asks the worker for the project (after training, or a change of settings). */
  async refresh(): Promise<ProjectInfo> {
    return (this.#project = await this.engine.project());
  }

  /** A project opened from a file, or settings configured: the worker's answer becomes what the page knows. */
  replaced(project: ProjectInfo): void {
    this.#project = project;
    this.#settings = project.settings;
  }

  configured(settings: HeadSettings): void {
    this.#settings = settings;
  }

  /** Whether it is predicting, kept with the project so that a reload starts it again. */
  setRunning(running: boolean): void {
    this.#project = { ...this.#project, running };
    void this.engine.setRunning(running).catch(() => {});
  }

  close(): void {
    this.#counts.complete();
  }
}
