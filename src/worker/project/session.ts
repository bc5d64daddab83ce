/**
 * The project the engine works on: its examples, its head and the head's settings, what the app keeps with
 * it, and the store every change is told to as it happens. A project comes in one way (`adopt`), whether it
 * was kept (restored at start) or opened from a file; its description (`meta`) is made in one place.
 */
import type { ExampleCounts, ExampleInfo, Target, TrainProgress, TrainReport } from '../../protocol/engine-api';
import type {
  EngineOptions,
  FeatureKind,
  HeadSettings,
  HeadSettingsPatch,
  PartialEngineOptions,
} from '../../protocol/engine-options';
import { NotTrainedError, ProjectFileError } from '../../protocol/errors';
import { headSettingsOf, mergeHeadSettings, validateEngineOptions } from '../../protocol/options';
import type { Evaluation, ExampleQuery, ProjectInfo, ProjectProgress } from '../../protocol/project';
import type { ExampleRecord, ProjectMeta, ProjectRecord } from '../../protocol/project-record';
import { evaluate } from '../evaluate';
import { ExampleStore, checkLabel, info } from '../examples';
import type { FeatureExtractor } from '../features/feature-extractor';
import type { TeachableMachineFeatures } from '../features/teachable-machine';
import { MIN_TEMPLATE_FRAMES } from '../heads/dtw';
import type { Head } from '../heads/head';
import { makeHead } from '../heads/make-head';
import { checkRegressionTarget } from '../heads/regression';
import { readProjectFile, writeProjectFile } from './project-file';
import { reembed } from './reembed';
import { noStore, type ProjectStore } from './store';

/** Everything a project holds while it is open. */
interface Contents {
  examples: ExampleStore;
  head: Head;
  settings: HeadSettings;
  createdAt: number;
  /** Whether it is predicting, kept so that a reload starts it again. */
  running: boolean;
  appSettings: unknown;
  /** Examples re-embedded when it came in, because another feature model made them. */
  reembedded: number;
}

/** What an example is of: a label (classification) or output values (regression). */
type Taught = Pick<ExampleRecord, 'label' | 'values' | 'sequence'>;

/**
 * A project record taken in: its examples re-embedded when another feature model made them, its head made
 * for `settings` and given its trained state. `problems` says what of it could not be used.
 */
async function adopt(
  record: ProjectRecord,
  settings: HeadSettings,
  features: FeatureExtractor,
  kind: FeatureKind,
  onProgress: (p: ProjectProgress) => void,
): Promise<{ contents: Contents; problems: string[] }> {
  let { examples, head } = record;
  const problems: string[] = [];
  let reembedded = 0;
  if (record.meta.features.model !== features.identity.model) {
    examples = await reembed(examples, features, record.meta.features, onProgress);
    reembedded = examples.length;
    head = null;
  }
  const store = ExampleStore.from(record.meta.labels, examples, record.meta.nextId);
  const next = makeHead(settings, store, kind);
  if (head && head.kind === settings.head) {
    try {
      next.restore(head);
    } catch (e) {
      problems.push(`its trained head does not fit (${(e as Error).message})`);
    }
  }
  const { createdAt, running, appSettings } = record.meta;
  return { contents: { examples: store, head: next, settings, createdAt, running, appSettings, reembedded }, problems };
}

export class ProjectSession {
  #c: Contents;
  #restored: boolean;
  #training = false;
  #nextSequence = 1;

  private constructor(
    private readonly persist: ProjectStore,
    private readonly features: FeatureExtractor,
    /** The engine's options: the features' kind and model, checked with each new head setting. */
    private readonly options: EngineOptions,
    contents: Contents,
    restored: boolean,
  ) {
    this.#c = contents;
    this.#restored = restored;
  }

  /**
   * The session of the project `persist` keeps (`record`, loaded from it), or a new one. The head settings
   * the user gave apply over the kept project's own. Resolves with what the user should be told.
   */
  static async start(
    persist: ProjectStore,
    record: ProjectRecord | null,
    features: FeatureExtractor,
    options: EngineOptions,
    given: PartialEngineOptions,
    onProgress: (p: ProjectProgress) => void,
    teachable: TeachableMachineFeatures | null = null,
  ): Promise<{ session: ProjectSession; warnings: string[] }> {
    const settings = mergeHeadSettings(record?.meta.settings ?? headSettingsOf(options), given);
    validateEngineOptions({ ...options, ...settings });
    const warnings: string[] = [];
    let contents: Contents;
    if (record) {
      const adopted = await adopt(record, settings, features, options.features, onProgress);
      contents = adopted.contents;
      warnings.push(
        ...adopted.problems.map((p) => `The project kept here could not be restored whole: ${p}; train again.`),
      );
      if (contents.reembedded > 0) {
        warnings.unshift(
          `The project '${record.meta.name}' was made with ${record.meta.features.model}; its ${contents.reembedded} examples were re-embedded with ${features.identity.model}. Train again.`,
        );
        persist.putExamples(contents.examples.all);
        persist.putHead(null);
      }
    } else {
      const examples = new ExampleStore();
      const head = makeHead(settings, examples, options.features);
      contents = { examples, head, settings, createdAt: Date.now(), running: false, appSettings: null, reembedded: 0 };
    }
    // A Teachable Machine model new to the project: its classes become the project's, its head answers.
    if (teachable && record?.meta.features.model !== features.identity.model) {
      for (const label of teachable.teachableMachine.labels)
        if (!contents.examples.declared.includes(label)) contents.examples.addLabel(label);
      if (contents.settings.head === 'dense' && !contents.head.ready()) {
        contents.head.restore(teachable.headState());
        persist.putHead(contents.head.state());
      }
    }
    const session = new ProjectSession(persist, features, options, contents, record !== null);
    session.#saveMeta();
    return { session, warnings };
  }

