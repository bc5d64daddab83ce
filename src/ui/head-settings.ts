/**
 * "Advanced settings" under a disclosure: the head's training settings, kNN's k and the gestures' threshold,
 * refractory time and speed band, each with its default shown, applied with `configure()` as soon as one
 * changes (no restart).
 */
import { DEFAULT_ENGINE_OPTIONS, type HeadSettings, type HeadSettingsPatch } from '../protocol/engine-options';
import type { Pipeline } from '../streams/pipeline';
import { h, type Scope } from './dom';
import type { Notices } from './notices';

interface Field {
  name: string;
  label: string;
  /** null: unset, the default applies (shown as an empty field). */
  read(s: HeadSettings): number | null;
  /** `v` is null when an `optional` field is emptied; `now` is the settings it changes. */
  patch(v: number | null, now: HeadSettings): HeadSettingsPatch;
  /** May be left empty (null: the default for the project's features). */
  optional?: boolean;
  step: string;
  min: number;
  max?: number;
  /** Which heads use it. */
  heads: HeadSettings['head'][];
  hint: string;
}

const D = DEFAULT_ENGINE_OPTIONS;
const DEFAULT_BAND = D.gestures.band;
const FIELDS: Field[] = [
  {
    name: 'epochs',
    label: 'Epochs',
    read: (s) => s.train.epochs,
    patch: (epochs) => ({ train: { epochs: epochs! } }),
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
    patch: (learningRate) => ({ train: { learningRate: learningRate! } }),
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
    patch: (batchSize) => ({ train: { batchSize: batchSize! } }),
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
    patch: (hiddenUnits) => ({ train: { hiddenUnits: hiddenUnits! } }),
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
    patch: (k) => ({ knn: { k: k! } }),
    step: '1',
    min: 1,
    max: 100,
    heads: ['knn'],
    hint: `neighbours that vote; default ${D.knn.k}`,
  },
  {
    name: 'threshold',
    label: 'Match below (distance)',
    read: (s) => s.gestures.threshold,
    patch: (threshold) => ({ gestures: { threshold } }),
    optional: true,
    step: 'any',
    min: 0.001,
    max: 10,
    heads: ['dtw'],
    hint: 'a performance counts when its DTW distance to a template is below this; empty: the default (0.18 for poses, 0.06 for images)',
  },
  {
    name: 'refractoryMs',
    label: 'Quiet after a match (ms)',
    read: (s) => s.gestures.refractoryMs,
    patch: (refractoryMs) => ({ gestures: { refractoryMs: refractoryMs! } }),
    step: '10',
    min: 0,
    max: 10_000,
    heads: ['dtw'],
    hint: `no other gesture for this long, so one performance gives one event; default ${D.gestures.refractoryMs}`,
  },
  {
    name: 'minRatio',
    label: 'Fastest (× taught speed)',
    read: (s) => 1 / s.gestures.band.minRatio,
    patch: (v, now) => ({ gestures: { band: { ...now.gestures.band, minRatio: 1 / v! } } }),
    step: 'any',
    min: 1,
    max: 10,
    heads: ['dtw'],
    hint: `how much faster than taught a gesture may be performed; default ${1 / D.gestures.band.minRatio}×`,
  },
  {
    name: 'maxRatio',
    label: 'Slowest (× taught time)',
    read: (s) => s.gestures.band.maxRatio,
    patch: (v, now) => ({ gestures: { band: { ...now.gestures.band, maxRatio: v! } } }),
    step: 'any',
    min: 1,
    max: 10,
    heads: ['dtw'],
    hint: `how much longer than taught it may take; default ${D.gestures.band.maxRatio}×`,
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
        required: !field.optional,
        placeholder: field.optional ? 'default' : undefined,
      });
      const row = h('label', { class: 'setting' }, h('span', {}, field.label), input, h('small', {}, field.hint));
      scope.on(input, 'change', () => {
        const value = field.optional && input.value.trim() === '' ? null : Number(input.value);
        if (!input.checkValidity() || (value !== null && !Number.isFinite(value))) {
          notices.show(
            `${field.label} must be a number from ${field.min}${field.max ? ` to ${field.max}` : ''}.`,
            'warning',
          );
          return this.show(pipe.settings);
        }
        pipe.configure(field.patch(value, pipe.settings)).then(
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
      const train = { epochs, learningRate, batchSize, hiddenUnits };
      pipe.configure({ train, knn: { k: D.knn.k }, gestures: { ...D.gestures, band: { ...DEFAULT_BAND } } }).then(
        (s) => this.show(s),
        (e: unknown) => notices.show(e),
      );
    });
    this.element = h('details', { class: 'advanced' }, h('summary', {}, 'Advanced settings'), grid, reset);
    this.show(pipe.settings);
  }

  show(settings: HeadSettings): void {
    for (const [field, input] of this.#inputs) {
      const value = field.read(settings);
      input.value = value === null ? '' : String(Number(value.toFixed(4)));
      this.#rows.get(field)!.hidden = !field.heads.includes(settings.head);
    }
  }
}
