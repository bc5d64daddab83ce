/**
 * The project store in IndexedDB (src/worker/project/idb-store.ts), against a real IndexedDB implementation
 * (fake-indexeddb, tests/support/indexeddb.ts) whose transactions are counted, on a disk the test makes slow
 * or full. The README's claims, whose figures are read from it: a project is "written by the worker as it changes (batched, one transaction
 * per 50 ms)", and on a full disk "nothing is lost in the session … saving resumes by itself".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDB } from 'idb';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { StorageError } from '../../src/protocol/errors';
import type { EngineNotice } from '../../src/protocol/project';
import { PROJECT_DB, openProjectDb, projectRange } from '../../src/protocol/project-db';
import type { ExampleRecord, HeadState, ProjectMeta } from '../../src/protocol/project-record';
import { headSettingsOf, mergeEngineOptions } from '../../src/protocol/options';
import { openIdbStore } from '../../src/worker/project/idb-store';
import { useDisk, type Written } from '../support/indexeddb';
import { REPO } from '../support/paths';

const NAME = 'studio';
const README = readFileSync(join(REPO, 'README.md'), 'utf8').replace(/\s+/g, ' ');
/** The batch interval, as the README states it. */
const BATCH_MS = Number(/batched, one transaction per (\d+) ms/.exec(README)?.[1]);
/** When a full disk is tried again, as the README states it. */
const RETRIES = 'retried after 1, 2, 5 and 10 s, then every 30 s';

const meta = (labels: string[], nextId: number): ProjectMeta => ({
  name: NAME,
  createdAt: 1,
  updatedAt: nextId,
  features: { model: 'mobilenet-v1-0.25', size: 4 },
  settings: headSettingsOf(mergeEngineOptions()),
  labels,
  nextId,
  running: false,
  appSettings: null,
});

const example = (id: number, label: string): ExampleRecord => ({
  id,
  label,
  embedding: Float32Array.from([id, 0, 0, 1]),
  thumbnail: { width: 1, height: 1, data: new Uint8Array(4) },
  crop: null,
});

const head = (names: string[]): HeadState => ({
  kind: 'dense',
  names,
  spec: { outputs: names.length, activation: 'softmax', loss: 'categoricalCrossentropy', accuracy: true },
  weights: {
    w1: new Float32Array(4),
    b1: new Float32Array(1),
    w2: new Float32Array(names.length),
    b2: new Float32Array(names.length),
  },
  validationIds: [],
});

/** The example ids a transaction put, and those it deleted, in order of id. */
const ids = (w: Written) => ({
  put: w.puts
    .filter((p) => p.store === 'examples')
    .map((p) => (p.key as [string, number])[1])
    .sort((a, b) => a - b),
  deleted: w.deletes
    .filter((d) => d.store === 'examples')
    .map((d) => (d.key as [string, number])[1])
    .sort((a, b) => a - b),
});

/** What IndexedDB holds for the project now, read through a connection of its own. */
async function kept() {
  const db = await openProjectDb();
  try {
    const tx = db.transaction(['projects', 'examples', 'heads'], 'readonly');
    const [project, examples, stored] = await Promise.all([
      tx.objectStore('projects').get(NAME),
      tx.objectStore('examples').getAll(projectRange(NAME)),
      tx.objectStore('heads').get(NAME),
    ]);
    return {
      labels: project?.labels,
      nextId: project?.nextId,
      count: project?.examples,
      examples: Object.fromEntries(examples.map((e) => [e.id, e.label])),
      head: stored?.state.names ?? null,
    };
  } finally {
    db.close();
  }
}

