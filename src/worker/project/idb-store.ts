/**
 * A project kept in IndexedDB. Changes are batched: everything told within one short interval goes out
 * in one transaction, and while a transaction is being written the next changes gather, to go out
 * together once it is done — so a slow disk means bigger batches, never a queue of small ones. A write
 * that fails (storage full, say) loses nothing: the changes stay pending, the app is told once, and they
 * are written with the next change or retry that succeeds.
 */
import type { EngineNotice } from '../../protocol/project';
import { ProjectLockedError, StorageError } from '../../protocol/errors';
import {
  openProjectDb,
  projectLock,
  projectRange,
  type ProjectDb,
  type StoredExample,
  type StoredMeta,
} from '../../protocol/project-db';
import type { ExampleRecord, HeadState, ProjectMeta, ProjectRecord } from '../../protocol/project-record';
import type { ProjectStore } from './store';

/** How long changes gather before they are written together. */
const BATCH_MS = 50;
const RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];

interface Pending {
  meta: ProjectMeta | null;
  /** Examples to put, or null to delete, by id. */
  examples: Map<number, ExampleRecord | null>;
  head: { state: HeadState | null } | null;
}

const empty = (): Pending => ({ meta: null, examples: new Map(), head: null });

const stored = (project: string, e: ExampleRecord): StoredExample => ({ ...e, project });

const example = ({ project: _project, ...e }: StoredExample): ExampleRecord => e;

/** What a failed write means to the user, and what to do. */
function storageMessage(name: string, e: unknown): string {
  const err = e as { name?: string; message?: string };
  const kept = `Nothing is lost in this session, but a reload would lose the changes since.`;
  if (err.name === 'QuotaExceededError') {
    return `The browser's storage for this site is full, so the project '${name}' is not being saved. ${kept} Save the project to a file now (Save project), then delete projects you no longer need; saving resumes by itself.`;
  }
  return `The project '${name}' could not be saved in the browser (${err.name ?? 'Error'}: ${err.message ?? String(e)}). ${kept} Save the project to a file now (Save project).`;
}

/** Holds the project's Web Lock until released, or fails at once when another tab has it. */
async function lock(name: string): Promise<() => void> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return () => {};
  return new Promise((resolve, reject) => {
    void locks
      .request(projectLock(name), { ifAvailable: true }, (held) => {
        if (!held)
          return reject(
            new ProjectLockedError(
              `The project '${name}' is open in another tab or window. Close it there (or choose another project), then try again.`,
            ),
          );
        return new Promise<void>((release) => resolve(release));
      })
      .catch(reject);
  });
}

