/**
 * A project at scale, through the public API as a user meets it: N examples (5,000 by default) are
 * recorded into a kept project, written to IndexedDB, trained, saved as a file and opened into another
 * project; and, in a new page, the kept project is restored. Times, sizes, the page's heap and how free
 * the main thread stays while training and opening. No DOM here beyond the source the caller passes.
 */
import { createPipeline, type Pipeline } from '../streams/pipeline';
import { deleteProject } from '../streams/projects';
import type { ImageInput } from '../streams/sources/picture';
import type { Milliseconds } from '../protocol/units';
import { heapMb as heapAfterCollection } from './heap';
import { watchMainThread } from './main-thread-monitor';
import type { ProjectRestoreRun, ProjectScaleRun, ScaleMainThread } from './types';

export interface ProjectScaleOptions {
  /** Examples in all, spread evenly over the classes. @default 5000 */
  examples?: number;
  /** @default 5 */
  classes?: number;
  /** The kept project's name (IndexedDB); the opened file goes to `<project>-opened`. @default 'bench-scale' */
  project?: string;
  /** Examples in flight at once: the main thread makes the next bitmaps while the worker embeds. @default 5 */
  inFlight?: number;
  /** Progress lines for the user. */
  log?: (line: string) => void;
}

const MB = 2 ** 20;
/** The heap after two collections: what the first one finalised goes in the second (one left ±1 MB of noise). */
const heapMb = () => (heapAfterCollection(), heapAfterCollection());

/** What this site stores (IndexedDB, caches) in MB, as the browser estimates it; null where it does not tell. */
export async function storageMb(): Promise<number | null> {
  const estimate = await globalThis.navigator?.storage?.estimate?.();
  return estimate?.usage === undefined ? null : estimate.usage / MB;
}

/**
 * `watchMainThread`, plus the longest task and the tasks over 100 ms: a user notices a freeze of 100 ms,
 * so those are counted apart from the 50 ms long tasks.
 */
export function watchScale(): { stop(): ScaleMainThread } {
  const watch = watchMainThread();
  let longestTaskMs = 0;
  let over100 = 0;
  const seen = (entries: PerformanceEntryList) => {
    for (const e of entries) {
      longestTaskMs = Math.max(longestTaskMs, e.duration);
      if (e.duration > 100) over100 += 1;
    }
  };
  const supported = PerformanceObserver.supportedEntryTypes?.includes('longtask') ?? false;
  const observer = supported ? new PerformanceObserver((list) => seen(list.getEntries())) : null;
  observer?.observe({ type: 'longtask' });
  return {
    stop() {
      if (observer) {
        seen(observer.takeRecords());
        observer.disconnect();
      }
      const { longTasks, maxFrameGapMs } = watch.stop();
      return { longTasks, longestTaskMs, tasksOver100Ms: over100, maxFrameGapMs };
    },
  };
}

/** How long each phase lasted, from its first progress event to the next phase's (or `end`). */
function phaseDurations(starts: Map<string, Milliseconds>, end: Milliseconds): Record<string, Milliseconds> {
  const list = [...starts];
  return Object.fromEntries(list.map(([phase, t], i) => [phase, (list[i + 1]?.[1] ?? end) - t]));
}

/** Runs `work` with the main thread watched. */
async function watched<T>(work: () => Promise<T>): Promise<{ value: T; ms: Milliseconds; main: ScaleMainThread }> {
  const watch = watchScale();
  const t0 = performance.now();
  try {
    const value = await work();
    return { value, ms: performance.now() - t0, main: watch.stop() };
  } catch (e) {
    watch.stop();
    throw e;
  }
}

/**
 * Adds `perClass` examples to each label from `source`, one class after the other as a user records
 * them, `inFlight` at a time.
 */
async function addAll(pipe: Pipeline, source: ImageInput, labels: string[], perClass: number, inFlight: number) {
  const order = labels.flatMap((label) => Array<string>(perClass).fill(label));
  const start = performance.now();
  const landed: Milliseconds[] = [];
  let next = 0;
  const lane = async () => {
    while (next < order.length) {
      await pipe.addExample(order[next++]!, source);
      landed.push(performance.now());
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, inFlight) }, lane));
  // The rate of the first and the last tenth: work that grows with the examples held shows as a gap.
  const tenth = Math.max(1, Math.floor(landed.length / 10));
  const rate = (n: number, ms: number) => (ms > 0 ? (n / ms) * 1000 : 0);
  return {
    added: order.length,
    firstTenth: rate(tenth, landed[tenth - 1]! - start),
    lastTenth: rate(tenth, landed.at(-1)! - landed[landed.length - 1 - tenth]!),
  };
}

