/**
 * The user's examples, kept as embeddings (not frames) with a small thumbnail each.
 * Plain arrays, no tensors: nothing here needs disposing, and a failed training cannot lose them.
 */
import type { ExampleCounts, ExampleInfo, PixelData } from '../protocol/types';

export interface Example {
  id: number;
  /** Classification label; '' for regression examples. */
  label: string;
  values?: Record<string, number>;
  embedding: Float32Array;
  thumbnail: PixelData;
}

export class ExampleStore {
  #examples: Example[] = [];
  #nextId = 1;
  /** Labels in the order they were first added: the order of confidences and class indices. */
  #labels: string[] = [];

  get all(): readonly Example[] {
    return this.#examples;
  }

  /** Labels that have at least one example, in first-added order. */
  get labels(): string[] {
    return this.#labels.filter((l) => this.#examples.some((e) => e.label === l));
  }

  add(example: Omit<Example, 'id'>): ExampleInfo {
    const stored = { ...example, id: this.#nextId++ };
    this.#examples.push(stored);
    if (!this.#labels.includes(stored.label)) this.#labels.push(stored.label);
    return info(stored);
  }

  remove(id: number): ExampleCounts {
    const i = this.#examples.findIndex((e) => e.id === id);
    if (i < 0) throw new RangeError(`There is no example ${id}. List the examples with examples() to see their ids.`);
    this.#examples.splice(i, 1);
    return this.counts();
  }

  clearLabel(label: string): ExampleCounts {
    if (!this.#labels.includes(label))
      throw new RangeError(`There is no label '${label}'. Labels are: ${this.labels.join(', ') || '(none yet)'}.`);
    this.#examples = this.#examples.filter((e) => e.label !== label);
    this.#labels = this.#labels.filter((l) => l !== label);
    return this.counts();
  }

  rename(from: string, to: string): ExampleCounts {
    if (!this.#labels.includes(from))
      throw new RangeError(`There is no label '${from}'. Labels are: ${this.labels.join(', ') || '(none yet)'}.`);
    checkLabel(to);
    if (from === to) return this.counts();
    if (this.#labels.includes(to)) throw new RangeError(`A label '${to}' already exists. Clear or rename it first.`);
    for (const e of this.#examples) if (e.label === from) e.label = to;
    this.#labels = this.#labels.map((l) => (l === from ? to : l));
    return this.counts();
  }

  clear(): ExampleCounts {
    this.#examples = [];
    this.#labels = [];
    return this.counts();
  }

  counts(): ExampleCounts {
    const perLabel: Record<string, number> = {};
    for (const l of this.labels) perLabel[l] = 0;
    for (const e of this.#examples) perLabel[e.label]! += 1;
    return { perLabel, total: this.#examples.length };
  }

  infos(): ExampleInfo[] {
    return this.#examples.map(info);
  }
}

function info(e: Example): ExampleInfo {
  return { id: e.id, label: e.label, ...(e.values ? { values: { ...e.values } } : {}), thumbnail: e.thumbnail };
}

/** Labels become OSC addresses and UI text: they must say something. */
export function checkLabel(label: unknown): asserts label is string {
  if (typeof label !== 'string') throw new TypeError(`A label must be a string (got ${typeof label}).`);
  if (label.trim() === '') throw new RangeError('A label cannot be empty. Give each class a name, such as "ukulele".');
}