export async function openIdbStore(name: string, notice: (n: EngineNotice) => void): Promise<ProjectStore> {
  const release = await lock(name);
  let db: ProjectDb;
  try {
    db = await openProjectDb();
  } catch (e) {
    release();
    throw new StorageError(
      `IndexedDB cannot be opened here (${(e as Error).message}), so the project '${name}' cannot be kept. Private windows may block it; leave out 'project' to run without keeping anything.`,
    );
  }
  let pending = empty();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();
  let failures = 0;
  /**
   * The ids stored now, so the meta's example count needs no count() over the project's range (which
   * reads every key: at thousands of examples that, once per batch, made the writes fall behind).
   */
  let storedIds: Set<number> | null = null;

  const write = async (batch: Pending) => {
    const tx = db.transaction(['projects', 'examples', 'heads'], 'readwrite');
    const examples = tx.objectStore('examples');
    const known = storedIds;
    const ids = known ?? new Set((await examples.getAllKeys(projectRange(name))).map(([, id]) => id));
    const added: number[] = [];
    const deleted: number[] = [];
    for (const [id, e] of batch.examples) {
      void (e ? examples.put(stored(name, e)) : examples.delete([name, id]));
      if (e && !ids.has(id)) added.push(id);
      if (!e && ids.has(id)) deleted.push(id);
    }
    if (batch.head) {
      const heads = tx.objectStore('heads');
      void (batch.head.state ? heads.put({ project: name, state: batch.head.state }) : heads.delete(name));
    }
    const count = ids.size + added.length - deleted.length;
    if (batch.meta) void tx.objectStore('projects').put({ ...batch.meta, examples: count } satisfies StoredMeta);
    await tx.done;
    if (storedIds !== known) return; // replace() wrote a whole project meanwhile, and knows its ids
    for (const id of added) ids.add(id);
    for (const id of deleted) ids.delete(id);
    storedIds = ids;
  };

  /**
   * Writes what is pending once the write in progress is done (so everything told meanwhile goes in the
   * same transaction); on failure puts it back under anything newer, and tries again later.
   */
  const flushNow = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    writing = writing
      .catch(() => {})
      .then(async () => {
        const batch = pending;
        pending = empty();
        if (!batch.meta && !batch.head && batch.examples.size === 0) return;
        try {
          await write(batch);
        } catch (e) {
          pending = {
            meta: pending.meta ?? batch.meta,
            examples: new Map([...batch.examples, ...pending.examples]),
            head: pending.head ?? batch.head,
          };
          if (failures === 0) notice({ kind: 'storage-error', message: storageMessage(name, e) });
          failures += 1;
          // The retry replaces the batch timer of a change told while this write was under way: otherwise,
          // while changes keep coming, a full disk would be tried again every batch instead of backing off.
          clearTimeout(timer);
          timer = setTimeout(() => void flushNow().catch(() => {}), RETRY_MS[Math.min(failures, RETRY_MS.length) - 1]);
          throw new StorageError(storageMessage(name, e));
        }
        if (failures > 0) notice({ kind: 'storage-ok' });
        failures = 0;
      });
    return writing;
  };

  const schedule = () => {
    timer ??= setTimeout(() => void flushNow().catch(() => {}), BATCH_MS);
  };

  return {
    name,
    async load(): Promise<ProjectRecord | null> {
      const tx = db.transaction(['projects', 'examples', 'heads', 'models'], 'readonly');
      const meta = await tx.objectStore('projects').get(name);
      if (!meta) return null;
      const [rows, head, model] = await Promise.all([
        tx.objectStore('examples').getAll(projectRange(name)),
        tx.objectStore('heads').get(name),
        tx.objectStore('models').get(name),
      ]);
      const { examples: _count, ...rest } = meta;
      storedIds = new Set(rows.map((r) => r.id));
      return { meta: rest, examples: rows.map(example), head: head?.state ?? null, base: model?.files ?? null };
    },
    saveMeta(meta) {
      pending.meta = meta;
      schedule();
    },
    putExamples(examples) {
      for (const e of examples) pending.examples.set(e.id, e);
      if (examples.length) schedule();
    },
    deleteExamples(ids) {
      for (const id of ids) pending.examples.set(id, null);
      if (ids.length) schedule();
    },
    putHead(state) {
      pending.head = { state };
      schedule();
    },
    putBase(files) {
      // Rare (a Teachable Machine model given at start) and large: written on its own, after what is under way.
      const base = files ? [...files] : null;
      writing = writing
        .catch(() => {})
        .then(async () => {
          const tx = db.transaction('models', 'readwrite');
          void (base ? tx.store.put({ project: name, files: base }) : tx.store.delete(name));
          await tx.done;
        })
        .catch((e: unknown) => notice({ kind: 'storage-error', message: storageMessage(name, e) }));
    },
    async replace(record) {
      await writing.catch(() => {});
      const tx = db.transaction(['projects', 'examples', 'heads'], 'readwrite');
      const examples = tx.objectStore('examples');
      void examples.delete(projectRange(name));
      for (const e of record.examples) void examples.put(stored(name, e));
      void (record.head
        ? tx.objectStore('heads').put({ project: name, state: record.head })
        : tx.objectStore('heads').delete(name));
      void tx.objectStore('projects').put({ ...record.meta, name, examples: record.examples.length });
      try {
        await tx.done;
      } catch (e) {
        throw new StorageError(
          (e as { name?: string }).name === 'QuotaExceededError'
            ? `The browser's storage for this site is too full to hold the opened project; nothing was changed. Delete projects you no longer need, then open it again.`
            : `The opened project could not be stored (${(e as Error).message}); nothing was changed.`,
        );
      }
      pending = empty(); // what was pending belonged to the project just replaced
      storedIds = new Set(record.examples.map((e) => e.id));
    },
    flush: () => flushNow(),
    async close() {
      try {
        await flushNow();
      } finally {
        clearTimeout(timer);
        db.close();
        release();
      }
    },
  };
}