  get head(): Head {
    return this.#c.head;
  }

  get settings(): HeadSettings {
    return this.#c.settings;
  }

  info(): ProjectInfo {
    const c = this.#c;
    return {
      name: this.persist.name,
      restored: this.#restored,
      running: c.running,
      appSettings: c.appSettings,
      features: this.features.identity,
      settings: c.settings,
      labels: c.settings.head === 'regression' ? [...c.settings.outputs] : [...c.examples.declared],
      examples: c.examples.all.length,
      trained: c.head.ready(),
      reembedded: c.reembedded,
    };
  }

  /** The project's description, as the store and a project file keep it. */
  #meta(c: Contents = this.#c): ProjectMeta {
    return {
      name: this.persist.name ?? 'trainwhistle',
      createdAt: c.createdAt,
      updatedAt: Date.now(),
      features: this.features.identity,
      settings: c.settings,
      labels: [...c.examples.declared],
      nextId: c.examples.nextId,
      running: c.running,
      appSettings: c.appSettings,
    };
  }

  #record(c: Contents = this.#c): ProjectRecord {
    return {
      meta: this.#meta(c),
      examples: [...c.examples.all],
      head: c.head.state(),
      base: this.features.files ? [...this.features.files] : null,
    };
  }

  #saveMeta(): void {
    if (this.persist !== noStore) this.persist.saveMeta(this.#meta());
  }

  // Examples and labels

  /**
   * What an example of `target` teaches, checked against the head before any frame is read. A gesture
   * (head 'dtw') is a recording: its frames carry the `sequence` they belong to.
   */
  taught(target: Target, sequence?: number): Taught {
    const { settings } = this.#c;
    if (settings.head === 'regression') {
      checkRegressionTarget(target, settings.outputs);
      return { label: '', values: { ...target } };
    }
    if (typeof target !== 'string') {
      throw new TypeError(
        `A ${settings.head} example needs a label string, not ${JSON.stringify(target)}. (Target values are for head: 'regression'.)`,
      );
    }
    checkLabel(target);
    if (settings.head === 'dtw' && sequence === undefined) {
      throw new RangeError(
        'A gesture is a movement, not one frame: record it (pipe.record(name, source) … stop()), from its start to its end.',
      );
    }
    return { label: target, ...(sequence !== undefined ? { sequence } : {}) };
  }

  add(example: Omit<ExampleRecord, 'id'>): ExampleInfo {
    const added = this.#c.examples.add(example);
    this.persist.putExamples([added]);
    this.#saveMeta();
    return info(added);
  }

  /** Starts a gesture's recording: the frames added with the id it returns make one template. */
  beginSequence(): number {
    const all = this.#c.examples.all;
    return (this.#nextSequence = Math.max(this.#nextSequence, ...all.map((e) => (e.sequence ?? 0) + 1)));
  }

  /**
   * Ends a gesture's recording. One too short to be a gesture (a tap of the button) is removed, saying so;
   * nothing else changes.
   */
  endSequence(sequence: number): ExampleCounts {
    this.#nextSequence = sequence + 1;
    const frames = this.#c.examples.all.filter((e) => e.sequence === sequence);
    if (frames.length > 0 && frames.length < MIN_TEMPLATE_FRAMES) {
      for (const e of frames) this.#c.examples.remove(e.id);
      this.persist.deleteExamples(frames.map((e) => e.id));
      this.#saveMeta();
      throw new RangeError(
        `That recording of '${frames[0]!.label}' had only ${frames.length} frames, too short for a gesture: hold Record for the whole movement, from its start to its end.`,
      );
    }
    return this.#c.examples.counts();
  }

  addLabel(label: string): ExampleCounts {
    if (this.#c.settings.head === 'regression') {
      throw new RangeError('A regression project has outputs, not labels: set them with configure({ outputs }).');
    }
    const counts = this.#c.examples.addLabel(label);
    this.#saveMeta();
    return counts;
  }

  removeExample(id: number): ExampleCounts {
    const counts = this.#c.examples.remove(id);
    this.persist.deleteExamples([id]);
    this.#saveMeta();
    return counts;
  }

  clearLabel(label: string): ExampleCounts {
    this.persist.deleteExamples(this.#c.examples.clearLabel(label));
    this.#saveMeta();
    return this.#c.examples.counts();
  }

  renameLabel(from: string, to: string): ExampleCounts {
    const { examples, head } = this.#c;
    this.persist.putExamples(examples.rename(from, to));
    if (head.rename(from, to)) this.persist.putHead(head.state());
    this.#saveMeta();
    return examples.counts();
  }

  clearExamples(): ExampleCounts {
    this.persist.deleteExamples(this.#c.examples.all.map((e) => e.id));
    const counts = this.#c.examples.clear();
    this.#saveMeta();
    return counts;
  }

  counts(): ExampleCounts {
    return this.#c.examples.counts();
  }

  examples(query: ExampleQuery = {}): ExampleInfo[] {
    return this.#c.examples.infos(query);
  }

  /** The 224×224 JPEG the model saw for an example (null where none could be encoded). */
  exampleCrop(id: number): Blob | null {
    const example = this.#c.examples.get(id);
    if (!example)
      throw new RangeError(`There is no example ${id}. List the examples with examples() to see their ids.`);
    return example.crop;
  }

  // The head

  /** Changes the head or its settings; a new kind of head (or new outputs) must be trained again. */
  configure(patch: HeadSettingsPatch): HeadSettings {
    const c = this.#c;
    const settings = mergeHeadSettings(c.settings, patch);
    validateEngineOptions({ ...this.options, ...settings });
    const regression = (s: HeadSettings) => s.head === 'regression';
    if (regression(settings) !== regression(c.settings) && c.examples.all.length > 0) {
      throw new RangeError(
        `This project's examples have ${regression(c.settings) ? 'target values' : 'labels'}; a ${settings.head} head needs ${regression(settings) ? 'target values' : 'labels'}. Start a new project for it.`,
      );
    }
    const state = c.head.state();
    c.head.dispose();
    c.settings = settings;
    c.head = makeHead(settings, c.examples, this.options.features);
    // Only the training options changed: the trained network answers until the next train().
    if (state?.kind === settings.head) {
      try {
        c.head.restore(state);
      } catch {
        // other outputs than it was trained for: it must be trained again
      }
    }
    this.persist.putHead(c.head.state());
    this.#saveMeta();
    return settings;
  }

  async train(onProgress: (p: TrainProgress) => void): Promise<TrainReport> {
    if (this.#training) throw new Error('Training is already running; wait for it to finish.');
    this.#training = true;
    try {
      const { head, examples } = this.#c;
      const report = await head.train(examples.all, onProgress);
      this.persist.putHead(head.state());
      return report;
    } finally {
      this.#training = false;
    }
  }

  /** What a model export is made from: the project's name, its head and settings, its labels and examples. */
  exportable(): {
    name: string;
    settings: HeadSettings;
    head: Head;
    labels: readonly string[];
    examples: readonly ExampleRecord[];
  } {
    const { settings, head, examples } = this.#c;
    return {
      name: this.persist.name ?? 'trainwhistle',
      settings,
      head,
      labels: examples.declared,
      examples: examples.all,
    };
  }

  evaluate(): Evaluation {
    const { head, examples } = this.#c;
    if (!head.ready()) throw new NotTrainedError(head.notReadyReason());
    return evaluate(head, examples);
  }

  // What is kept with the project

  setRunning(running: boolean): void {
    if (this.#c.running === running) return;
    this.#c.running = running;
    this.#saveMeta();
  }

  /** Whatever the app wants kept with the project (outputs, operators…): JSON-like data. */
  setAppSettings(appSettings: unknown): void {
    this.#c.appSettings = structuredClone(appSettings);
    this.#saveMeta();
  }

  /** Waits until every change so far is stored; rejects with the storage's error. */
  flush(): Promise<void> {
    return this.persist.flush();
  }

  /** The whole project as one file (a zip; the README describes its layout). */
  async save(): Promise<Blob> {
    await this.persist.flush().catch(() => {}); // the file is made from memory, which has everything
    return writeProjectFile(this.#record());
  }

  /**
   * Replaces this project with the one in `file`, only once the file has checked out whole (and its
   * examples are re-embedded, if another feature model made them) and is stored; on any error nothing changes.
   */
  async open(file: Blob, onProgress: (p: ProjectProgress) => void): Promise<ProjectInfo> {
    const opened = await readProjectFile(file, onProgress);
    const settings = opened.meta.settings;
    validateEngineOptions({ ...this.options, ...settings });
    const { contents, problems } = await adopt(opened, settings, this.features, this.options.features, onProgress);
    if (problems.length > 0) {
      contents.head.dispose();
      throw new ProjectFileError(
        `This project file cannot be opened: ${problems.join('; ')}. Choose a file made with Save project, or train it again where it was made.`,
      );
    }
    onProgress({ phase: 'store', fraction: 0 });
    try {
      await this.persist.replace(this.#record(contents)); // all or nothing: on error the current project is untouched
    } catch (e) {
      contents.head.dispose();
      throw e;
    }
    onProgress({ phase: 'store', fraction: 1 });
    this.#c.head.dispose();
    this.#c = contents;
    return this.info();
  }

  /** Flushes and lets go of the store; the session is over. */
  async close(): Promise<void> {
    await this.persist.close().catch(() => {});
    this.#c.head.dispose();
    this.#c.examples.clear();
  }
}
