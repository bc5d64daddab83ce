/**
 * The operators between the model and the outputs, set live: smoothing, the "unknown" threshold and
 * hold frames — and for poses the One Euro filter on the keypoints. `operated()` is the stream after them:
 * what the preview shows (label, skeleton) and what every output sends.
 */
import { connect, distinctUntilChanged, filter, map, merge, share, switchMap, type Observable } from 'rxjs';
import type { Prediction } from '../protocol/engine-api';
import { hold, oneEuro, smooth, threshold } from '../streams/operators';
import type { AppSettings, AppSettingsStore, OperatorSettings } from './app-settings';
import { h, type Scope } from './dom';

/** The label `threshold` gives a prediction that is not sure enough. */
export const UNKNOWN = 'unknown';

/**
 * Predictions the label operators must leave alone: a gesture head's (its label is the gesture under way,
 * not a class to smooth), nobody in view (its confidences are all 0: smoothing would crown the first class),
 * and a pose before training (no classes).
 */
const asIs = (p: Prediction) =>
  p.gesture !== undefined ||
  p.pose?.noPerson === true ||
  (p.values === undefined && !Object.keys(p.confidences).length);

/**
 * `predictions$` through the operators as `settings$` has them now (re-applied when they change): One Euro on
 * the keypoints first (when on), then smoothing, "unknown" and hold on the label.
 */
export function operated(
  predictions$: Observable<Prediction>,
  settings$: Observable<Pick<AppSettings, 'operators' | 'pose'>>,
): Observable<Prediction> {
  return settings$.pipe(
    map(({ operators, pose }) => ({ operators, pose })),
    distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
    switchMap(({ operators: o, pose }) =>
      (pose.oneEuro ? predictions$.pipe(oneEuro({ minCutoff: pose.minCutoff, beta: pose.beta })) : predictions$).pipe(
        // One stream in, in order out: each prediction takes one of the two branches, synchronously.
        connect((each) =>
          merge(
            each.pipe(filter(asIs)),
            each.pipe(
              filter((p) => !asIs(p)),
              smooth(1 - Math.min(0.95, Math.max(0, o.smoothing))),
              threshold(Math.min(1, Math.max(0, o.unknownBelow)), UNKNOWN),
              hold({ frames: Math.max(1, Math.round(o.holdFrames)) }),
            ),
          ),
        ),
      ),
    ),
    share(),
  );
}

interface Control {
  /** Where its value lives in the settings. */
  read(s: AppSettings): number;
  write(s: AppSettings, v: number): AppSettings;
  label: string;
  input: HTMLInputElement;
  show(v: number): string;
  /** Which projects use it. */
  for: 'labels' | 'pose';
  valid?(v: number): boolean;
}

/** What the open project predicts, for which controls apply. */
export interface OperatorMode {
  /** Pose features: the keypoint smoothing applies. */
  pose: boolean;
  /** Gestures: smoothing, "unknown" and hold do not (gestures are events, not a label to steady). */
  gestures: boolean;
}

