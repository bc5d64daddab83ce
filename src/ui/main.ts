/**
 * The studio: teach the webcam, watch it predict, send the predictions on. The app always has a project
 * open (the last one used, remembered in this browser; "My project" at first), and everything in it is
 * kept as it changes. Backend, head and features can be set in the address for the first project:
 * ?backend=wasm&head=knn&features=pose. A show starts itself with ?project=<name>&run=1: that project,
 * predicting with no click, the camera tried again until one answers. `npx trainwhistle --project <file> --run`
 * adds &projectFile=<url>&v=<version>: the show's own file, so a browser that has never seen it opens it too.
 */
import type { ModelReport } from '../protocol/engine-api';
import { isKeypoints, type BackendChoice, type HeadKind } from '../protocol/engine-options';
import { listProjects } from '../streams/projects';
import { byId } from './dom';
import { IMAGE_FEATURES, choiceFromParam, fileChoice, sameChoice, storedChoice, type FeatureChoice } from './features';
import { Notices } from './notices';
import { cropOverlay } from './preview-panel';
import { ProjectMenu } from './project-menu';
import { openSession, type Session, type SessionContext } from './session';
import { sourcePanel } from './source-panel';

const CURRENT = 'trainwhistle.project';
const FIRST_PROJECT = 'My project';

const status = byId<HTMLParagraphElement>('status');
const progress = byId<HTMLProgressElement>('load-progress');
const video = byId<HTMLVideoElement>('preview');
const notices = new Notices(byId('error'));

const params = new URLSearchParams(location.search);
const backend = (params.get('backend') ?? 'auto') as BackendChoice;
const backendPicker = byId<HTMLSelectElement>('backend');
backendPicker.value = backend;
// The worker starts with its backend: another one means another start of the page.
backendPicker.addEventListener('change', () => {
  params.set('backend', backendPicker.value);
  location.search = params.toString();
});
const head = params.get('head') as HeadKind | null;
/** ?features=pose: for the first project opened, over its own. */
let askedFeatures = choiceFromParam(params.get('features'));
/** ?project=<name>: the project to open first (a kept one, or a new one of that name), over the last one used. */
const askedProject = params.get('project');
/** ?projectFile=<url>: a project file to open as `askedProject`; &v=<version> says which version of the file it is. */
const askedFile = params.get('projectFile');
/** ?run=1: a show that starts itself: predicting as soon as the project is open, and no camera is given up on. */
const autorun = params.get('run') === '1';

const source = sourcePanel(video, notices, { keepTrying: autorun });
cropOverlay(video, byId('stage'), byId('crop'));

const context: SessionContext = {
  video,
  source,
  notices,
  backend,
  ...(head ? { head } : {}),
  onProgress: (p) => {
    progress.hidden = false;
    progress.value = p.fraction;
    status.textContent =
      p.phase === 'ready'
        ? 'Model loaded; choosing the backend…'
        : p.phase === 'read' || p.phase === 'decode' || p.phase === 'store' || p.phase === 'reembed'
          ? `Opening the project (${p.phase})…`
          : `Loading the model (${p.phase})…`;
  },
  switchFeatures: (choice) => switchFeatures(choice),
};

let session: Session | null = null;

/** Where the model's weights came from, as the status line says it (the URL is its tooltip). */
function weightsFrom({ source, url }: ModelReport): string {
  if (source === 'cache') return "this browser's cache";
  if (source === 'remote') return 'the official URL';
  // 'local' is also a model given as files (a Teachable Machine export), whose url names it.
  return /^https?:/.test(url) ? 'served with the studio' : url;
}

/** With no project open (the one asked for is open in another tab), the studio says what to do. */
function noProject(why: string): void {
  status.textContent = `${why} Close it there, or open or start another project here.`;
  document.body.dataset.session = 'none';
  byId('cards').replaceChildren(
    Object.assign(document.createElement('p'), {
      className: 'empty',
      textContent: 'No project is open here. Pick one from the Project menu, or press New project.',
    }),
  );
}

/** Replaces the open session with `next` (the previous one is closed first, so its view goes). */
async function show(next: Session): Promise<void> {
  const previous = session;
  session = next;
  await previous?.close();
  next.mount();
  delete document.body.dataset.session;
  localStorage.setItem(CURRENT, next.name);
  progress.hidden = true;
  const { backend: report, model } = next.pipe.info;
  status.textContent = `Backend: ${report.backend} · weights: ${weightsFrom(model)} — ${report.reason}`;
  status.title = `${status.textContent}\nWeights: ${model.url}`;
  status.dataset.backend = report.backend;
  document.title = `${next.name} · trainwhistle`;
  menu.show();
  document.body.dataset.ready = 'true';
}

/**
 * The features to open `name` with: those asked for, else a file's own, else the kept project's, else (a new
 * project) those of the project open now.
 */
