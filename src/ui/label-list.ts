/**
 * The label rows: name, example count, a hold-to-record button, a live confidence bar, and clear.
 */
import type { ExampleCounts } from '../protocol/types';

export interface LabelListEvents {
  /** Pointer went down on a label's record button. */
  recordStart(label: string): void;
  /** Pointer went up or left the button. */
  recordStop(label: string): void;
  clear(label: string): void;
}

export class LabelList {
  #rows = new Map<string, { count: HTMLElement; bar: HTMLElement; record: HTMLButtonElement }>();

  constructor(
    private readonly list: HTMLUListElement,
    private readonly events: LabelListEvents,
  ) {}

  get labels(): string[] {
    return [...this.#rows.keys()];
  }

  add(label: string): void {
    if (this.#rows.has(label)) return;
    const li = document.createElement('li');
    li.dataset.label = label;
    const name = document.createElement('strong');
    name.textContent = label;
    const count = document.createElement('span');
    count.dataset.testid = 'count';
    count.textContent = '0';
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.append(document.createElement('span'));
    bar.dataset.testid = 'confidence';
    const record = document.createElement('button');
    record.className = 'record';
    record.textContent = 'Hold to record';
    record.dataset.testid = 'record';
    const clear = document.createElement('button');
    clear.textContent = 'Clear';
    clear.dataset.testid = 'clear';
    let holding = false;
    const stop = () => {
      if (!holding) return;
      holding = false;
      record.classList.remove('active');
      this.events.recordStop(label);
    };
    record.addEventListener('pointerdown', (e) => {
      record.setPointerCapture?.(e.pointerId);
      holding = true;
      record.classList.add('active');
      this.events.recordStart(label);
    });
    record.addEventListener('pointerup', stop);
    record.addEventListener('pointercancel', stop);
    record.addEventListener('lostpointercapture', stop);
    clear.addEventListener('click', () => this.events.clear(label));
    li.append(name, count, bar, record, clear);
    this.list.append(li);
    this.#rows.set(label, { count, bar, record });
  }

  showCounts(counts: ExampleCounts): void {
    for (const [label, row] of this.#rows) row.count.textContent = String(counts.perLabel[label] ?? 0);
  }

  showConfidences(confidences: Record<string, number>): void {
    for (const [label, row] of this.#rows) {
      const c = confidences[label] ?? 0;
      (row.bar.firstElementChild as HTMLElement).style.width = `${(c * 100).toFixed(1)}%`;
      row.bar.title = `${label}: ${(c * 100).toFixed(0)} %`;
    }
  }
}
