/**
 * The cards: one per class, in the project's order, with "Add class" below them; hold 1–9 to record
 * card 1–9. In regression mode the classes become named outputs, each with a target slider, and one
 * card records examples with the sliders' values (as Wekinator does). In gestures mode each card is a
 * gesture ("Add gesture"), its templates listed, and it lights up when the gesture is recognised.
 */
import type { ExampleCounts } from '../protocol/engine-api';
import type { AppSettingsStore } from './app-settings';
import { ClassCard, type CardContext } from './class-card';
import { h, Scope } from './dom';

/** The first "Class N" not taken. */
export function nextName(taken: readonly string[], stem = 'Class'): string {
  for (let n = taken.length + 1; ; n++) if (!taken.includes(`${stem} ${n}`)) return `${stem} ${n}`;
}

/** Typing in a text field is typing, not a shortcut. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement)
    return true;
  return target instanceof HTMLInputElement && !['range', 'checkbox', 'radio', 'button', 'file'].includes(target.type);
}

export class ClassCards {
  readonly #cards = new Map<string, ClassCard>();
  /** Renames asked for and not yet seen in the counts: old label → new. */
  readonly #renaming = new Map<string, string>();
  readonly #list: HTMLElement;
  readonly #empty: HTMLElement;
  readonly #outputs: HTMLElement;
  readonly #add: HTMLButtonElement;
  #regression: ClassCard | null = null;
  readonly #gestures: boolean;
  #outputNames: string[] = [];
  #examples = 0;
  /** Its own listeners (shortcut keys on the window too): gone when the cards are rebuilt. */
  private readonly scope = new Scope();

  constructor(
    private readonly root: HTMLElement,
    private readonly ctx: CardContext,
    private readonly settings: AppSettingsStore,
  ) {
    const scope = this.scope;
    const regression = ctx.pipe.settings.head === 'regression';
    this.#gestures = ctx.pipe.settings.head === 'dtw';
    this.#list = h('div', { class: 'card-list' });
    this.#empty = h(
      'p',
      { class: 'empty' },
      this.#gestures
        ? 'No gestures yet: add one for each movement to recognise.'
        : 'No classes yet: add one for each thing the camera should tell apart.',
    );
    this.#outputs = h('div', { class: 'output-targets', 'aria-label': 'Outputs and their targets', role: 'group' });
    this.#add = h(
      'button',
      { type: 'button', class: 'add' },
      regression ? 'Add output' : this.#gestures ? 'Add gesture' : 'Add class',
    );
    const title = document.getElementById('classes-title');
    if (title) title.firstChild!.textContent = regression ? 'Outputs ' : this.#gestures ? 'Gestures ' : 'Classes ';
    if (this.#gestures) scope.add(ctx.pipe.gestures$.subscribe((g) => this.#cards.get(g.name)?.recognised(g)));
    root.replaceChildren(
      ...(regression ? [this.#outputs, this.#add, this.#list] : [this.#list, this.#empty, this.#add]),
    );
    scope.on(this.#add, 'click', () => void (regression ? this.#addOutput() : this.#addClass()));
    if (regression) {
      this.#regression = new ClassCard(ctx, { label: '', regression: true, target: () => this.#targets() }, scope);
      this.#regression.setKey(1);
      this.#list.append(this.#regression.element);
    }
    this.#shortcuts();
  }

  /** The project's classes and counts now. */
  sync(counts: ExampleCounts): void {
    if (this.#regression) {
      this.#examples = counts.perLabel[''] ?? 0;
      this.#regression.setCount(this.#examples);
      this.#showOutputs();
      return;
    }
    const labels = Object.keys(counts.perLabel);
    for (const [from, to] of this.#renaming) {
      const card = this.#cards.get(from);
      if (card && labels.includes(to) && !labels.includes(from)) {
        this.#cards.delete(from);
        this.#cards.set(to, card);
        card.setLabel(to);
        this.#renaming.delete(from);
      }
    }
    for (const [label, card] of this.#cards)
      if (!labels.includes(label)) {
        card.close();
        card.element.remove();
        this.#cards.delete(label);
      }
    for (const [i, label] of labels.entries()) {
      let card = this.#cards.get(label);
      if (!card) {
        card = new ClassCard(
          this.ctx,
          {
            label,
            regression: false,
            gesture: this.#gestures,
            target: () => card!.label,
            rename: (from, to) => this.#rename(from, to),
            remove: (l) => this.ctx.pipe.clearLabel(l).then(() => {}),
          },
          this.scope,
        );
        this.#cards.set(label, card);
      }
      if (this.#list.children[i] !== card.element)
        this.#list.insertBefore(card.element, this.#list.children[i] ?? null);
      card.setCount(counts.perLabel[label] ?? 0);
      card.setKey(i < 9 ? i + 1 : null);
    }
    this.#empty.hidden = labels.length > 0;
  }

  /** The card of `label` (for focusing a new one). */
  card(label: string): ClassCard | undefined {
    return this.#cards.get(label);
  }

  /** Ends every recording (before training, say). */
  stopRecording(): void {
    for (const card of this.#cards.values()) card.stopRecording();
    this.#regression?.stopRecording();
  }

  close(): void {
    this.stopRecording();
    this.scope.close();
    this.root.replaceChildren();
  }

  async #addClass(): Promise<void> {
    const name = nextName([...this.#cards.keys()], this.#gestures ? 'Gesture' : 'Class');
    try {
      await this.ctx.pipe.addLabel(name);
      const input = this.#cards.get(name)?.element.querySelector('input.card-name');
      if (input instanceof HTMLInputElement) {
        input.focus();
        input.select();
      }
    } catch (e) {
      this.ctx.notices.show(e);
    }
  }

  async #rename(from: string, to: string): Promise<boolean> {
    if (this.#cards.has(to)) {
      const kind = this.#gestures ? 'gesture' : 'class';
      this.ctx.notices.show(`There is a ${kind} named "${to}" already: pick another name.`, 'warning');
      return false;
    }
    this.#renaming.set(from, to);
    try {
      await this.ctx.pipe.renameLabel(from, to);
      return true;
    } catch (e) {
      this.#renaming.delete(from);
      this.ctx.notices.show(e);
      return false;
    }
  }

  #shortcuts(): void {
    const cardFor = (e: KeyboardEvent) => {
      if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey || !/^Digit[1-9]$/.test(e.code)) return null;
      const n = Number(e.code.slice(5));
      return this.#regression ? (n === 1 ? this.#regression : null) : ([...this.#cards.values()][n - 1] ?? null);
    };
    const options = { signal: this.scope.signal };
    window.addEventListener(
      'keydown',
      (e) => {
        const card = cardFor(e);
        if (!card) return;
        e.preventDefault();
        if (!e.repeat) card.startRecording();
      },
      options,
    );
    window.addEventListener('keyup', (e) => cardFor(e)?.stopRecording(), options);
    window.addEventListener('blur', () => [...this.#cards.values()].forEach((c) => c.stopRecording()), options);
  }

  // Regression: the outputs, each a name and a target slider.

  #targets(): Record<string, number> {
    const targets = this.settings.value.targets;
    return Object.fromEntries(this.ctx.pipe.settings.outputs.map((name) => [name, targets[name] ?? 0.5]));
  }

  #showOutputs(): void {
    const names = this.ctx.pipe.settings.outputs;
    const locked = this.#examples > 0;
    this.#add.disabled = locked;
    this.#add.title = locked
      ? 'The examples carry values for these outputs: remove them all to change the outputs.'
      : '';
    if (names.join('\n') === this.#outputNames.join('\n') && this.#outputs.dataset.locked === String(locked)) return;
    this.#outputNames = [...names];
    this.#outputs.dataset.locked = String(locked);
    const targets = this.#targets();
    this.#outputs.replaceChildren(
      ...names.map((name) => {
        const nameInput = h('input', {
          class: 'output-name',
          'aria-label': 'Output name',
          value: name,
          disabled: locked,
          title: locked ? 'Remove all examples to rename the outputs.' : '',
        });
        const slider = h('input', {
          type: 'range',
          min: 0,
          max: 1,
          step: 0.01,
          value: targets[name] ?? 0.5,
          'aria-label': `Target for ${name}`,
        });
        const value = h('output', {}, (targets[name] ?? 0.5).toFixed(2));
        const remove = h(
          'button',
          {
            type: 'button',
            class: 'quiet',
            'aria-label': `Delete output ${name}`,
            disabled: locked || names.length < 2,
          },
          '✕',
        );
        this.scope.on(slider, 'input', () => {
          value.textContent = Number(slider.value).toFixed(2);
          this.settings.update((s) => ({ ...s, targets: { ...s.targets, [name]: Number(slider.value) } }));
        });
        this.scope.on(nameInput, 'change', () => {
          const to = nameInput.value.trim();
          if (!to || names.includes(to)) {
            nameInput.value = name;
            if (to) this.ctx.notices.show(`There is an output named "${to}" already.`, 'warning');
            return;
          }
          void this.#setOutputs(names.map((n) => (n === name ? to : n)));
        });
        this.scope.on(remove, 'click', () => void this.#setOutputs(names.filter((n) => n !== name)));
        return h('div', { class: 'output-target', 'data-output': name }, nameInput, slider, value, remove);
      }),
    );
  }

  async #addOutput(): Promise<void> {
    await this.#setOutputs([...this.ctx.pipe.settings.outputs, nextName(this.ctx.pipe.settings.outputs, 'Output')]);
  }

  async #setOutputs(outputs: string[]): Promise<void> {
    try {
      await this.ctx.pipe.configure({ outputs });
      this.#showOutputs();
    } catch (e) {
      this.ctx.notices.show(e);
      this.#outputNames = [];
      this.#showOutputs();
    }
  }
}