async function featuresFor(name: string, file?: File, asked?: FeatureChoice): Promise<FeatureChoice> {
  return (
    asked ??
    (file ? await fileChoice(file).catch(() => null) : null) ??
    askedFeatures ??
    (await storedChoice(name)) ??
    session?.features ??
    IMAGE_FEATURES
  );
}

/**
 * Opens `name` (or makes it from `file`, or from a Teachable Machine export's `model` files); on any error the
 * open session carries on as it was.
 */
async function open(name: string, file?: File, features?: FeatureChoice, model?: File[]): Promise<boolean> {
  const before = status.textContent;
  try {
    const next = await openSession(name, context, {
      ...(file ? { file } : {}),
      ...(model ? { model } : {}),
      ...(session ? { seed: session.settings } : {}),
      features: await featuresFor(name, file, features),
    });
    // The address's head and features apply to the first project only; after that each keeps its own.
    delete context.head;
    askedFeatures = null;
    await show(next);
    return true;
  } catch (e) {
    progress.hidden = true;
    notices.show(e);
    if (session) status.textContent = before;
    else if ((e as Error).name === 'ProjectLockedError') noProject(`"${name}" is open in another tab.`);
    else status.textContent = 'The model could not start.';
    return false;
  }
}

/**
 * The open project again, learning from other features: the worker loads the other model and re-embeds the
 * examples from their stored pictures (nothing is lost, and switching back re-embeds them again). The
 * project must be closed first (it is locked while open); if it cannot open with the new features, it opens
 * as it was.
 */
async function switchFeatures(choice: FeatureChoice): Promise<void> {
  const current = session;
  if (!current || sameChoice(choice, current.features)) return;
  const what =
    (choice.features === 'image'
      ? 'image features'
      : `${{ pose: 'pose', people: 'several people', hands: 'hand' }[choice.features]} features${choice.mirror ? ' (mirror-invariant)' : ''}`) +
    (choice.alsoHands ? ' and the hands beside them' : '');
  status.textContent = `Opening "${current.name}" with ${what}…`;
  session = null;
  // Its head must learn the new features before it can predict: it opens stopped (a pose project shows
  // its skeleton by itself).
  current.pipe.stop();
  await current.close();
  if (!(await open(current.name, undefined, choice))) await open(current.name, undefined, current.features);
}

const menu = new ProjectMenu(
  {
    current: () => session?.name ?? null,
    open: (name) => open(name),
    save: () => session!.pipe.saveProject(),
    openFile: (file, name) => open(name, file),
    importModel: (files, name) => open(name, undefined, IMAGE_FEATURES, files),
    exportModel: (onProgress) => session!.pipe.exportModel({ onProgress }),
  },
  notices,
);

/** ?run=1: predicts with no click, or says why it cannot (nothing trained). */
function runShow(s: Session): void {
  if (s.pipe.running) return;
  const ready = s.pipe.project.trained || (s.pipe.settings.head === 'knn' && s.pipe.project.examples > 0);
  if (ready || isKeypoints(s.pipe.info.features)) s.pipe.start(video);
  else
    notices.show(
      `"${s.name}" has nothing trained to run yet (?run=1): train it once, and the show starts itself.`,
      'warning',
    );
}

/** The version of a show's project file that this browser opened last, by project name. */
const fileVersionKey = (name: string) => `trainwhistle.projectFile.${name}`;

/**
 * ?projectFile=<url>: the file, when this browser has not opened this version of it as `name` yet (a kept project
 * of that name is then replaced by it, as "Open file" does); null when the kept project is that version, so
 * nothing is read again. A file that cannot be fetched leaves the kept project, if any, to open.
 */
async function showFile(url: string, name: string, version: string): Promise<File | null> {
  const kept = (await listProjects().catch(() => [])).some((p) => p.name === name);
  if (kept && version && localStorage.getItem(fileVersionKey(name)) === version) return null;
  try {
    status.textContent = `Fetching the project file ${url}…`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    return new File([await response.blob()], decodeURIComponent(url.split('/').pop() ?? url));
  } catch (e) {
    notices.show(
      `The project file ${url} could not be fetched (${(e as Error).message}): ${kept ? `opening "${name}" as this browser kept it` : 'is trainwhistle still serving it?'}.`,
      kept ? 'warning' : 'error',
    );
    return null;
  }
}

async function main(): Promise<void> {
  const name = askedProject ?? localStorage.getItem(CURRENT) ?? FIRST_PROJECT;
  const version = params.get('v') ?? '';
  const file = askedFile ? await showFile(askedFile, name, version) : null;
  const opened = await open(name, file ?? undefined);
  if (opened && file) localStorage.setItem(fileVersionKey(name), version);
  if (opened && autorun && session) runShow(session);
  void import('./benchmark-panel').then(({ benchmarkPanel }) =>
    benchmarkPanel(video, { beforeRun: () => session?.pipe.stop(), onError: (e) => notices.show(e) }),
  );
}

void main();
