/**
 * "Advanced settings" under a disclosure: the head's training settings and kNN's k, each with its
 * default shown, applied with `configure()` as soon as one changes (no restart).
 */
import { DEFAULT_ENGINE_OPTIONS } from '../protocol/options';
import type { HeadSettings, HeadSettingsPatch } from '../protocol/project';
import type { Pipeline } from '../streams/pipeline';
import { h, type Scope } from './dom';
import type { Notices } from './notices';

interface Field {
  name: string;
  label: string;
  read(s: HeadSettings): number;
  patch(v: number): HeadSettingsPatch;
  step: string;
  min: number;
  max?: number;
  /** Which heads use it. */
  heads: HeadSettings['head'][];
  hint: string;
}

const D = DEFAULT_ENGINE_OPTIONS;
const FIELDS: Field[] = [
  {
    name: 'epochs',
    label: 'Epochs',
    read: (s) => s.train.epochs,
    patch: (epochs) => ({ train: { epochs } }),
    step: '1',
    min: 1,
    max: 1000,
    heads: ['dense', 'regression'],
    hint: `passes over the examples; default ${D.train.epochs}`,
  },
  {
    name: 'learningRate',
    label: 'Learning rate',
    read: (s) => s.train.learningRate,
    patch: (learningRate) => ({ train: { learningRate } }),
    step: 'any',
    min: 0.00001,
    max: 1,
    heads: ['dense', 'regression'],
    hint: `default ${D.train.learningRate}`,
  },
  {
    name: 'batchSize',
    label: 'Batch size',
    read: (s) => s.train.batchSize,
    patch: (batchSize) => ({ train: { batchSize } }),
    step: '1',
    min: 1,
    max: 1024,
    heads: ['dense', 'regression'],
    hint: `examples per step; default ${D.train.batchSize}`,
  },
  {
    name: 'hiddenUnits',
    label: 'Hidden units',
    read: (s) => s.train.hiddenUnits,
    patch: (hiddenUnits) => ({ train: { hiddenUnits } }),
    step: '1',
    min: 1,
    max: 2048,
    heads: ['dense', 'regression'],
    hint: `width of the hidden layer; default ${D.train.hiddenUnits}`,
  },
  {
    name: 'k',
    label: 'k (neighbours)',
    read: (s) => s.knn.k,
    patch: (k) => ({ knn: { k } }),
    step: '1',
    min: 1,
    max: 100,
    heads: ['knn'],
    hint: `neighbours that vote; default ${D.knn.k}`,
  },
];

export class HeadSettingsForm {
  readonly element: HTMLDetailsElement;
  readonly #inputs = new Map<Field, HTMLInputElement>();
  readonly #rows = new Map<Field, HTMLElement>();

  constructor(pipe: Pipeline, notices: Notices, scope: Scope) {
    const grid = h('div', { class: 'settings-grid' });
    for (const field of FIELDS) {
      const input = h('input', {
        type: 'number',
        name: field.name,
        step: field.step,
        min: field.min,
        max: field.max,
        required: true,
      });
      const row = h('label', { class: 'setting' }, h('span', {}, field.label), input, h('small', {}, field.hint));
      scope.on(input, 'change', () => {
        const value = Number(input.value);
        if (!input.checkValidity() || !Number.isFinite(value)) {
          notices.show(
            `${field.label} must be a number from ${field.min}${field.max ? ` to ${field.max}` : ''}.`,
            'warning',
          );
          return this.show(pipe.settings);
        }
        pipe.configure(field.patch(value)).then(
          (s) => this.show(s),
          (e: unknown) => {
            notices.show(e);
            this.show(pipe.settings);
          },
        );
      });
      this.#inputs.set(field, input);
      this.#rows.set(field, row);
      grid.append(row);
    }
    const reset = h('button', { type: 'button', class: 'quiet' }, 'Back to the defaults');
    scope.on(reset, 'click', () => {
      const { epochs, learningRate, batchSize, hiddenUnits } = D.train;
      pipe.configure({ train: { epochs, learningRate, batchSize, hiddenUnits }, knn: { k: D.knn.k } }).then(
        (s) => this.show(s),
        (e: unknown) => notices.show(e),
      );
    });
    this.element = h('details', { class: 'advanced' }, h('summary', {}, 'Advanced settings'), grid, reset);
    this.show(pipe.settings);
  }

  show(settings: HeadSettings): void {
    for (const [field, input] of this.#inputs) {
      input.value = String(field.read(settings));
      this.#rows.get(field)!.hidden = !field.heads.includes(settings.head);
    }
  }
}
