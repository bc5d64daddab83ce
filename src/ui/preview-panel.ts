/**
 * The preview: the camera (mirrored if asked, which only changes how it looks), the centre square the
 * model gets (image features) or the skeleton it found (pose features: the whole picture), the label after
 * the operators (what the outputs send), a bar per class (or output), and the last gesture recognised.
 */
import type { Observable } from 'rxjs';
import type { GestureEvent, Prediction } from '../protocol/engine-api';
import { isKeypoints, seesHands } from '../protocol/engine-options';
import type { Pipeline } from '../streams/pipeline';
import type { AppSettingsStore } from './app-settings';
import { byId, h, perFrame, type Scope } from './dom';
import { UNKNOWN } from './operator-controls';
import { skeletonView } from './skeleton';

/** Places the square the model sees over the video, once its size is known (app-wide, not per project). */
export function cropOverlay(video: HTMLVideoElement, stage: HTMLElement, crop: HTMLElement): void {
  const place = () => {
    const { videoWidth: w, videoHeight: h } = video;
    if (!w || !h) return;
    stage.style.aspectRatio = `${w} / ${h}`;
    const side = Math.min(w, h);
    crop.style.width = `${(side / w) * 100}%`;
    crop.style.height = `${(side / h) * 100}%`;
    crop.style.left = `${((w - side) / 2 / w) * 100}%`;
    crop.style.top = `${((h - side) / 2 / h) * 100}%`;
    crop.hidden = false;
  };
  video.addEventListener('loadedmetadata', place);
  video.addEventListener('resize', place);
  place();
}

export interface PreviewOptions {
  pipe: Pipeline;
  settings: AppSettingsStore;
  operated$: Observable<Prediction>;
  /** Starts predicting (from the preview's button). */
  start: () => void;
}

/** "wave · distance 0.06 · 3 s ago" */
export function gestureText(g: GestureEvent, now: number): string {
  const ago = Math.max(0, (now - g.t) / 1000);
  return `${g.name} · distance ${g.distance.toFixed(3)} · ${ago < 1 ? 'just now' : `${ago.toFixed(0)} s ago`}`;
}

export function previewPanel({ pipe, settings, operated$, start }: PreviewOptions, scope: Scope): void {
  const mirror = byId<HTMLInputElement>('mirror');
  const stage = byId('stage');
  const label = byId('prediction');
  const bars = byId('bars');
  const run = byId<HTMLButtonElement>('run');
  const pose = isKeypoints(pipe.info.features) || seesHands(pipe.info);
  // The model sees the centre square (image) or the whole picture (keypoints, and hands beside image features):
  // the crop mark shows only where it is the centre square.
  stage.dataset.features = pipe.info.features;
  stage.dataset.fit = pipe.info.frame.fit;
  const skeleton = skeletonView(byId<HTMLCanvasElement>('skeleton'), byId('nobody'), byId<HTMLVideoElement>('preview'));
  skeleton.clear();
  scope.add(() => skeleton.clear());

  // Gestures: the last one recognised, how close, and how long ago (kept fresh while shown).
  const lastGesture = byId('gesture-last');
  const lastText = byId('gesture-last-text');
  let last: GestureEvent | null = null;
  const showLast = () => {
    lastGesture.hidden = pipe.settings.head !== 'dtw';
    lastText.textContent = last ? gestureText(last, performance.now()) : 'none yet: perform one of your gestures';
    if (last) {
      lastGesture.dataset.name = last.name;
      lastGesture.dataset.distance = String(last.distance);
    } else {
      delete lastGesture.dataset.name;
      delete lastGesture.dataset.distance;
    }
  };
  showLast();
  const ticking = setInterval(showLast, 1000);
  scope.add(() => clearInterval(ticking));

  scope.add(
    settings.changes$.subscribe((s) => {
      mirror.checked = s.mirror;
      stage.classList.toggle('mirrored', s.mirror);
      document.body.classList.toggle('mirrored', s.mirror);
    }),
  );
  scope.on(mirror, 'change', () => settings.update((s) => ({ ...s, mirror: mirror.checked })));

  label.textContent = '—';
  delete label.dataset.label;
  bars.replaceChildren();
  let shownKeys = '';
  const rows = new Map<string, { fill: HTMLElement; value: HTMLElement }>();
  let latest: Prediction | null = null;
  const drawBars = perFrame(() => {
    const p = latest;
    if (!p) return;
    const scores = p.values ?? p.confidences;
    const keys = Object.keys(scores);
    if (keys.join('\n') !== shownKeys) {
      shownKeys = keys.join('\n');
      rows.clear();
      bars.replaceChildren(
        ...keys.map((key) => {
          const fill = h('span', { class: 'fill' });
          const value = h('span', { class: 'bar-value' });
          rows.set(key, { fill, value });
          return h(
            'li',
            { 'data-label': key },
            h('span', { class: 'bar-name' }, key),
            h('span', { class: 'bar' }, fill),
            value,
          );
        }),
      );
    }
    const threshold = settings.value.operators.unknownBelow;
    bars.style.setProperty('--threshold', p.values ? '0' : String(threshold));
    for (const [key, row] of rows) {
      const v = scores[key] ?? 0;
      row.fill.style.width = `${(v * 100).toFixed(1)}%`;
      row.value.textContent = p.values ? v.toFixed(2) : `${Math.round(v * 100)} %`;
      row.fill.parentElement!.parentElement!.classList.toggle('winner', key === p.label);
    }
  });
  scope.add(
    operated$.subscribe((p) => {
      latest = p;
      if (pose) skeleton.show(p.pose ?? null, p.people, p.hands);
      if (p.gesture?.match) {
        last = p.gesture.match;
        showLast();
        lastGesture.classList.remove('flash');
        void lastGesture.offsetWidth; // restart the animation
        lastGesture.classList.add('flash');
      }
      const text = p.values
        ? Object.entries(p.values)
            .map(([k, v]) => `${k} ${v.toFixed(2)}`)
            .join(' · ')
        : p.label || '—';
      if (label.textContent !== text) label.textContent = text;
      label.dataset.label = p.label;
      label.dataset.t = String(p.t); // the frame's capture time, for tests and debugging
      label.classList.toggle('unknown', p.label === UNKNOWN);
      drawBars();
    }),
  );

  const showRun = () => {
    const on = pipe.running;
    if (!on && pose) skeleton.show(null);
    run.textContent = on ? 'Stop predicting' : 'Start predicting';
    run.dataset.running = String(on);
    run.disabled = !on && !pipe.project.trained;
    run.title = run.disabled ? 'Train first.' : '';
  };
  scope.on(run, 'click', () => {
    if (pipe.running) pipe.stop();
    else start();
    showRun();
  });
  // Running also changes from a patch (/tw/run) and after training: look twice a second.
  const timer = setInterval(showRun, 500);
  scope.add(() => clearInterval(timer));
  showRun();
}
