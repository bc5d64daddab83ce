/**
 * The minimal app: pick a source, add labels, hold to record, train, watch the confidences.
 * Backend and head are page settings (?backend=wasm&head=knn) because the worker starts with them.
 */
import {
  CameraError,
  closeCamera,
  createPipeline,
  listCameras,
  openCamera,
  openVideo,
  type Pipeline,
  type Recording,
} from '../index';
import type { BackendChoice, HeadKind } from '../protocol/types';
import { LabelList } from './label-list';
import { outputsPanel } from './outputs-panel';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLParagraphElement>('status');
const progress = $<HTMLProgressElement>('load-progress');
const metricsText = $<HTMLParagraphElement>('metrics');
const errorBox = $<HTMLParagraphElement>('error');
const preview = $<HTMLVideoElement>('preview');
const sourceKind = $<HTMLSelectElement>('source-kind');
const cameraSelect = $<HTMLSelectElement>('camera-device');
const fileInput = $<HTMLInputElement>('video-file');
const trainButton = $<HTMLButtonElement>('train');
const runButton = $<HTMLButtonElement>('run');
const trainStatus = $<HTMLSpanElement>('train-status');
const predictionText = $<HTMLParagraphElement>('prediction');

const params = new URLSearchParams(location.search);
const backend = (params.get('backend') ?? 'auto') as BackendChoice;
const head = (params.get('head') ?? 'dense') as HeadKind;

function showError(e: unknown): void {
  errorBox.hidden = false;
  errorBox.textContent = e instanceof Error ? e.message : String(e);
}

function setting(select: HTMLSelectElement, name: string, value: string): void {
  select.value = value;
  select.addEventListener('change', () => {
    params.set(name, select.value);
    location.search = params.toString();
  });
}
setting($<HTMLSelectElement>('backend'), 'backend', backend);
setting($<HTMLSelectElement>('head'), 'head', head);

async function useCamera(deviceId?: string): Promise<void> {
  closeCamera(preview);
  try {
    await openCamera({ video: preview, ...(deviceId ? { deviceId } : {}) });
    errorBox.hidden = true;
    const cameras = await listCameras();
    cameraSelect.replaceChildren(
      ...cameras.map((c, i) => new Option(c.label || `Camera ${i + 1}`, c.deviceId, false, c.deviceId === deviceId)),
    );
  } catch (e) {
    showError(e);
    if (e instanceof CameraError) {
      sourceKind.value = 'file';
      fileInput.hidden = false;
    }
  }
}

sourceKind.addEventListener('change', () => {
  fileInput.hidden = sourceKind.value !== 'file';
  cameraSelect.hidden = sourceKind.value !== 'camera';
  if (sourceKind.value === 'camera') void useCamera();
});
cameraSelect.addEventListener('change', () => void useCamera(cameraSelect.value));
fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  if (!file) return;
  closeCamera(preview);
  openVideo(file, { video: preview }).then(() => (errorBox.hidden = true), showError);
});

async function main(): Promise<void> {
  const cameraReady = useCamera();
  let pipe: Pipeline;
  try {
    pipe = await createPipeline({
      backend,
      head,
      onProgress: (p) => {
        progress.value = p.fraction;
        status.textContent =
          p.phase === 'ready' ? 'Model loaded; choosing the backend…' : `Loading the model (${p.phase})…`;
      },
    });
  } catch (e) {
    status.textContent = 'The model could not start.';
    showError(e);
    return;
  }
  await cameraReady;
  progress.hidden = true;
  status.textContent = `Backend: ${pipe.info.backend.backend} — ${pipe.info.backend.reason}`;
  status.dataset.backend = pipe.info.backend.backend;
  if (pipe.info.warnings.length) showError(pipe.info.warnings.join(' '));

  const recordings = new Map<string, Recording>();
  const labels = new LabelList($<HTMLUListElement>('labels'), {
    recordStart(label) {
      if (!preview.srcObject && !preview.src) return showError('Choose a camera or a video file first.');
      recordings.set(label, pipe.record(label, preview));
    },
    recordStop(label) {
      void recordings.get(label)?.stop();
      recordings.delete(label);
    },
    clear: (label) => void pipe.clearLabel(label).catch(showError),
  });

  $<HTMLFormElement>('add-label').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $<HTMLInputElement>('new-label');
    const label = input.value.trim();
    if (!label) return showError('Type a name for the label first, such as "ukulele".');
    labels.add(label);
    input.value = '';
  });

  pipe.counts$.subscribe((counts) => {
    for (const label of Object.keys(counts.perLabel)) labels.add(label); // labels recorded from a patch, too
    labels.showCounts(counts);
    trainButton.disabled = Object.values(counts.perLabel).filter((n) => n > 0).length < 2;
  });
  pipe.training$.subscribe((p) => {
    trainStatus.textContent = `epoch ${p.epoch}/${p.epochs} · loss ${p.loss.toFixed(3)}${p.accuracy !== undefined ? ` · accuracy ${(p.accuracy * 100).toFixed(0)} %` : ''}`;
  });
  pipe.predictions$.subscribe((p) => {
    predictionText.textContent = p.label;
    predictionText.dataset.label = p.label;
    predictionText.dataset.t = String(p.t); // the frame's capture time, for tests and debugging
    labels.showConfidences(p.confidences);
  });
  pipe.metrics$.subscribe((m) => {
    metricsText.textContent =
      `${m.inputFps.toFixed(0)} fps in · ${m.predictionsPerSecond.toFixed(1)} predictions/s · ` +
      `latency p50 ${m.latencyMs.p50.toFixed(0)} ms, p95 ${m.latencyMs.p95.toFixed(0)} ms · ${m.droppedFrames} dropped · ${m.backend} · ${m.tensors} tensors`;
  });
  pipe.errors$.subscribe(showError);

  const setRunning = (on: boolean) => {
    if (on) pipe.start(preview);
    else pipe.stop();
    runButton.textContent = on ? 'Stop' : 'Run';
  };
  const train = async () => {
    trainButton.disabled = true;
    setRunning(false);
    trainStatus.textContent = 'training…';
    try {
      const report = await pipe.train();
      trainStatus.textContent = `trained on ${report.examples} examples in ${(report.ms / 1000).toFixed(1)} s`;
      trainStatus.dataset.state = 'trained';
      runButton.disabled = false;
      setRunning(true);
    } catch (e) {
      showError(e);
    } finally {
      trainButton.disabled = false;
    }
  };
  trainButton.addEventListener('click', () => void train());
  runButton.addEventListener('click', () => setRunning(!pipe.running));
  outputsPanel(pipe, preview, showError);
  void import('./benchmark-panel').then(({ benchmarkPanel }) =>
    benchmarkPanel(preview, { beforeRun: () => setRunning(false), onError: showError }),
  );
  document.body.dataset.ready = 'true';
}

void main();
