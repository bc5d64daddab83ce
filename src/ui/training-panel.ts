/**
 * Training: what the model learns from (the picture, or the body's pose), the kind of head, the Train
 * button, a live chart of loss and accuracy per epoch, and the advanced settings. Training runs in the
 * worker, so the page stays responsive; predicting starts by itself when it ends.
 */
import type { ExampleCounts, TrainProgress } from '../protocol/engine-api';
import { isKeypoints, type HeadKind } from '../protocol/engine-options';
import type { Pipeline } from '../streams/pipeline';
import { h, percent, type Scope } from './dom';
import { runningChoice, type FeatureChoice } from './features';
import { HeadSettingsForm } from './head-settings';
import type { Notices } from './notices';
import { TrainingChart } from './training-chart';

const HEADS: { value: HeadKind; text: string; hint: string }[] = [
  {
    value: 'dense',
    text: 'Classes: neural network',
    hint: 'Learns your classes when you press Train (a few seconds).',
  },
  {
    value: 'knn',
    text: 'Classes: nearest neighbours',
    hint: 'No training step: it predicts as soon as two classes have examples.',
  },
  {
    value: 'regression',
    text: 'Sliders: regression',
    hint: 'Continuous outputs from 0 to 1: set the sliders, record, train (as in Wekinator).',
  },
  {
    value: 'dtw',
    text: 'Gestures: movements (DTW)',
    hint: 'Each hold of Record is one performance of a gesture, from its start to its end; it is recognised when you perform it again, faster or slower. One template each is enough.',
  },
];

const FEATURES: { value: FeatureChoice['features']; text: string; hint: string }[] = [
  {
    value: 'image',
    text: 'Image: the picture (MobileNet)',
    hint: 'Learns what the picture looks like: objects, places, a hand shape close up.',
  },
  {
    value: 'pose',
    text: 'Pose: body keypoints (MoveNet)',
    hint: 'Learns the body’s pose wherever you stand and however near: poses, and gestures over time. The skeleton shows without training.',
  },
  {
    value: 'people',
    text: 'People: several (MultiPose)',
    hint: 'Up to 6 people, each followed with a number of their own and given their own class, sent by that number over OSC. Record teaches the most prominent person in view.',
  },
  {
    value: 'hands',
    text: 'Hands: hand shapes (MediaPipe)',
    hint: 'Learns the shape of one or two hands, wherever they are and however near: a fist, an open hand, a thumb up; and hand gestures over time. The hand skeleton shows without training.',
  },
];

export interface TrainingEvents {
  /** The head changed kind: the cards change with it. */
  headChanged(): void;
  /**
   * Learn from other features: the project opens again with that model, its examples recomputed from their
   * pictures (they are kept). Resolves once that is done or failed.
   */
  featuresChanged(choice: FeatureChoice): Promise<void>;
  /** Just before training: stop what would compete with it. */
  beforeTrain(): void;
  /** Training ended well (from this panel): predict, and look under the hood. */
  trained(): void;
}

const progressText = (p: TrainProgress) =>
  `epoch ${p.epoch}/${p.epochs} · loss ${p.loss.toFixed(3)}` +
  (p.accuracy !== undefined ? ` · accuracy ${percent(p.accuracy)}` : '') +
  (p.valAccuracy !== undefined ? ` · validation ${percent(p.valAccuracy)}` : '');