/** The controls; the returned function shows those `mode` uses (call it again when the head changes). */
export function operatorControls(
  root: HTMLElement,
  store: AppSettingsStore,
  scope: Scope,
): (mode: OperatorMode) => void {
  const range = (min: number, max: number, step: number) =>
    h('input', { type: 'range', min, max, step, class: 'operator-range' });
  const operator = (key: keyof OperatorSettings) => ({
    read: (s: AppSettings) => s.operators[key],
    write: (s: AppSettings, v: number) => ({ ...s, operators: { ...s.operators, [key]: v } }),
  });
  const pose = (key: 'minCutoff' | 'beta') => ({
    read: (s: AppSettings) => s.pose[key],
    write: (s: AppSettings, v: number) => ({ ...s, pose: { ...s.pose, [key]: v } }),
  });
  const controls: Control[] = [
    {
      ...operator('smoothing'),
      label: 'Smoothing',
      input: range(0, 0.95, 0.05),
      show: (v) => (v === 0 ? 'off' : v.toFixed(2)),
      for: 'labels',
    },
    {
      ...operator('unknownBelow'),
      label: 'Unknown below',
      input: range(0, 0.95, 0.05),
      show: (v) => (v === 0 ? 'off' : `${Math.round(v * 100)} %`),
      for: 'labels',
    },
    {
      ...operator('holdFrames'),
      label: 'Hold',
      input: h('input', { type: 'number', min: 1, max: 60, step: 1, class: 'operator-number' }),
      show: (v) => (v <= 1 ? 'off' : `${v} predictions`),
      for: 'labels',
      valid: (v) => v >= 1 && Number.isInteger(v),
    },
    {
      ...pose('minCutoff'),
      label: 'Steadiness (min cut-off)',
      input: range(0.05, 5, 0.05),
      show: (v) => `${v.toFixed(2)} Hz`,
      for: 'pose',
      valid: (v) => v > 0,
    },
    {
      ...pose('beta'),
      label: 'Follow fast moves (beta)',
      input: range(0, 20, 0.5),
      show: (v) => v.toFixed(1),
      for: 'pose',
      valid: (v) => v >= 0,
    },
  ];
  const rows = controls.map((c) => {
    const value = h('output', { class: 'operator-value' });
    c.input.setAttribute('aria-label', c.label);
    scope.on(c.input, 'input', () => {
      const v = Number(c.input.value);
      if (!Number.isFinite(v) || (c.valid && !c.valid(v))) return;
      store.update((s) => c.write(s, v));
    });
    scope.add(
      store.changes$.pipe(map((s) => c.read(s))).subscribe((v) => {
        if (document.activeElement !== c.input || c.input.type === 'range') c.input.value = String(v);
        value.textContent = c.show(v);
        c.input.setAttribute('aria-valuetext', c.show(v));
      }),
    );
    return { control: c, row: h('label', { class: 'operator' }, h('span', {}, c.label), c.input, value) };
  });

  // The keypoints' One Euro filter: on by default, its two parameters beneath it.
  const euro = h('input', { type: 'checkbox', 'aria-label': 'Smooth the keypoints (One Euro filter)' });
  scope.on(euro, 'change', () => store.update((s) => ({ ...s, pose: { ...s.pose, oneEuro: euro.checked } })));
  const euroRow = h('label', { class: 'operator-check' }, euro, ' Smooth the keypoints (One Euro filter)');
  const poseRows = rows.filter((r) => r.control.for === 'pose');
  scope.add(
    store.changes$.pipe(map((s) => s.pose.oneEuro)).subscribe((on) => {
      euro.checked = on;
      for (const r of poseRows) r.control.input.disabled = !on;
    }),
  );
  const labelsHint = h('p', { class: 'hint' }, 'The label after these is what the outputs send.');
  const poseHint = h(
    'p',
    { class: 'hint' },
    'Keypoints are steadied before the skeleton and the pose OSC: lower steadiness for less jitter, higher "follow" for less lag on fast moves.',
  );
  const gesturesHint = h(
    'p',
    { class: 'hint' },
    'Gestures are events: smoothing, "unknown" and hold do not apply. Each one recognised is sent at once.',
  );
  root.replaceChildren(
    h('legend', {}, 'Before the outputs'),
    ...rows.filter((r) => r.control.for === 'labels').map((r) => r.row),
    labelsHint,
    gesturesHint,
    euroRow,
    ...poseRows.map((r) => r.row),
    poseHint,
  );
  return (mode) => {
    for (const r of rows) if (r.control.for === 'labels') r.row.hidden = mode.gestures;
    labelsHint.hidden = mode.gestures;
    gesturesHint.hidden = !mode.gestures;
    for (const el of [euroRow, poseHint, ...poseRows.map((r) => r.row)]) el.hidden = !mode.pose;
  };
}
