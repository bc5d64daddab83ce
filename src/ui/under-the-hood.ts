/**
 * "Under the hood", after training: how well the head does on its own examples, per class and as a
 * confusion matrix, and the examples it gets wrong as pictures (the crops the model saw). Clicking one
 * deletes it, so a bad example (a hand in the way, the wrong object) can be found and removed. Gestures
 * are judged template by template, each by the nearest of the others.
 */
import type { Evaluation } from '../protocol/project';
import type { Pipeline } from '../streams/pipeline';
import { h, percent, type Scope } from './dom';
import type { Notices } from './notices';

/** Pictures of wrong examples shown at most (the evaluation lists up to 200). */
const SHOWN = 24;

const SETS: Record<Evaluation['on'], string> = {
  validation: 'the examples held out from training (validation)',
  training: 'the training examples (too few to hold any out)',
  'leave-one-out': 'every example, each judged by the others',
};

export class UnderTheHood {
  readonly #body: HTMLElement;
  readonly #urls: string[] = [];
  readonly #again: HTMLButtonElement;
  #asked = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly pipe: Pipeline,
    private readonly notices: Notices,
    scope: Scope,
  ) {
    const again = (this.#again = h('button', { type: 'button', class: 'quiet' }, 'Check again'));
    scope.on(again, 'click', () => void this.refresh());
    this.#body = h('div', { class: 'hood-body' });
    root.replaceChildren(h('h2', {}, 'Under the hood'), this.#body, again);
    this.#empty();
    scope.add(() => this.#revoke());
  }

  #empty(text = 'Train to see how well the model knows each class, and which examples it gets wrong.'): void {
    this.#body.replaceChildren(h('p', { class: 'empty' }, text));
    this.#again.hidden = !this.pipe.project.trained;
    delete this.root.dataset.state;
  }

  #revoke(): void {
    for (const url of this.#urls.splice(0)) URL.revokeObjectURL(url);
  }

  async refresh(): Promise<void> {
    if (!this.pipe.project.trained) return this.#empty();
    const asked = ++this.#asked;
    this.root.dataset.state = 'checking';
    try {
      const evaluation = await this.pipe.evaluate();
      if (asked === this.#asked) await this.#show(evaluation);
    } catch (e) {
      this.#empty('The check did not run: see the message above.');
      this.notices.show(e);
    }
  }

  async #show(e: Evaluation): Promise<void> {
    this.#revoke();
    // Gestures: a template is judged by the nearest of the others, so one alone always looks wrong.
    if (e.head === 'dtw' && e.perClass.every((c) => c.examples < 2)) {
      this.#empty(
        'Each gesture template is judged by the nearest of the others: record two or more of a gesture to see whether they are told apart.',
      );
      this.#again.hidden = false;
      return;
    }
    const parts: HTMLElement[] = [];
    if (e.head === 'regression') {
      parts.push(
        h('p', { class: 'summary' }, `Judged on ${e.examples} examples: ${SETS[e.on]}.`),
        table(
          ['Output', 'Mean error'],
          Object.entries(e.meanAbsoluteError ?? {}).map(([name, mae]) => [name, mae.toFixed(3)]),
          'Mean absolute error per output (0–1)',
        ),
      );
    } else {
      parts.push(
        h(
          'p',
          { class: 'summary' },
          h('strong', {}, percent(e.accuracy)),
          ` right on ${e.examples} ${e.head === 'dtw' ? 'templates' : 'examples'}: ${SETS[e.on]}.`,
          e.head === 'dtw' && e.perClass.some((c) => c.examples < 2)
            ? ' A gesture with one template has none of its own to be compared with: it counts as wrong.'
            : null,
        ),
        table(
          ['Class', 'Examples', 'Right', 'Accuracy'],
          e.perClass.map((c) => [c.label, String(c.examples), String(c.correct), percent(c.accuracy)]),
          'Accuracy per class',
          'per-class',
        ),
        confusion(e),
      );
    }
    const wrong =
      e.head === 'regression'
        ? (e.worst ?? []).map((w) => ({ id: w.id, text: `off by ${w.error.toFixed(2)}` }))
        : e.misclassified.map((m) => ({ id: m.id, text: `${m.label} → ${m.predicted} (${percent(m.confidence)})` }));
    parts.push(
      h(
        'h3',
        {},
        e.head === 'regression' ? 'The examples furthest from their targets' : 'Examples it gets wrong',
        wrong.length ? h('small', {}, ' (click one to delete it, then train again)') : null,
      ),
      await this.#pictures(wrong),
    );
    this.#body.replaceChildren(...parts);
    this.#again.hidden = false;
    this.root.dataset.state = 'done';
  }

  async #pictures(wrong: { id: number; text: string }[]): Promise<HTMLElement> {
    if (wrong.length === 0) return h('p', { class: 'empty' }, 'None: the model gets every example right.');
    const list = h('ul', { class: 'wrong', 'data-testid': 'misclassified' });
    for (const { id, text } of wrong.slice(0, SHOWN)) {
      const crop = await this.pipe.exampleCrop(id).catch(() => null);
      const url = crop ? URL.createObjectURL(crop) : null;
      if (url) this.#urls.push(url);
      const button = h(
        'button',
        { type: 'button', class: 'wrong-example', 'aria-label': `Delete example ${id}: ${text}`, 'data-id': id },
        url ? h('img', { src: url, alt: '', width: 72, height: 72 }) : h('span', { class: 'no-picture' }, '?'),
        h('span', {}, text),
      );
      button.addEventListener('click', () => {
        button.disabled = true;
        this.pipe.removeExample(id).then(
          () => button.closest('li')?.remove(),
          (err: unknown) => this.notices.show(err),
        );
      });
      list.append(h('li', {}, button));
    }
    if (wrong.length > SHOWN) list.append(h('li', { class: 'more' }, `and ${wrong.length - SHOWN} more`));
    return list;
  }
}

function table(headers: string[], rows: string[][], caption: string, testid?: string): HTMLTableElement {
  return h(
    'table',
    { class: 'hood-table', 'data-testid': testid },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      {},
      ...rows.map((r) => h('tr', {}, ...r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c))))),
    ),
  );
}

/** Rows: what each example is; columns: what the model said. The diagonal is right. */
function confusion(e: Evaluation): HTMLTableElement {
  const most = Math.max(1, ...e.confusion.flat());
  return h(
    'table',
    { class: 'hood-table confusion', 'data-testid': 'confusion' },
    h('caption', {}, 'Confusion matrix', h('small', {}, h('br'), 'rows: the class · columns: what the model said')),
    h('thead', {}, h('tr', {}, h('td', {}), ...e.labels.map((l) => h('th', { scope: 'col' }, l)))),
    h(
      'tbody',
      {},
      ...e.labels.map((label, i) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, label),
          ...e.labels.map((_, j) => {
            const n = e.confusion[i]?.[j] ?? 0;
            const cell = h('td', { class: i === j ? 'right' : n ? 'wrong' : '' }, String(n));
            cell.style.setProperty('--share', String(n / most));
            return cell;
          }),
        ),
      ),
    ),
  );
}