/**
 * Lets the store act on what IndexedDB just told it: its reaction runs in promise callbacks, all of them done
 * before the event loop's next turn (a turn, not a length of time).
 */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe('writes are batched', () => {
  test('changes told within one batch interval go out in one transaction', async () => {
    const disk = useDisk();
    const store = await openIdbStore(NAME, () => {});
    expect(await store.load()).toBeNull();
    store.saveMeta(meta(['cat'], 2));
    store.putExamples([example(1, 'cat')]);
    store.putExamples([example(2, 'cat'), example(3, 'cup')]);
    // Deliberately less than the interval, to see that nothing is written before it is over; Node runs
    // timers in the order they are due, so this one runs before the store's, however late both are.
    await new Promise((resolve) => setTimeout(resolve, BATCH_MS / 2));
    expect(disk.written).toHaveLength(0);
    store.deleteExamples([2]);
    store.putHead(head(['cat', 'cup']));
    store.saveMeta(meta(['cat', 'cup'], 4));

    const [batch] = await disk.ended(1);
    await store.flush(); // everything told is stored: no other transaction was needed
    expect(disk.written).toHaveLength(1);
    expect(batch!.outcome).toBe('kept');
    expect(ids(batch!)).toEqual({ put: [1, 3], deleted: [2] });
    expect(batch!.puts.filter((p) => p.store !== 'examples')).toEqual([
      { store: 'heads', key: NAME },
      { store: 'projects', key: NAME },
    ]);
    expect(await kept()).toEqual({
      labels: ['cat', 'cup'],
      nextId: 4,
      count: 2,
      examples: { 1: 'cat', 3: 'cup' },
      head: ['cat', 'cup'],
    });
    await store.close();
  });

  test('changes told while a transaction is being written go together in the next one, not a queue of small ones', async () => {
    const disk = useDisk();
    const store = await openIdbStore(NAME, () => {});
    await store.load();
    const release = disk.slow();
    store.saveMeta(meta(['cat'], 2));
    store.putExamples([example(1, 'cat')]);
    await disk.writing(1);
    // A disk slower than the interval: changes keep coming, one per interval and more, while the first batch
    // is still being written. These waits are deliberate: they give the store time in which it must start
    // no other transaction.
    for (let id = 2; id <= 5; id++) {
      store.putExamples([example(id, 'cat')]);
      store.saveMeta(meta(['cat'], id + 1));
      await new Promise((resolve) => setTimeout(resolve, BATCH_MS + 10));
    }
    expect(disk.written).toHaveLength(1);
    release();

    await disk.ended(2);
    await store.flush();
    expect(disk.written).toHaveLength(2);
    expect(disk.written.map((w) => [w.outcome, ids(w).put])).toEqual([
      ['kept', [1]],
      ['kept', [2, 3, 4, 5]],
    ]);
    expect(await kept()).toMatchObject({ nextId: 6, count: 5 });
    await store.close();
  });
});