/**
 * Records, persists, trains, saves and opens a project of `examples` examples (wasm, dense head,
 * default training). The kept project stays for `measureProjectRestore` in another page.
 * @example const run = await measureProjectScale(video, { examples: 5000, classes: 5, log })
 */
export async function measureProjectScale(source: ImageInput, o: ProjectScaleOptions = {}): Promise<ProjectScaleRun> {
  const { examples = 5000, classes = 5, project = 'bench-scale', inFlight = 5 } = o;
  const log = o.log ?? (() => {});
  const perClass = Math.ceil(examples / classes);
  const labels = Array.from({ length: classes }, (_, i) => `class ${i + 1}`);
  const opened = `${project}-opened`;
  for (const name of [project, opened]) await deleteProject(name); // a run before this one left them

  const heapMbBefore = heapMb();
  const storageBefore = await storageMb();
  const pipe = await createPipeline({ backend: 'wasm', head: 'dense', rememberBackend: false, project });
  let first: Pipeline | null = pipe;
  let second: Pipeline | null = null;
  try {
    for (const label of labels) await pipe.addLabel(label);
    log(`project: adding ${perClass * classes} examples (${classes} × ${perClass})`);
    const add = await watched(() => addAll(pipe, source, labels, perClass, inFlight));
    const persist = await watched(() => pipe.flush());
    const storageAfterRecord = await storageMb();
    const heapMbRecorded = heapMb();

    log(`project: training (dense, ${pipe.settings.train.epochs} epochs) on ${add.value.added} examples`);
    let progress = 0;
    const sub = pipe.training$.subscribe(() => (progress += 1));
    const train = await watched(() => pipe.train()).finally(() => sub.unsubscribe());
    await pipe.flush(); // the trained head, before the project is read again

    log('project: saving to a file');
    const save = await watched(() => pipe.saveProject());
    await pipe.close(); // one project's worker at a time, as a user switching projects has
    first = null;

    log(`project: opening the ${(save.value.size / MB).toFixed(1)} MB file into a fresh project`);
    second = await createPipeline({ backend: 'wasm', head: 'dense', rememberBackend: false, project: opened });
    const phaseStarts = new Map<string, Milliseconds>();
    const file = save.value;
    const open = await watched(() =>
      second!.openProject(file, {
        onProgress: (p) => void (phaseStarts.has(p.phase) || phaseStarts.set(p.phase, performance.now())),
      }),
    );
    const openEnd = performance.now();
    const prediction = await second.classify(source);
    const storageAfterOpen = await storageMb();
    const heapMbAfter = heapMb();
    return {
      backend: 'wasm',
      examples: add.value.added,
      classes,
      addMs: add.ms,
      addPerSecond: (add.value.added / add.ms) * 1000,
      addPerSecondFirstTenth: add.value.firstTenth,
      addPerSecondLastTenth: add.value.lastTenth,
      persistMs: persist.ms,
      trainMs: train.ms,
      epochs: train.value.epochs,
      trainProgressEvents: progress,
      finalAccuracy: train.value.final?.accuracy ?? null,
      saveMs: save.ms,
      fileMb: file.size / MB,
      openMs: open.ms,
      openedExamples: open.value.examples,
      openPhaseMs: phaseDurations(phaseStarts, openEnd),
      predictsAfterOpen: labels.includes(prediction.label),
      storageMb: { before: storageBefore, afterRecord: storageAfterRecord, afterOpen: storageAfterOpen },
      mainThread: { add: add.main, persist: persist.main, train: train.main, save: save.main, open: open.main },
      heapMb: { before: heapMbBefore, recorded: heapMbRecorded, after: heapMbAfter },
    };
  } finally {
    await first?.close();
    await second?.close();
    await deleteProject(opened).catch(() => {});
  }
}

/**
 * A new page restores the kept project: `createPipeline({ project })` until ready (model from the
 * cache, worker start, every example read from IndexedDB), then one prediction. Deletes it afterwards
 * unless `keep`.
 * @example const run = await measureProjectRestore(video, 'bench-scale')
 */
export async function measureProjectRestore(
  source: ImageInput,
  project = 'bench-scale',
  keep = false,
): Promise<ProjectRestoreRun> {
  const heapMbBefore = heapMb();
  const ready = await watched(() => createPipeline({ backend: 'wasm', rememberBackend: false, project }));
  const pipe = ready.value;
  try {
    const t0 = performance.now();
    const prediction = await pipe.classify(source);
    return {
      readyMs: ready.ms,
      examples: pipe.project.examples,
      restored: pipe.project.restored,
      trained: pipe.project.trained,
      firstPredictionMs: performance.now() - t0,
      predicts: prediction.label !== '',
      mainThread: ready.main,
      heapMb: { before: heapMbBefore, after: heapMb() },
    };
  } finally {
    await pipe.close();
    if (!keep) await deleteProject(project).catch(() => {});
  }
}
