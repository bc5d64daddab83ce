/**
 * IndexedDB in Node, with a disk the test drives: fake-indexeddb (the whole IndexedDB API in memory, its
 * transactions scheduled and committed as the spec says) under the usual globals, so the worker's project
 * store runs unchanged. Each read-write transaction is recorded: when it began and ended, what it put and
 * deleted, and whether it was kept. The disk can be made
 * - slow: a transaction's commit waits until the test lets it go (its requests have all run; it is being
 *   written), and
 * - full: its commit fails with QuotaExceededError, as Chromium fails a transaction over quota: every request
 *   succeeds, then the transaction aborts and nothing of it is kept.
 * The code under test sees a real IndexedDB either way, and cannot tell these from a real slow or full disk.
 *
 * @example
 *   const disk = useDisk(); // a fresh, empty IndexedDB
 *   disk.full = true;
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';

/** One read-write transaction, as the disk saw it. */
export interface Written {
  stores: string[];
  /** What it put: the store, and the record's key. */
  puts: { store: string; key: IDBValidKey }[];
  /** What it deleted: the store, and the key or key range. */
  deletes: { store: string; key: IDBValidKey | IDBKeyRange }[];
  /** Date.now() when it began, and when it ended (null while it is open). Fake timers give fake times. */
  began: number;
  ended: number | null;
  /** 'kept': committed; 'lost': aborted, nothing of it kept (error: why). */
  outcome: 'open' | 'kept' | 'lost';
  error: string | null;
}

export interface Disk {
  /** Every read-write transaction so far, in the order they began. */
  readonly written: readonly Written[];
  /** While true, each commit fails with QuotaExceededError. */
  full: boolean;
  /** Holds every commit until the returned function is called (a slow disk). */
  slow(): () => void;
  /** Resolves once `n` read-write transactions have ended (kept or lost). */
  ended(n: number): Promise<readonly Written[]>;
  /** Resolves once `n` read-write transactions have begun and have all their requests run: being written. */
  writing(n: number): Promise<readonly Written[]>;
}

/**
 * fake-indexeddb 6's own transaction steps (the version is pinned exactly in package.json): `_start` runs the
 * next request or, when none is left, commits; `_abort` is how it aborts a transaction whose request failed.
 */
interface FakeTransaction extends IDBTransaction {
  _start(): void;
  _abort(errorName: string | null): void;
  _requests: { request: { readyState: string } }[];
  _state: string;
}

let disk: DiskState | null = null;

class DiskState implements Disk {
  readonly written: Written[] = [];
  full = false;
  #hold: Promise<void> | null = null;
  /** Transactions waiting to commit (all their requests run). */
  #committing = new Set<Written>();
  #waiters: (() => void)[] = [];

  slow(): () => void {
    let release = () => {};
    const hold = new Promise<void>((r) => (release = r));
    this.#hold = hold;
    return () => {
      if (this.#hold === hold) this.#hold = null;
      release();
    };
  }

  #changed(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  #until<T>(ready: () => T | null): Promise<T> {
    return new Promise((resolve) => {
      const check = () => {
        const value = ready();
        if (value !== null) resolve(value);
        else this.#waiters.push(check);
      };
      check();
    });
  }

  ended(n: number): Promise<readonly Written[]> {
    return this.#until(() => (this.written.filter((w) => w.outcome !== 'open').length >= n ? this.written : null));
  }

  writing(n: number): Promise<readonly Written[]> {
    return this.#until(() =>
      this.written.filter((w) => w.outcome !== 'open' || this.#committing.has(w)).length >= n ? this.written : null,
    );
  }

  /** Watches a new read-write transaction: records it, and lets the disk decide how its commit goes. */
  watch(tx: FakeTransaction, stores: string[]): Written {
    const record: Written = {
      stores,
      puts: [],
      deletes: [],
      began: Date.now(),
      ended: null,
      outcome: 'open',
      error: null,
    };
    this.written.push(record);
    const end = (outcome: Written['outcome']) => () => {
      record.outcome = outcome;
      record.ended = Date.now();
      record.error = tx.error?.name ?? (outcome === 'lost' ? 'AbortError' : null);
      this.#committing.delete(record);
      this.#changed();
    };
    tx.addEventListener('complete', end('kept'));
    tx.addEventListener('abort', end('lost'));
    const start = tx._start.bind(tx);
    tx._start = () => {
      const commitNext = tx._state !== 'finished' && tx._requests.every((r) => r.request.readyState === 'done');
      if (!commitNext) return start();
      this.#committing.add(record);
      this.#changed();
      if (this.#hold) return void this.#hold.then(() => tx._start());
      if (this.full) return tx._abort('QuotaExceededError');
      start();
    };
    this.#changed();
    return record;
  }
}

const records = new WeakMap<IDBTransaction, Written>();

/** The key a store gives `value`, by its key path. */
function keyOf(store: IDBObjectStore, value: unknown): IDBValidKey {
  const v = value as Record<string, IDBValidKey>;
  const path = store.keyPath;
  return Array.isArray(path) ? path.map((p) => v[p]!) : v[path as string]!;
}

/** A prototype's own method, to be called with the `this` it is given. */
const own = <F>(proto: object, name: string) => Object.getOwnPropertyDescriptor(proto, name)!.value as F;

const transaction = own<(this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) => IDBTransaction>(
  IDBDatabase.prototype,
  'transaction',
);
IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
  const tx = transaction.apply(this, args);
  if (disk && tx.mode === 'readwrite') records.set(tx, disk.watch(tx as FakeTransaction, [args[0]].flat()));
  return tx;
} as IDBDatabase['transaction'];

const put = own<(this: IDBObjectStore, value: unknown, key?: IDBValidKey) => IDBRequest<IDBValidKey>>(
  IDBObjectStore.prototype,
  'put',
);
IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
  records.get(this.transaction)?.puts.push({ store: this.name, key: key ?? keyOf(this, value) });
  return key === undefined ? put.call(this, value) : put.call(this, value, key);
};

const remove = own<(this: IDBObjectStore, key: IDBValidKey | IDBKeyRange) => IDBRequest<undefined>>(
  IDBObjectStore.prototype,
  'delete',
);
IDBObjectStore.prototype.delete = function (this: IDBObjectStore, key: IDBValidKey | IDBKeyRange) {
  records.get(this.transaction)?.deletes.push({ store: this.name, key });
  return remove.call(this, key);
};

/** A fresh, empty IndexedDB as the global `indexedDB`, and the disk under it. */
export function useDisk(): Disk {
  globalThis.indexedDB = new IDBFactory();
  disk = new DiskState();
  return disk;
}