describe('a full disk', () => {
  test('loses nothing: told once, the changes kept and retried, and all of them stored once a retry succeeds', async () => {
    const disk = useDisk();
    const notices: EngineNotice[] = [];
    let resumed = () => {};
    const ok = new Promise<void>((resolve) => (resumed = resolve));
    const store = await openIdbStore(NAME, (n) => {
      notices.push(n);
      if (n.kind === 'storage-ok') resumed();
    });
    await store.load();
    store.saveMeta(meta(['cat', 'cup'], 3));
    store.putExamples([example(1, 'cat'), example(2, 'cup')]);
    await store.flush();

    disk.full = true;
    const release = disk.slow();
    store.putExamples([example(3, 'cat')]);
    store.putHead(head(['cat', 'cup']));
    store.saveMeta(meta(['cat', 'cup'], 4));
    const refused = store.flush().then(
      () => null,
      (e: unknown) => e,
    );
    await disk.writing(2);
    // Told while the write that fails is under way: labels renamed, one of them on an example it writes.
    store.putExamples([example(2, 'mug'), example(3, 'cow')]);
    release();
    const error = await refused;
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toMatch(
      /^The browser's storage for this site is full, so the project 'studio' is not being saved\. Nothing is lost in this session.*saving resumes by itself\.$/,
    );
    expect(notices).toEqual([{ kind: 'storage-error', message: (error as StorageError).message }]);

    // Told while the disk is full: an example deleted, one added.
    store.putExamples([example(4, 'mug')]);
    store.deleteExamples([1]);
    store.saveMeta(meta(['cat', 'mug'], 5));
    await disk.ended(3); // the retry failed too
    expect(notices).toHaveLength(1); // told once, not once per failure
    disk.full = false;

    await ok;
    const written = disk.written;
    expect(written.map((w) => w.outcome)).toEqual(['kept', 'lost', 'lost', 'kept']);
    expect(written.slice(1, 3).map((w) => w.error)).toEqual(['QuotaExceededError', 'QuotaExceededError']);
    // Retried by itself, after a second and then after longer (timers are never early; how late is the machine's).
    expect(written[2]!.began - written[1]!.ended!).toBeGreaterThanOrEqual(990);
    expect(written[3]!.began - written[2]!.ended!).toBeGreaterThanOrEqual(1990);
    expect(ids(written[3]!)).toEqual({ put: [2, 3, 4], deleted: [1] });
    expect(notices.map((n) => n.kind)).toEqual(['storage-error', 'storage-ok']);
    expect(await kept()).toEqual({
      labels: ['cat', 'mug'],
      nextId: 5,
      count: 3,
      examples: { 2: 'mug', 3: 'cow', 4: 'mug' },
      head: ['cat', 'cup'],
    });
    await store.flush(); // nothing left pending
    expect(disk.written).toHaveLength(4);
    await store.close();
  });

  test('is retried after 1 s, then 2, 5, 10 and every 30 s, however many changes come meanwhile; a new failure is told again', async () => {
    // The clock is fake (timers and Date); IndexedDB still runs for real on its own turns of the event loop.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const disk = useDisk();
    const notices: EngineNotice['kind'][] = [];
    const store = await openIdbStore(NAME, (n) => notices.push(n.kind));
    await store.load();
    disk.full = true;
    const release = disk.slow();
    const told = Date.now();
    store.putExamples([example(1, 'cat')]);
    vi.advanceTimersToNextTimer();
    const [first] = await disk.writing(1);
    expect(first!.began - told).toBe(BATCH_MS);
    store.putExamples([example(2, 'cat')]); // told while the write that will fail is under way
    release();
    await disk.ended(1);
    await settled();

    const gaps: number[] = [];
    for (let attempt = 2; attempt <= 7; attempt++) {
      if (attempt === 4) {
        store.putExamples([example(3, 'cup')]);
        store.deleteExamples([1]);
        store.saveMeta(meta(['cat', 'cup'], 4));
      }
      expect(vi.getTimerCount()).toBe(1); // the retry, and nothing else waiting
      vi.advanceTimersToNextTimer();
      const written = await disk.ended(attempt);
      gaps.push(written[attempt - 1]!.began - written[attempt - 2]!.ended!);
      await settled();
    }
    expect(README).toContain(RETRIES);
    expect(gaps).toEqual([1000, 2000, 5000, 10_000, 30_000, 30_000]);
    expect(disk.written.map((w) => w.outcome)).toEqual(Array(7).fill('lost'));
    expect(notices).toEqual(['storage-error']);

    disk.full = false;
    vi.advanceTimersToNextTimer();
    await disk.ended(8);
    await settled();
    expect(disk.written[7]!.outcome).toBe('kept');
    expect(notices).toEqual(['storage-error', 'storage-ok']);
    expect(vi.getTimerCount()).toBe(0); // nothing pending, nothing to retry
    expect((await kept()).examples).toEqual({ 2: 'cat', 3: 'cup' });

    // Full again: told again, and the schedule starts again from 1 s.
    disk.full = true;
    store.putExamples([example(4, 'cup')]);
    vi.advanceTimersToNextTimer();
    await disk.ended(9);
    await settled();
    expect(notices).toEqual(['storage-error', 'storage-ok', 'storage-error']);
    vi.advanceTimersToNextTimer();
    const written = await disk.ended(10);
    expect(written[9]!.began - written[8]!.ended!).toBe(1000);

    disk.full = false;
    await store.close(); // closing writes what is pending
    expect((await kept()).examples).toEqual({ 2: 'cat', 3: 'cup', 4: 'cup' });
  });
});

describe('the database of an earlier version', () => {
  test('a project kept at version 1 (before the models store) opens as it was, and can keep a Teachable Machine model', async () => {
    useDisk();
    // Version 1's schema and a project in it, as trainwhistle wrote them before issue 16.
    const old = await openDB(PROJECT_DB, 1, {
      upgrade(db) {
        db.createObjectStore('projects', { keyPath: 'name' });
        db.createObjectStore('examples', { keyPath: ['project', 'id'] });
        db.createObjectStore('heads', { keyPath: 'project' });
      },
    });
    const tx = old.transaction(['projects', 'examples', 'heads'], 'readwrite');
    void tx.objectStore('projects').put({ ...meta(['a', 'b'], 3), examples: 2 });
    void tx.objectStore('examples').put({ ...example(1, 'a'), project: NAME });
    void tx.objectStore('examples').put({ ...example(2, 'b'), project: NAME });
    void tx.objectStore('heads').put({ project: NAME, state: head(['a', 'b']) });
    await tx.done;
    old.close();
    const store = await openIdbStore(NAME, () => {});
    const record = await store.load();
    expect(record?.meta.labels).toEqual(['a', 'b']);
    expect(record?.examples.map((e) => e.label)).toEqual(['a', 'b']);
    expect(record?.head?.names).toEqual(['a', 'b']);
    expect(record?.base).toBeNull();
    const files = [{ name: 'model.zip', bytes: new Uint8Array([1, 2, 3]) }];
    store.putBase(files);
    await store.close();
    const again = await openIdbStore(NAME, () => {});
    expect((await again.load())?.base).toEqual(files);
    await again.close();
  });
});
