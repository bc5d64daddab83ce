/**
 * The operators between the model and the outputs, set live: smoothing, the "unknown" threshold and
 * hold frames. `operated()` is the stream after them: what the preview's label shows and what every
 * output sends.
 */
import { distinctUntilChanged, map, share, switchMap, type Observable } from 'rxjs';
import type { Prediction } from '../protocol/types';
import { hold, smooth, threshold } from '../streams/operators';
import type { AppSettingsStore, OperatorSettings } from './app-settings';
import { h, type Scope } from './dom';

/** The label `threshold` gives a prediction that is not sure enough. */
export const UNKNOWN = 'unknown';

/** `predictions$` through the operators as `settings$` has them now (re-applied when they change). */
export function operated(
  predictions$: Observable<Prediction>,
  settings$: Observable<OperatorSettings>,
): Observable<Prediction> {
  return settings$.pipe(
    distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
    switchMap((o) =>
      predictions$.pipe(
        smooth(1 - Math.min(0.95, Math.max(0, o.smoothing))),
        threshold(Math.min(1, Math.max(0, o.unknownBelow)), UNKNOWN),
        hold({ frames: Math.max(1, Math.round(o.holdFrames)) }),
      ),
    ),
    share(),
  );
}

interface Control {
  key: keyof OperatorSettings;
  label: string;
  input: HTMLInputElement;
  show(v: number): string;
}

export function operatorControls(root: HTMLElement, store: AppSettingsStore, scope: Scope): void {
  const range = (min: number, max: number, step: number) =>
    h('input', { type: 'range', min, max, step, class: 'operator-range' });
  const controls: Control[] = [
    {
      key: 'smoothing',
      label: 'Smoothing',
      input: range(0, 0.95, 0.05),
      show: (v) => (v === 0 ? 'off' : v.toFixed(2)),
    },
    {
      key: 'unknownBelow',
      label: 'Unknown below',
      input: range(0, 0.95, 0.05),
      show: (v) => (v === 0 ? 'off' : `${Math.round(v * 100)} %`),
    },
    {
      key: 'holdFrames',
      label: 'Hold',
      input: h('input', { type: 'number', min: 1, max: 60, step: 1, class: 'operator-number' }),
      show: (v) => (v <= 1 ? 'off' : `${v} predictions`),
    },
  ];
  const rows = controls.map((c) => {
    const value = h('output', { class: 'operator-value' });
    c.input.setAttribute('aria-label', c.label);
    scope.on(c.input, 'input', () => {
      const v = Number(c.input.value);
      if (!Number.isFinite(v) || (c.key === 'holdFrames' && (v < 1 || !Number.isInteger(v)))) return;
      store.update((s) => ({ ...s, operators: { ...s.operators, [c.key]: v } }));
    });
    scope.add(
      store.changes$.pipe(map((s) => s.operators[c.key])).subscribe((v) => {
        if (document.activeElement !== c.input || c.input.type === 'range') c.input.value = String(v);
        value.textContent = c.show(v);
        c.input.setAttribute('aria-valuetext', c.show(v));
      }),
    );
    return h('label', { class: 'operator' }, h('span', {}, c.label), c.input, value);
  });
  root.replaceChildren(
    h('legend', {}, 'Before the outputs'),
    ...rows,
    h('p', { class: 'hint' }, 'The label after these is what the outputs send.'),
  );
}
