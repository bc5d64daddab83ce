/**
 * One class as a card (Teachable Machine's layout): its name (editable), how many examples it has, a
 * strip of them, a press-and-hold "Record <name>" button, and "Upload images for <name>" (or pictures
 * dropped on the card). In regression mode one such card holds every example, recorded with the sliders'
 * values. In gestures mode a card is a gesture: each hold of Record is one template (a performance of it),
 * listed with its length and a way to delete it, and the card lights up when the gesture is recognised.
 */
import { recordLive } from '../outputs';
import type { GestureEvent, Target } from '../protocol/engine-api';
import type { Pipeline, Recording } from '../streams/pipeline';
import { h, hidden, type Scope } from './dom';
import { acceptDrops, addImages, uploadMessage } from './image-upload';
import type { Notices } from './notices';
import { holdToRecord } from './record-button';
import { TemplateList } from './template-list';
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
  /** Gestures (head 'dtw'): each hold of Record is one template. */
  gesture?: boolean;
  rename?(from: string, to: string): Promise<boolean>;
  remove?(label: string): Promise<void>;
}

/** These examples, deleted one by one (a label keeps its place even when none is left). */
async function removeIds(pipe: Pipeline, ids: readonly number[]): Promise<void> {
  for (const id of ids) await pipe.removeExample(id);
}

/** Every example of `label`, deleted one by one so that the class keeps its place. */
async function removeAll(pipe: Pipeline, label: string): Promise<void> {
  await removeIds(
    pipe,
    (await pipe.examples({ label })).map((e) => e.id),
  );
}

export class ClassCard {
  readonly element: HTMLElement;
  #label: string;
  #count = 0;
  #live = 0;
  #recording: Recording | null = null;
  /** Holds let go whose examples are still landing. */
  #landing = 0;
  /** The gesture's templates as last fetched (a template is shown once its frames are). */
  #templatesShown: Promise<unknown> = Promise.resolve();
  readonly #name: HTMLInputElement | null;
  readonly #countText: HTMLElement;
  readonly #record: HTMLButtonElement;
  readonly #recordName: HTMLSpanElement;
  readonly #key: HTMLElement;
  readonly #upload: HTMLInputElement;
  readonly #uploadName: HTMLSpanElement;
  readonly #status: HTMLElement;
  readonly #strip: ThumbnailStrip | null = null;
  readonly #templates: TemplateList | null = null;
  readonly #unit: HTMLElement;
  readonly #menuButtons: HTMLButtonElement[] = [];