export class TrainingPanel {
  readonly #button: HTMLButtonElement;
  readonly #status: HTMLElement;
  readonly #head: HTMLSelectElement;
  readonly #hint: HTMLElement;
  readonly #features: HTMLSelectElement;
  readonly #mirror: HTMLInputElement;
  readonly #alsoHands: HTMLInputElement;
  readonly #featuresHint: HTMLElement;
  readonly #chart: TrainingChart;
  readonly #settings: HeadSettingsForm;
  #training = false;
  #counts: ExampleCounts = { perLabel: {}, total: 0 };
  /** How many examples there were when the head last trained: others since are unknown to it. */
  #trainedOn: number | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly pipe: Pipeline,
    private readonly notices: Notices,
    private readonly events: TrainingEvents,
    scope: Scope,
  ) {
    this.#head = h(
      'select',
      { 'data-testid': 'head', id: 'head', 'aria-label': 'Model' },
      ...HEADS.map((o) => h('option', { value: o.value }, o.text)),
    );
    this.#hint = h('p', { class: 'hint' });
    this.#features = h(
      'select',
      { 'data-testid': 'features', id: 'features', 'aria-label': 'Features' },
      ...FEATURES.map((o) => h('option', { value: o.value }, o.text)),
    );
    this.#mirror = h('input', { type: 'checkbox', 'data-testid': 'pose-mirror' });
    this.#alsoHands = h('input', { type: 'checkbox', 'data-testid': 'also-hands' });
    this.#featuresHint = h('p', { class: 'hint' });
    this.#button = h('button', { type: 'button', class: 'primary train', 'data-testid': 'train' }, 'Train');
    this.#status = h('p', { class: 'train-status', 'data-testid': 'train-status', id: 'train-status', role: 'status' });
    this.#chart = new TrainingChart();
    this.#settings = new HeadSettingsForm(pipe, notices, scope);
    const mirrorRow = h(
      'label',
      { class: 'check', title: 'Off by default: a dancer’s left and right usually matter.' },
      this.#mirror,
      ' Left and right count as the same (mirror-invariant)',
    );
    const alsoHandsRow = h(
      'label',
      {
        class: 'check',
        title: 'The classes still learn from the features above; the hands go to the outputs as they are.',
      },
      this.#alsoHands,
      ' Also follow hands (MediaPipe), for the outputs',
    );
    root.replaceChildren(
      h('h2', {}, 'Training'),
      h('label', { class: 'head-choice' }, 'Features', this.#features),
      mirrorRow,
      alsoHandsRow,
      this.#featuresHint,
      h('label', { class: 'head-choice' }, 'Model', this.#head),
      this.#hint,
      h('div', { class: 'train-row' }, this.#button, this.#status),
      this.#chart.element,
      this.#settings.element,
    );

    scope.on(this.#head, 'change', () => void this.#changeHead(this.#head.value as HeadKind));
    const now = runningChoice(pipe);
    this.#features.value = now.features;
    this.#mirror.checked = now.mirror;
    this.#alsoHands.checked = now.alsoHands;
    mirrorRow.hidden = !isKeypoints(now.features);
    alsoHandsRow.hidden = now.features === 'hands';
    const tm = pipe.info.teachableMachine;
    if (tm) {
      // The image features are the imported model's base: say which, where MobileNet is named otherwise.
      const image = this.#features.querySelector<HTMLOptionElement>('option[value="image"]')!;
      image.textContent = `Image: Teachable Machine model “${tm.modelName}”`;
      alsoHandsRow.hidden = true; // hands beside it would change the picture it sees
    }
    this.#featuresHint.textContent =
      (tm
        ? `Imported from Teachable Machine (${tm.imageSize}×${tm.imageSize}${tm.grayscale ? ', grey' : ''}): its own classifier answers until you add examples and train one here on its features. `
        : `${FEATURES.find((o) => o.value === now.features)?.hint ?? ''} `) +
      'Switching keeps the examples: they are recomputed from their pictures, then train again.';
    const switchFeatures = () => {
      this.#features.disabled = this.#mirror.disabled = this.#alsoHands.disabled = true;
      const features = this.#features.value as FeatureChoice['features'];
      const choice: FeatureChoice = {
        features,
        mirror: isKeypoints(features) && this.#mirror.checked,
        alsoHands: features !== 'hands' && this.#alsoHands.checked,
      };
      void events.featuresChanged(choice).finally(() => {
        // Still this project's panel (the switch failed): show what it runs.
        this.#features.disabled = this.#mirror.disabled = this.#alsoHands.disabled = false;
        this.#features.value = now.features;
        this.#mirror.checked = now.mirror;
        this.#alsoHands.checked = now.alsoHands;
      });
    };
    scope.on(this.#features, 'change', switchFeatures);
    scope.on(this.#mirror, 'change', switchFeatures);
    scope.on(this.#alsoHands, 'change', switchFeatures);
    scope.on(this.#button, 'click', () => void this.train());
    // From this panel or from a patch (/tw/train): the chart and the line follow every epoch.
    scope.add(
      pipe.training$.subscribe((p) => {
        this.#chart.add(p);
        this.#status.textContent = progressText(p);
        if (p.epoch === p.epochs) this.#trainedOn = this.#counts.total;
      }),
    );
    scope.add(() => this.#chart.close());
    this.#showHead();
    if (pipe.project.trained && tm && pipe.project.examples === 0) {
      this.#done(
        'Trained in Teachable Machine: its own classifier answers. Add examples of every class and train to retrain it here.',
      );
      this.#chart.emptyText = 'Train to see loss and accuracy, epoch by epoch.';
    } else if (pipe.project.trained) {
      this.#done(`Trained on ${pipe.project.examples} examples (kept with the project).`);
      this.#chart.emptyText = 'Train again to see loss and accuracy, epoch by epoch.';
    }
  }

  get training(): boolean {
    return this.#training;
  }

  sync(counts: ExampleCounts): void {
    this.#counts = counts;
    this.#trainedOn ??= counts.total;
    this.#showButton();
  }

  async train(): Promise<void> {
    if (this.#training) return;
    this.#training = true;
    this.#showButton();
    this.events.beforeTrain();
    this.pipe.stop();
    this.#chart.reset();
    this.#status.textContent = 'Training…';
    this.#status.dataset.state = 'training';
    try {
      const report = await this.pipe.train();
      this.#trainedOn = this.#counts.total;
      this.#done(
        (report.head === 'dtw'
          ? `Ready: ${report.examples} templates`
          : `Trained on ${report.examples} examples in ${(report.ms / 1000).toFixed(1)} s`) +
          (report.final?.accuracy !== undefined ? ` · accuracy ${percent(report.final.accuracy)}` : '') +
          (report.final?.valAccuracy !== undefined ? ` · validation ${percent(report.final.valAccuracy)}` : ''),
      );
      this.events.trained();
    } catch (e) {
      this.#status.textContent = 'Training did not run: see the message above.';
      this.#status.dataset.state = 'error';
      this.notices.show(e);
    } finally {
      this.#training = false;
      this.#showButton();
    }
  }

  #done(text: string): void {
    this.#status.textContent = text;
    this.#status.dataset.state = 'trained';
  }

  #showHead(): void {
    const head = this.pipe.settings.head;
    this.#head.value = head;
    this.#hint.textContent = HEADS.find((o) => o.value === head)?.hint ?? '';
    // Gestures have nothing to fit: no loss to chart.
    this.#chart.element.hidden = head === 'dtw';
    this.#settings.show(this.pipe.settings);
    this.#showButton();
  }

  #showButton(): void {
    const head = this.pipe.settings.head;
    const regression = head === 'regression';
    const withExamples = Object.entries(this.#counts.perLabel).filter(([l, n]) => n > 0 && (l !== '') !== regression);
    const declared = Object.keys(this.#counts.perLabel).length;
    const ready =
      head === 'dtw'
        ? withExamples.length > 0 && withExamples.length === declared
        : regression
          ? withExamples.length > 0
          : withExamples.length >= 2;
    this.#button.disabled = this.#training || !ready;
    this.#button.title = ready
      ? ''
      : head === 'dtw'
        ? 'Record one template of each gesture first (hold Record while you perform it).'
        : regression
          ? 'Record some examples first.'
          : 'Give at least two classes some examples first.';
    // kNN and gestures use every example as soon as it is added: nothing goes stale.
    const stale =
      this.pipe.project.trained && head !== 'knn' && head !== 'dtw' && this.#counts.total !== this.#trainedOn;
    this.root.dataset.stale = String(stale);
    if (stale && !this.#training && this.#status.dataset.state === 'trained')
      this.#status.textContent = 'The examples changed since training: press Train to learn them.';
  }

  async #changeHead(head: HeadKind): Promise<void> {
    try {
      await this.pipe.configure({ head });
      this.#trainedOn = this.#counts.total;
      this.#status.textContent = '';
      delete this.#status.dataset.state;
      this.#chart.reset();
      this.events.headChanged();
    } catch (e) {
      this.notices.show(e);
    }
    this.#showHead();
  }
}
