/**
 * A gesture's templates, as its card shows them: one entry per hold of Record (the examples that share a
 * `sequence`), with a picture from the middle of the movement, its length in frames, and a button that
 * deletes the whole template.
 */
import type { ExampleInfo } from '../protocol/engine-api';
import { h } from './dom';
import { thumbnailCanvas } from './thumbnail';

export interface Template {
  sequence: number;
  /** Its frames' example ids, in the order they were recorded. */
  ids: number[];
  /** The frame from the middle of the movement. */
  middle: ExampleInfo;
}

/** The templates among `examples` (a gesture's), oldest first; examples without a sequence are left out. */
export function templatesOf(examples: readonly ExampleInfo[]): Template[] {
  const bySequence = new Map<number, ExampleInfo[]>();
  for (const e of examples) {
    if (e.sequence === undefined) continue;
    let frames = bySequence.get(e.sequence);
    if (!frames) bySequence.set(e.sequence, (frames = []));
    frames.push(e);
  }
  return [...bySequence].map(([sequence, frames]) => ({
    sequence,
    ids: frames.map((f) => f.id),
    middle: frames[Math.floor(frames.length / 2)]!,
  }));
}

export interface TemplateSource {
  /** e.g. "wave", for the buttons' accessible names. */
  name(): string;
  fetch(): Promise<ExampleInfo[]>;
  /** Deletes a whole template (every frame of it). */
  remove(ids: number[]): Promise<unknown>;
}

export class TemplateList {
  readonly element: HTMLElement;
  readonly #list: HTMLOListElement;
  readonly #empty: HTMLParagraphElement;
  #asked = 0;
  #count = 0;

  constructor(
    private readonly source: TemplateSource,
    emptyText: string,
  ) {
    this.#list = h('ol', { class: 'template-track' });
    this.#empty = h('p', { class: 'strip-empty' }, emptyText);
    this.element = h('div', { class: 'strip templates', 'data-testid': 'templates' }, this.#list, this.#empty);
  }

  /** Templates shown now. */
  get count(): number {
    return this.#count;
  }

  /** Fetches the templates again and shows them; resolves with how many there are. */
  async refresh(): Promise<number> {
    const asked = ++this.#asked;
    const templates = templatesOf(await this.source.fetch().catch(() => []));
    if (asked !== this.#asked) return this.#count; // a newer refresh is on its way
    this.#count = templates.length;
    this.#empty.hidden = templates.length > 0;
    const name = this.source.name();
    this.#list.replaceChildren(
      ...templates.map((t, i) => {
        const remove = h(
          'button',
          {
            type: 'button',
            class: 'template-delete',
            'aria-label': `Delete template ${i + 1} of ${name}`,
            title: 'Delete this template',
          },
          '✕',
        );
        remove.addEventListener('click', () => {
          remove.disabled = true;
          void this.source.remove(t.ids);
        });
        return h(
          'li',
          { class: 'template', 'data-sequence': t.sequence, 'data-frames': t.ids.length },
          thumbnailCanvas(t.middle.thumbnail),
          h('span', { class: 'template-frames' }, `${t.ids.length} frames`),
          remove,
        );
      }),
    );
    return templates.length;
  }
}
