/**
 * The user's examples, kept as embeddings (not frames) with a small thumbnail each and, where the
 * platform can encode one, a JPEG of the model's crop (so another feature model can re-embed them later).
 * Plain arrays, no tensors: nothing here needs disposing, and a failed training cannot lose them.
 */
import type { ExampleQuery } from '../protocol/project';
import type { ExampleRecord } from '../protocol/project-record';
import type { ExampleCounts, ExampleInfo } from '../protocol/engine-api';

/** An example as the engine holds it: the project's one example record. */
export type Example = ExampleRecord;

export class ExampleStore {
  #examples: Example[] = [];
  #byId = new Map<number, Example>();
  #nextId = 1;
  /** Classes in the order they were declared (or first used): the order of confidences and class indices. */
  #labels: string[] = [];
  /**
   * Examples per label, kept as they change: counts() follows every added example and `labels` every kNN
   * prediction, and counting thousands of examples each time made adding them quadratic.
   */
  #perLabel = new Map<string, number>();

  /** A store holding exactly these labels and examples (ids kept). */
  static from(labels: readonly string[], examples: readonly Example[], nextId = 1): ExampleStore {
    const store = new ExampleStore();
    store.#labels = [...labels];
    store.#nextId = nextId;
    for (const e of examples) {
      store.#examples.push(e);
      store.#byId.set(e.id, e);
      store.#counted(e.label, 1);
      store.#nextId = Math.max(store.#nextId, e.id + 1); // not max(...ids): thousands of arguments
    }
    return store;
  }

  /** Counts `change` more examples of `label`, declaring it if it is new. */
  #counted(label: string, change: number): void {
    const n = (this.#perLabel.get(label) ?? 0) + change;
    if (n > 0) this.#perLabel.set(label, n);
    else this.#perLabel.delete(label);
    if (change > 0 && n === change && !this.#labels.includes(label)) this.#labels.push(label);
  }

  get all(): readonly Example[] {
    return this.#examples;
  }

  get nextId(): number {
    return this.#nextId;
  }

  /** Labels that have at least one example, in declared order: what a classifier learns. */
  get labels(): string[] {
    return this.#labels.filter((l) => this.#perLabel.has(l));
  }

  /** Every declared label, with or without examples, in order. */
  get declared(): readonly string[] {
    return this.#labels;
  }

  get(id: number): Example | undefined {
    return this.#byId.get(id);
  }

  /** Declares a class before it has examples (a new card in the app). Declaring one twice is a no-op. */
  addLabel(label: string): ExampleCounts {
    checkLabel(label);
    if (!this.#labels.includes(label)) this.#labels.push(label);
    return this.counts();
  }

  add(example: Omit<Example, 'id'>): Example {
    const stored = { ...example, id: this.#nextId++ };
    this.#examples.push(stored);
    this.#byId.set(stored.id, stored);
    this.#counted(stored.label, 1);
    return stored;
  }

  remove(id: number): ExampleCounts {
    const i = this.#examples.findIndex((e) => e.id === id);
    if (i < 0) throw new RangeError(`There is no example ${id}. List the examples with examples() to see their ids.`);
    const [removed] = this.#examples.splice(i, 1);
    this.#byId.delete(id);
    this.#counted(removed!.label, -1);
    return this.counts();
  }

  /** Removes a label and all its examples; returns the ids removed. */
  clearLabel(label: string): number[] {
    if (!this.#labels.includes(label))
      throw new RangeError(`There is no label '${label}'. Labels are: ${this.#labels.join(', ') || '(none yet)'}.`);
    const removed = this.#examples.filter((e) => e.label === label).map((e) => e.id);
    this.#examples = this.#examples.filter((e) => e.label !== label);
    for (const id of removed) this.#byId.delete(id);
    this.#perLabel.delete(label);
    this.#labels = this.#labels.filter((l) => l !== label);
    return removed;
  }

  /** Renames a label; returns the examples that changed. */
  rename(from: string, to: string): Example[] {
    if (!this.#labels.includes(from))
      throw new RangeError(`There is no label '${from}'. Labels are: ${this.#labels.join(', ') || '(none yet)'}.`);
    checkLabel(to);
    if (from === to) return [];
    if (this.#labels.includes(to)) throw new RangeError(`A label '${to}' already exists. Clear or rename it first.`);
    const changed = this.#examples.filter((e) => e.label === from);
    for (const e of changed) e.label = to;
    this.#labels = this.#labels.map((l) => (l === from ? to : l));
    this.#perLabel.delete(from);
    if (changed.length > 0) this.#perLabel.set(to, changed.length);
    return changed;
  }

  clear(): ExampleCounts {
    this.#examples = [];
    this.#byId.clear();
    this.#perLabel.clear();
    this.#labels = [];
    return this.counts();
  }

  counts(): ExampleCounts {
    const perLabel: Record<string, number> = {};
    for (const l of this.#labels) perLabel[l] = this.#perLabel.get(l) ?? 0;
    return { perLabel, total: this.#examples.length };
  }

  /** Examples in the order they were added, optionally one label's, one page at a time. */
  infos(query: ExampleQuery = {}): ExampleInfo[] {
    const list = query.label === undefined ? this.#examples : this.#examples.filter((e) => e.label === query.label);
    const offset = query.offset ?? 0;
    const end = query.limit === undefined ? undefined : offset + query.limit;
    return list.slice(offset, end).map(info);
  }
}

export function info(e: Example): ExampleInfo {
  return {
    id: e.id,
    label: e.label,
    ...(e.values ? { values: { ...e.values } } : {}),
    ...(e.sequence !== undefined ? { sequence: e.sequence } : {}),
    thumbnail: e.thumbnail,
  };
}

/** Labels become OSC addresses and UI text: they must say something. */
export function checkLabel(label: unknown): asserts label is string {
  if (typeof label !== 'string') throw new TypeError(`A label must be a string (got ${typeof label}).`);
  if (label.trim() === '') throw new RangeError('A label cannot be empty. Give each class a name, such as "ukulele".');
}