  constructor(
    private readonly ctx: CardContext,
    private readonly spec: CardSpec,
    private readonly scope: Scope,
  ) {
    this.#label = spec.label;
    const { pipe } = ctx;
    const gesture = spec.gesture ?? false;
    this.#name = spec.regression
      ? null
      : h('input', {
          class: 'card-name',
          'aria-label': gesture ? 'Gesture name' : 'Class name',
          value: spec.label,
          autocomplete: 'off',
          spellcheck: false,
        });
    const title = this.#name ?? h('h3', { class: 'card-title' }, 'Examples');
    this.#countText = h('span', { 'data-testid': 'count' }, '0');
    this.#unit = h('span', {}, gesture ? ' templates' : ' examples');
    const count = h('span', { class: 'count' }, this.#countText, this.#unit);

    this.#recordName = hidden('');
    this.#key = h('kbd', { 'aria-hidden': 'true' });
    this.#record = h('button', { type: 'button', class: 'record' }, 'Record', this.#recordName, this.#key);
    this.#uploadName = hidden('');
    this.#upload = h('input', { type: 'file', accept: 'image/*', multiple: true, class: 'visually-hidden' });
    const upload = h('label', { class: 'button upload' }, 'Upload', this.#uploadName, this.#upload);
    this.#status = h('p', { class: 'card-status', role: 'status' });

    if (gesture)
      this.#templates = new TemplateList(
        {
          name: () => this.#label,
          fetch: () => pipe.examples({ label: this.#label }),
          remove: (ids) => removeIds(pipe, ids).catch((e: unknown) => ctx.notices.show(e)),
        },
        'No template yet. Hold Record while you perform the gesture, from its start to its end.',
      );
    else
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

    const clear = h(
      'button',
      { type: 'button', class: 'quiet' },
      gesture ? 'Remove all templates' : 'Remove all examples',
    );
    const items = h('div', { class: 'card-menu-list' }, clear);
    this.#menuButtons.push(clear);
    if (spec.remove) {
      const kind = gesture ? 'gesture' : 'class';
      const del = h('button', { type: 'button', class: 'quiet danger' }, `Delete ${kind}`);
      this.#menuButtons.push(del);
      items.append(del);
      let armed = false;
      scope.on(del, 'click', () => {
        // A class with examples is deleted on the second click: one slip must not lose them.
        if (this.#count > 0 && !armed) {
          armed = true;
          del.textContent = gesture
            ? `Delete its ${this.#templates?.count ?? 0} templates too?`
            : `Delete its ${this.#count} examples too?`;
          setTimeout(() => ((armed = false), (del.textContent = `Delete ${kind}`)), 4000);
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
      { class: gesture ? 'card gesture' : 'card', 'data-testid': 'class-card' },
      h('header', { class: 'card-head' }, title, count, menu),
      (this.#templates ?? this.#strip)!.element,
      // A gesture is a movement: it is taught by performing it, never from pictures.
      h('div', { class: 'card-actions' }, this.#record, gesture ? null : upload, this.#status),
    );

    holdToRecord(this.#record, { start: () => this.startRecording(), stop: () => this.stopRecording() }, scope.signal);
    scope.on(this.#upload, 'change', () => {
      const files = [...(this.#upload.files ?? [])];
      this.#upload.value = '';
      void this.#addFiles(files);
    });
    if (!gesture) acceptDrops(this.element, (files) => void this.#addFiles(files), scope.signal);
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
    if (this.#templates) {
      if (changed || !this.#recording) this.#templatesShown = this.#templates.refresh().then(() => this.#showCount());
    } else if (changed || !this.#recording) this.#strip!.refresh(count);
  }

  /** Gestures: this one was just recognised. */
  recognised(g: GestureEvent): void {
    this.element.classList.remove('matched');
    void this.element.offsetWidth; // restart the animation
    this.element.classList.add('matched');
    this.element.dataset.matched = String(g.distance);
    this.#status.textContent = `Recognised · distance ${g.distance.toFixed(3)} · ${(g.durationMs / 1000).toFixed(1)} s long`;
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
    const recording = recordLive(this.ctx.pipe, this.spec.target(), this.ctx.video);
    this.#recording = recording;
    this.element.classList.add('recording');
    this.#record.setAttribute('aria-pressed', 'true');
    let shownAt = 0;
    const sub = recording.count$.subscribe({
      next: (n) => {
        this.#live = n;
        this.#showCount();
        // The strip catches up a few times a second while recording.
        if (this.#strip && performance.now() - shownAt > 300) {
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
    this.#showCount();
    // The last examples of a hold land after it is let go: until they have, the count is not final.
    this.#landing += 1;
    this.element.setAttribute('aria-busy', 'true');
    void recording
      .stop()
      .then(() => this.#templatesShown)
      .finally(() => {
        if (--this.#landing === 0) this.element.removeAttribute('aria-busy');
      });
  }

  close(): void {
    this.stopRecording();
  }

  #showCount(): void {
    if (this.#templates) {
      // A template is whole only when the hold ends: meanwhile, its frames are counted as they come.
      const n = this.#templates.count;
      this.#countText.textContent = String(n);
      const unit = n === 1 ? ' template' : ' templates';
      this.#unit.textContent = this.#recording ? `${unit} · recording ${this.#live} frames…` : unit;
      return;
    }
    this.#countText.textContent = String(this.#count + this.#live);
  }

  #named(): void {
    const name = this.spec.regression ? 'with the slider values' : this.#label;
    this.#recordName.textContent = ` ${name}`;
    this.#uploadName.textContent = this.spec.regression ? ' images with the slider values' : ` images for ${name}`;
    this.element.dataset.label = this.#label;
    this.element.setAttribute('aria-label', this.spec.regression ? 'Examples' : this.#label);
    const [clear, del] = this.#menuButtons;
    const what = this.spec.gesture ? 'templates' : 'examples';
    clear?.setAttribute('aria-label', `Remove all ${what} of ${this.spec.regression ? 'the outputs' : name}`);
    del?.setAttribute('aria-label', `Delete ${this.spec.gesture ? 'gesture' : 'class'} ${name}`);
    this.element.querySelector('summary')?.setAttribute('aria-label', `More actions for ${name}`);
  }

  async #rename(to: string): Promise<void> {
    if (!this.#name || to === this.#label) return;
    if (!to) {
      this.#name.value = this.#label;
      return this.ctx.notices.show(
        this.spec.gesture
          ? 'A gesture needs a name: type one, such as "wave".'
          : 'A class needs a name: type one, such as "ukulele".',
        'warning',
      );
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
