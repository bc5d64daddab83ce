/**
 * Loss and accuracy per epoch while the head trains, drawn by uPlot: loss on the left axis, training
 * and validation accuracy (0–100 %) on the right.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TrainProgress } from '../protocol/engine-api';
import { h } from './dom';

type Series = (number | null)[];

export class TrainingChart {
  readonly element: HTMLElement;
  readonly #plot: uPlot;
  readonly #empty: HTMLElement;
  #data: [number[], Series, Series, Series] = [[], [], [], []];

  constructor() {
    this.#empty = h(
      'figcaption',
      { class: 'chart-empty' },
      'Loss and accuracy appear here, epoch by epoch, while it trains.',
    );
    this.element = h('figure', { class: 'chart', 'data-testid': 'training-chart', 'data-points': 0 }, this.#empty);
    const css = getComputedStyle(document.documentElement);
    const colour = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
    const percent = (_u: uPlot, values: number[]) => values.map((v) => `${Math.round(v * 100)} %`);
    this.#plot = new uPlot(
      {
        width: 320,
        height: 170,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false }, accuracy: { range: [0, 1] } },
        series: [
          { label: 'epoch' },
          { label: 'loss', scale: 'loss', stroke: colour('--chart-loss', '#d0542b'), width: 2 },
          { label: 'accuracy', scale: 'accuracy', stroke: colour('--chart-accuracy', '#1f7a4d'), width: 2 },
          {
            label: 'validation',
            scale: 'accuracy',
            stroke: colour('--chart-validation', '#2a5db0'),
            width: 2,
            dash: [6, 4],
          },
        ],
        axes: [
          { label: 'epoch', size: 36 },
          { scale: 'loss', label: 'loss', size: 44 },
          { scale: 'accuracy', side: 1, grid: { show: false }, values: percent, size: 48 },
        ],
      },
      this.#data,
      this.element,
    );
    new ResizeObserver(([entry]) => {
      const width = Math.floor(entry?.contentRect.width ?? 0);
      if (width > 0 && width !== this.#plot.width) this.#plot.setSize({ width, height: 170 });
    }).observe(this.element);
  }

  /** What the empty chart says (before any training, or of a head trained in an earlier session). */
  set emptyText(text: string) {
    this.#empty.textContent = text;
  }

  /** Epochs plotted so far. */
  get points(): number {
    return this.#data[0].length;
  }

  reset(): void {
    this.#data = [[], [], [], []];
    this.#show();
  }

  add(p: TrainProgress): void {
    // A new run starts again at epoch 1.
    if (p.epoch <= (this.#data[0].at(-1) ?? 0)) this.#data = [[], [], [], []];
    this.#data[0].push(p.epoch);
    this.#data[1].push(p.loss);
    this.#data[2].push(p.accuracy ?? null);
    this.#data[3].push(p.valAccuracy ?? null);
    this.#show();
  }

  #show(): void {
    this.#plot.setData(this.#data);
    this.element.dataset.points = String(this.points);
    this.#empty.hidden = this.points > 0;
  }

  close(): void {
    this.#plot.destroy();
  }
}
