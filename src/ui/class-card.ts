/**
 * One class as a card (Teachable Machine's layout): its name (editable), how many examples it has, a
 * strip of them, a press-and-hold "Record <name>" button, and "Upload images for <name>" (or pictures
 * dropped on the card). In regression mode one such card holds every example, recorded with the sliders'
 * values.
 */
import type { Target } from '../protocol/types';
import type { Pipeline, Recording } from '../streams/pipeline';
import { h, hidden, type Scope } from './dom';
import { acceptDrops, addImages, uploadMessage } from './image-upload';
import type { Notices } from './notices';
import { holdToRecord } from './record-button';
import { ThumbnailStrip } from './thumbnail-strip';

export interface CardContext {
  readonly pipe: Pipeline;
  readonly video: HTMLVideoElement;
  readonly notices: Notices;
  /** Why recording cannot start now (no picture, training…), or null when it can. */
  cannotRecord(): string | null;
}

export interface CardSpec {
  /** The class ('' for the regression examples card). */
  label: string;
  /** The target its examples get: the label, or the sliders' values. */
  target(): Target;
  /** Regression: one card of every example, named by the values it records with. */
  regression: boolean;
  rename?(from: string, to: string): Promise<boolean>;
  remove?(label: string): Promise<void>;
}

/** Every example of `label`, deleted one by one so that the class keeps its place. */
async function removeAll(pipe: Pipeline, label: string): Promise<void> {
  const ids = (await pipe.examples({ label })).map((e) => e.id);
  for (const id of ids) await pipe.removeExample(id);
}

export class ClassCard {
  readonly element: HTMLElement;
  #label: string;
  #count = 0;
  #live = 0;
  #recording: Recording | null = null;
  readonly #name: HTMLInputElement | null;
  readonly #countText: HTMLElement;
  readonly #record: HTMLButtonElement;
  readonly #recordName: HTMLSpanElement;
  readonly #key: HTMLElement;
  readonly #upload: HTMLInputElement;
  readonly #uploadName: HTMLSpanElement;
  readonly #status: HTMLElement;
  readonly #strip: ThumbnailStrip;
  readonly #menuButtons: HTMLButtonElement[] = [];

