/**
 * The IndexedDB database that keeps projects, as both threads open it: the worker reads and writes a
 * project; the main thread lists and deletes them (listProjects, deleteProject). One schema, one place.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ExampleRecord, HeadState, ProjectMeta } from './project-record';
import type { NamedFile } from './teachable';

export const PROJECT_DB = 'trainwhistle-projects';
const VERSION = 2;

/** A project's record in the `projects` store: its meta, and how many examples it has (so listing needs no count). */
export type StoredMeta = ProjectMeta & { examples: number };

/** One example in the `examples` store, keyed by [project, id]. */
export type StoredExample = ExampleRecord & { project: string };

interface ProjectSchema extends DBSchema {
  projects: { key: string; value: StoredMeta };
  examples: { key: [string, number]; value: StoredExample };
  /** The trained head as plain data; absent when untrained. */
  heads: { key: string; value: { project: string; state: HeadState } };
  /** The Teachable Machine export a project's features come from (version 2); absent for the built-in models. */
  models: { key: string; value: { project: string; files: NamedFile[] } };
}

export type ProjectDb = IDBPDatabase<ProjectSchema>;

export function openProjectDb(): Promise<ProjectDb> {
  return openDB<ProjectSchema>(PROJECT_DB, VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('projects', { keyPath: 'name' });
        db.createObjectStore('examples', { keyPath: ['project', 'id'] });
        db.createObjectStore('heads', { keyPath: 'project' });
      }
      if (oldVersion < 2) db.createObjectStore('models', { keyPath: 'project' });
    },
  });
}

/** Every example key of one project. */
export const projectRange = (name: string): IDBKeyRange => IDBKeyRange.bound([name, -Infinity], [name, Infinity]);

/** The Web Lock a tab holds while it has a project open. */
export const projectLock = (name: string): string => `trainwhistle-project:${name}`;
