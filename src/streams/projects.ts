/**
 * The projects kept in this browser (IndexedDB), listed and deleted from the main thread. Opening one is
 * `createPipeline({ project: name })`; the worker then reads and writes it.
 */
import type { StoredProject } from '../protocol/project';
import { ProjectLockedError } from '../protocol/errors';
import { openProjectDb, projectLock, projectRange } from '../protocol/project-db';

/** Every stored project, most recently changed first. */
export async function listProjects(): Promise<StoredProject[]> {
  const db = await openProjectDb();
  try {
    const metas = await db.getAll('projects');
    return metas
      .map((m) => ({
        name: m.name,
        head: m.settings.head,
        labels: m.settings.head === 'regression' ? [...m.settings.outputs] : [...m.labels],
        examples: m.examples,
        features: m.features,
        updatedAt: m.updatedAt,
      }))
      .sort((a, b) => b.updatedAt - a.updatedAt);
  } finally {
    db.close();
  }
}

/**
 * Deletes a stored project and everything in it. Refuses (ProjectLockedError) while a pipeline, in this
 * tab or another, has it open: close that one first.
 */
export async function deleteProject(name: string): Promise<void> {
  const remove = async () => {
    const db = await openProjectDb();
    try {
      const tx = db.transaction(['projects', 'examples', 'heads', 'models'], 'readwrite');
      void tx.objectStore('examples').delete(projectRange(name));
      void tx.objectStore('heads').delete(name);
      void tx.objectStore('models').delete(name);
      void tx.objectStore('projects').delete(name);
      await tx.done;
    } finally {
      db.close();
    }
  };
  if (!navigator.locks) return remove();
  await navigator.locks.request(projectLock(name), { ifAvailable: true }, async (lock) => {
    if (!lock) throw new ProjectLockedError(name);
    await remove();
  });
}