  constructor(
    private readonly ctx: CardContext,
    private readonly spec: CardSpec,
    private readonly scope: Scope,
  ) {
    this.#label = spec.label;
    const { pipe } = ctx;
    this.#name = spec.regression
      ? null
      : h('input', {
          class: 'card-name',
          'aria-label': 'Class name',
          value: spec.label,
          autocomplete: 'off',
          spellcheck: false,
        });
    const title = this.#name ?? h('h3', { class: 'card-title' }, 'Examples');
    this.#countText = h('span', { 'data-testid': 'count' }, '0');
    const count = h('span', { class: 'count' }, this.#countText, ' examples');

    this.#recordName = hidden('');
    this.#key = h('kbd', { 'aria-hidden': 'true' });
    this.#record = h('button', { type: 'button', class: 'record' }, 'Record', this.#recordName, this.#key);
    this.#uploadName = hidden('');
    this.#upload = h('input', { type: 'file', accept: 'image/*', multiple: true, class: 'visually-hidden' });
    const upload = h('label', { class: 'button upload' }, 'Upload', this.#uploadName, this.#upload);
    this.#status = h('p', { class: 'card-status', role: 'status' });

    this.#strip = new ThumbnailStrip(
      {
        name: () => (spec.regression ? 'the examples' : this.#label),
        fetch: (offset, limit) => pipe.examples({ label: spec.regression ? '' : this.#label, offset, limit }),
        remove: (id) => pipe.removeExample(id).catch((e: unknown) => ctx.notices.show(e)),
      },
      spec.regression
        ? 'No examples yet. Set the sliders, then hold Record (or drop pictures here).'
        : 'No examples yet. Hold Record while showing it to the camera, or drop pictures here.',
    );

    const clear = h('button', { type: 'button', class: 'quiet' }, 'Remove all examples');
    const items = h('div', { class: 'card-menu-list' }, clear);
    this.#menuButtons.push(clear);
    if (spec.remove) {
      const del = h('button', { type: 'button', class: 'quiet danger' }, 'Delete class');
      this.#menuButtons.push(del);
      items.append(del);
      let armed = false;
      scope.on(del, 'click', () => {
        // A class with examples is deleted on the second click: one slip must not lose them.
        if (this.#count > 0 && !armed) {
          armed = true;
          del.textContent = `Delete its ${this.#count} examples too?`;
          setTimeout(() => ((armed = false), (del.textContent = 'Delete class')), 4000);
          return;
        }
        void spec.remove!(this.#label).catch((e: unknown) => ctx.notices.show(e));
      });
    }
    const menu = h('details', { class: 'card-menu' }, h('summary', { title: 'More' }, '⋯'), items);
    scope.on(clear, 'click', () => {
      menu.open = false;
      const done = spec.regression ? pipe.clearExamples() : removeAll(pipe, this.#label);
      void done.catch((e: unknown) => ctx.notices.show(e));
    });

    this.element = h(
      'section',
      { class: 'card', 'data-testid': 'class-card' },
      h('header', { class: 'card-head' }, title, count, menu),
      this.#strip.element,
      h('div', { class: 'card-actions' }, this.#record, upload, this.#status),
    );

    holdToRecord(this.#record, { start: () => this.startRecording(), stop: () => this.stopRecording() }, scope.signal);
    scope.on(this.#upload, 'change', () => {
      const files = [...(this.#upload.files ?? [])];
      this.#upload.value = '';
      void this.#addFiles(files);
    });
    acceptDrops(this.element, (files) => void this.#addFiles(files), scope.signal);
    if (this.#name) {
      const name = this.#name;
      scope.on(name, 'keydown', (e) => {
        if (e.key === 'Enter') name.blur();
        if (e.key === 'Escape') {
          name.value = this.#label;
          name.blur();
        }
      });
      scope.on(name, 'change', () => void this.#rename(name.value.trim()));
    }
    this.#named();
  }

  get label(): string {
    return this.#label;
  }

  /** The label changed (renamed here or elsewhere). */
  setLabel(label: string): void {
    this.#label = label;
    if (this.#name && document.activeElement !== this.#name) this.#name.value = label;
    this.#named();
  }

  setCount(count: number): void {
    const changed = count !== this.#count;
    this.#count = count;
    this.#showCount();
    if (changed || !this.#recording) this.#strip.refresh(count);
  }

  /** The keyboard shortcut that records this card (1–9), or null. */
  setKey(key: number | null): void {
    this.#key.textContent = key === null ? '' : String(key);
    this.#key.hidden = key === null;
    this.#record.title = key === null ? 'Hold to record' : `Hold to record (or hold the ${key} key)`;
  }

  startRecording(): void {
    if (this.#recording) return;
    const problem = this.ctx.cannotRecord();
    if (problem) return this.ctx.notices.show(problem, 'warning');
    const recording = this.ctx.pipe.record(this.spec.target(), this.ctx.video);
    this.#recording = recording;
    this.element.classList.add('recording');
    this.#record.setAttribute('aria-pressed', 'true');
    let shownAt = 0;
    const sub = recording.count$.subscribe({
      next: (n) => {
        this.#live = n;
        this.#showCount();
        // The strip catches up a few times a second while recording.
        if (performance.now() - shownAt > 300) {
          shownAt = performance.now();
          this.#strip.refresh(this.#count + n);
        }
      },
      complete: () => {
        this.#live = 0;
      },
    });
    this.scope.add(sub);
  }

  stopRecording(): void {
    const recording = this.#recording;
    if (!recording) return;
    this.#recording = null;
    this.element.classList.remove('recording');
    this.#record.setAttribute('aria-pressed', 'false');
    void recording.stop();
  }

  close(): void {
    this.stopRecording();
  }

  #showCount(): void {
    this.#countText.textContent = String(this.#count + this.#live);
  }

  #named(): void {
    const name = this.spec.regression ? 'with the slider values' : this.#label;
    this.#recordName.textContent = ` ${name}`;
    this.#uploadName.textContent = this.spec.regression ? ' images with the slider values' : ` images for ${name}`;
    this.element.dataset.label = this.#label;
    this.element.setAttribute('aria-label', this.spec.regression ? 'Examples' : this.#label);
    const [clear, del] = this.#menuButtons;
    clear?.setAttribute('aria-label', `Remove all examples of ${this.spec.regression ? 'the outputs' : name}`);
    del?.setAttribute('aria-label', `Delete class ${name}`);
    this.element.querySelector('summary')?.setAttribute('aria-label', `More actions for ${name}`);
  }

  async #rename(to: string): Promise<void> {
    if (!this.#name || to === this.#label) return;
    if (!to) {
      this.#name.value = this.#label;
      return this.ctx.notices.show('A class needs a name: type one, such as "ukulele".', 'warning');
    }
    const ok = await this.spec.rename?.(this.#label, to);
    if (!ok) this.#name.value = this.#label;
  }

  async #addFiles(files: File[]): Promise<void> {
    if (files.length === 0) return;
    this.#status.textContent = `Adding ${files.length} file${files.length === 1 ? '' : 's'}…`;
    try {
      const result = await addImages(
        this.ctx.pipe,
        () => this.spec.target(),
        files,
        (done, total) => {
          this.#status.textContent = `Adding ${done + 1 > total ? total : done + 1} of ${total}…`;
        },
      );
      this.#status.textContent = uploadMessage(result);
      this.#status.dataset.skipped = String(result.skipped.length);
    } catch (e) {
      this.#status.textContent = '';
      this.ctx.notices.show(e);
    }
  }
}
