/**
 * Where a project is kept between sessions. The engine tells the store every change as it happens; the
 * store decides how to write it (IndexedDB batches them). Without a project name, nothing is kept.
 */
import type { ExampleRecord, HeadState, ProjectMeta, ProjectRecord } from '../../protocol/project-record';
import type { NamedFile } from '../../protocol/teachable';

export interface ProjectStore {
  /** null: nothing is persisted. */
  readonly name: string | null;
  load(): Promise<ProjectRecord | null>;
  saveMeta(meta: ProjectMeta): void;
  putExamples(examples: readonly ExampleRecord[]): void;
  deleteExamples(ids: readonly number[]): void;
  putHead(state: HeadState | null): void;
  /** Keeps the Teachable Machine export the project's features come from (null: the built-in models). */
  putBase(files: readonly NamedFile[] | null): void;
  /** Replaces the whole stored project at once: all of it, or (on error) none of it. */
  replace(record: ProjectRecord): Promise<void>;
  /** Resolves once every change told so far is stored; rejects with the storage's error. */
  flush(): Promise<void>;
  /** Flushes, then lets go of the project (another tab may open it). */
  close(): Promise<void>;
}

/** The store of a pipeline without a project: keeps nothing. */
export const noStore: ProjectStore = {
  name: null,
  load: () => Promise.resolve(null),
  saveMeta: () => {},
  putExamples: () => {},
  deleteExamples: () => {},
  putHead: () => {},
  putBase: () => {},
  replace: () => Promise.resolve(),
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
};
