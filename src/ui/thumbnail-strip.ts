/**
 * A card's examples as a strip of thumbnails, newest first. It is virtualised: only the thumbnails in
 * view (and a few either side) are in the DOM, and only their pages are fetched from the worker with
 * `examples({ label, offset, limit })`, so a class of thousands of examples scrolls as smoothly as one of ten.
 * Clicking a thumbnail deletes that example.
 */
import type { ExampleInfo } from '../protocol/engine-api';
import { h, perFrame } from './dom';
import { thumbnailCanvas } from './thumbnail';

/** Width of a thumbnail plus the gap, in CSS pixels (app.css `.thumb`). */
const STEP = 52;
const PAGE = 32;
const OVERSCAN = 4;

export interface StripSource {
  /** e.g. "Class 1", for the thumbnails' accessible names. */
  name(): string;
  /** Examples `offset`..`offset + limit - 1`, oldest first. */
  fetch(offset: number, limit: number): Promise<ExampleInfo[]>;
  remove(id: number): Promise<unknown>;
}

const describe = (e: ExampleInfo) =>
  e.values
    ? Object.entries(e.values)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(', ')
    : '';

export class ThumbnailStrip {
  readonly element: HTMLDivElement;
  readonly #track: HTMLDivElement;
  readonly #empty: HTMLParagraphElement;
  readonly #pages = new Map<number, Promise<ExampleInfo[]>>();
  readonly #shown = new Map<number, HTMLButtonElement>();
  #count = 0;
  readonly #schedule = perFrame(() => this.#render());

  constructor(
    private readonly source: StripSource,
    emptyText: string,
  ) {
    this.#track = h('div', { class: 'strip-track' });
    this.#empty = h('p', { class: 'strip-empty' }, emptyText);
    this.element = h('div', { class: 'strip', 'data-testid': 'strip' }, this.#track, this.#empty);
    this.element.addEventListener('scroll', this.#schedule, { passive: true });
    new ResizeObserver(this.#schedule).observe(this.element);
  }

  /** The class has `count` examples now: forget the pages fetched, and show what is in view. */
  refresh(count: number): void {
    this.#count = count;
    this.#pages.clear();
    this.#track.style.width = `${count * STEP}px`;
    this.#empty.hidden = count > 0;
    this.#schedule();
  }

  /** Thumbnails in the DOM now (for tests of the virtualisation). */
  get rendered(): number {
    return this.#shown.size;
  }

  #page(index: number): Promise<ExampleInfo[]> {
    let page = this.#pages.get(index);
    if (!page) {
      page = this.source.fetch(index * PAGE, PAGE).catch(() => []);
      this.#pages.set(index, page);
    }
    return page;
  }

  #render(): void {
    const count = this.#count;
    const first = Math.max(0, Math.floor(this.element.scrollLeft / STEP) - OVERSCAN);
    const last = Math.min(count, Math.ceil((this.element.scrollLeft + this.element.clientWidth) / STEP) + OVERSCAN);
    // Display slot d (0 at the left) shows example count - 1 - d: newest first.
    const wanted = new Map<number, number>(); // example index → slot
    for (let d = first; d < last; d++) wanted.set(count - 1 - d, d);
    const pages = new Set([...wanted.keys()].map((i) => Math.floor(i / PAGE)));
    const keep = new Set<number>();
    const pending: Promise<void>[] = [];
    for (const p of pages) {
      pending.push(
        this.#page(p).then((examples) => {
          if (this.#count !== count) return; // refreshed meanwhile: the next render shows the new state
          examples.forEach((e, k) => {
            const slot = wanted.get(p * PAGE + k);
            if (slot === undefined) return;
            keep.add(e.id);
            this.#place(e, slot, count - slot);
          });
        }),
      );
    }
    void Promise.all(pending).then(() => {
      if (this.#count !== count) return;
      for (const [id, button] of this.#shown)
        if (!keep.has(id)) {
          button.remove();
          this.#shown.delete(id);
        }
    });
  }

  #place(e: ExampleInfo, slot: number, number: number): void {
    let button = this.#shown.get(e.id);
    if (!button) {
      button = h('button', { type: 'button', class: 'thumb', 'data-id': e.id }, thumbnailCanvas(e.thumbnail));
      const clicked = button;
      clicked.addEventListener('click', () => {
        clicked.disabled = true;
        void this.source.remove(e.id);
      });
      this.#shown.set(e.id, button);
      this.#track.append(button);
    }
    const values = describe(e);
    button.setAttribute(
      'aria-label',
      `Delete example ${number} of ${this.source.name()}${values ? ` (${values})` : ''}`,
    );
    button.title = `Example ${number}${values ? ` (${values})` : ''}: click to delete`;
    button.style.left = `${slot * STEP}px`;
  }
}
