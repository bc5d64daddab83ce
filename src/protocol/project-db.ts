/**
 * The IndexedDB database that keeps projects, as both threads open it: the worker reads and writes a
 * project; the main thread lists and deletes them (listProjects, deleteProject). One schema, one place.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { FeatureIdentity, HeadSettings } from './project';
import type { PixelData } from './types';

export const PROJECT_DB = 'trainwhistle-projects';
const VERSION = 1;

/** A project's record in the `projects` store: everything but its examples and trained head. */
export interface StoredMeta {
  name: string;
  createdAt: number;
  updatedAt: number;
  features: FeatureIdentity;
  settings: HeadSettings;
  labels: string[];
  nextId: number;
  running: boolean;
  appSettings: unknown;
  /** Examples stored, kept here so that listing projects does not read them. */
  examples: number;
}

/** One example in the `examples` store, keyed by [project, id]. */
export interface StoredExample {
  project: string;
  id: number;
  label: string;
  values?: Record<string, number>;
  /** Gestures: the recording this frame belongs to. */
  sequence?: number;
  embedding: Float32Array;
  thumbnail: PixelData;
  crop: Blob | null;
}

interface ProjectSchema extends DBSchema {
  projects: { key: string; value: StoredMeta };
  examples: { key: [string, number]; value: StoredExample };
  /** The trained head as plain data (see src/worker/heads/head.ts HeadState); absent when untrained. */
  heads: { key: string; value: { project: string; state: unknown } };
}

export type ProjectDb = IDBPDatabase<ProjectSchema>;

export function openProjectDb(): Promise<ProjectDb> {
  return openDB<ProjectSchema>(PROJECT_DB, VERSION, {
    upgrade(db) {
      db.createObjectStore('projects', { keyPath: 'name' });
      db.createObjectStore('examples', { keyPath: ['project', 'id'] });
      db.createObjectStore('heads', { keyPath: 'project' });
    },
  });
}

/** Every example key of one project. */
export const projectRange = (name: string): IDBKeyRange => IDBKeyRange.bound([name, -Infinity], [name, Infinity]);

/** The Web Lock a tab holds while it has a project open. */
export const projectLock = (name: string): string => `trainwhistle-project:${name}`;

/** Thrown when a project is open in another tab or window. */
export class ProjectLockedError extends Error {
  override name = 'ProjectLockedError';
  constructor(project: string) {
    super(
      `The project '${project}' is open in another tab or window. Close it there (or choose another project), then try again.`,
    );
  }
}

/** Thrown when the browser's storage for projects cannot be used or is full. */
export class StorageError extends Error {
  override name = 'StorageError';
}
