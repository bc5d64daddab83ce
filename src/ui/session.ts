/**
 * One open project: its pipeline (kept in IndexedDB, restored at start, predicting again by itself if it
 * was) and every part of the studio that shows it. Switching project closes one session and opens another.
 */
import {
  CameraError,
  NoHandError,
  NoPersonError,
  createPipeline,
  deleteProject,
  reopenCamera,
  watchCamera,
  type Pipeline,
} from '../index';
import type { ProjectProgress } from '../protocol/project';
import { isKeypoints, seesHands, type BackendChoice, type HeadKind } from '../protocol/engine-options';
import type { ExampleCounts, LoadProgress } from '../protocol/engine-api';
import { AppSettingsStore, type AppSettings } from './app-settings';
import { ClassCards } from './class-cards';
import type { CardContext } from './class-card';
import { byId, Scope } from './dom';
import { fileModel, runningChoice, type FeatureChoice } from './features';
import { metricsHud } from './metrics-hud';
import type { Notices } from './notices';
import { operated, operatorControls } from './operator-controls';
import { outputsPanel } from './outputs-panel';
import { previewPanel } from './preview-panel';
import type { SourcePanel } from './source-panel';
import { TrainingPanel } from './training-panel';
import { UnderTheHood } from './under-the-hood';

/** The classes a new project starts with. */
const FIRST_CLASSES = ['Class 1', 'Class 2'];

export interface SessionContext {
  video: HTMLVideoElement;
  source: SourcePanel;
  notices: Notices;
  backend: BackendChoice;
  /** A head asked for in the page's address (?head=), over the project's own. */
  head?: HeadKind;
  onProgress: (p: LoadProgress | ProjectProgress) => void;
  /** Opens the current project again with other features (its examples are re-embedded). */
  switchFeatures(choice: FeatureChoice): Promise<void>;
}

export interface Session {
  readonly name: string;
  readonly pipe: Pipeline;
  /** The app's settings kept with this project now. */
  readonly settings: AppSettings;
  /** What its pipeline learns from. */
  readonly features: FeatureChoice;
  /** Shows the project in the studio (after the previous session has closed). */
  mount(): void;
  close(): Promise<void>;
}

/**
 * Opens (or creates) project `name`, learning from `features` (a project kept with others is re-embedded).
 * With `file`, the project is made from that file, and with `model` from a Teachable Machine export (its zip, or
 * its three files); if either does not open, the project made for it is deleted again and the error is thrown:
 * nothing else changed. A project made new takes the app's settings
 * of `seed` (outputs, operators, mirror), so the patch stays wired.
 */
export async function openSession(
  name: string,
  ctx: SessionContext,
  options: { file?: File; model?: File[]; seed?: AppSettings; features: FeatureChoice },
): Promise<Session> {
  const { file, model, seed, features } = options;
  // A project file made with a Teachable Machine model opens with that model, so nothing is re-embedded.
  const teachableMachine = model ?? (file ? await fileModel(file) : null);
  const pipe = await createPipeline({
    ...(teachableMachine ? { teachableMachine } : {}),
    backend: ctx.backend,
    ...(ctx.head ? { head: ctx.head } : {}),
    features: features.features,
    pose: { mirror: features.mirror },
    hands: { mirror: features.mirror },
    also: features.alsoHands && features.features !== 'hands' ? ['hands'] : [],
    project: name,
    source: ctx.video,
    onProgress: ctx.onProgress,
  }).catch(async (e: unknown) => {
    if (model) await deleteProject(name).catch(() => {}); // the project made for the model goes again
    throw e;
  });
  if (file) {
    try {
      await pipe.openProject(file, { onProgress: ctx.onProgress });
    } catch (e) {
      await pipe.close();
      await deleteProject(name).catch(() => {});
      throw e;
    }
    return studio(name, pipe, ctx);
  }
  const made = !pipe.project.restored;
  if (made && pipe.project.labels.length === 0 && pipe.settings.head !== 'regression')
    for (const label of FIRST_CLASSES) await pipe.addLabel(label);
  return studio(name, pipe, ctx, made ? seed : undefined);
}

function studio(name: string, pipe: Pipeline, ctx: SessionContext, seed?: AppSettings): Session {
  const { video, notices, source } = ctx;
  const scope = new Scope();
  const settings = new AppSettingsStore(pipe, (e) => notices.show(e), seed);
  // Kept with the project, so that it opens with them next time (features.ts reads it before the pipeline starts).
  const alsoHands = pipe.info.also.includes('hands');
  if (settings.value.alsoHands !== alsoHands) settings.update((s) => ({ ...s, alsoHands }));
  let cards: ClassCards | null = null;

  const start = () => {
    if (!source.hasSource()) return notices.show('Choose a camera or a video file first.', 'warning');
    pipe.start(video);
  };

  const mount = () => {
    // The counts now, then after every change, for every part that shows them.
    const counts$ = pipe.counts$;

    const operated$ = operated(pipe.predictions$, settings.changes$);
    const pose = isKeypoints(pipe.info.features) || seesHands(pipe.info);
    const showOperators = operatorControls(byId('operators'), settings, scope);
    const operatorMode = () => showOperators({ pose, gestures: pipe.settings.head === 'dtw' });
    operatorMode();
    const hood = new UnderTheHood(byId('under-the-hood'), pipe, notices, scope);
    const training: TrainingPanel = new TrainingPanel(
      byId('training'),
      pipe,
      notices,
      {
        headChanged: () => (showCards(), operatorMode()),
        featuresChanged: (choice) => ctx.switchFeatures(choice),
        beforeTrain: () => cards?.stopRecording(),
        trained: () => {
          start();
          void hood.refresh();
        },
      },
      scope,
    );
    const cardContext: CardContext = {
      pipe,
      video,
      notices,
      cannotRecord: () =>
        !source.hasSource()
          ? 'Choose a camera or a video file first: examples are taken from its picture.'
          : video.readyState < 2
            ? 'The camera has no picture yet: wait a moment, then hold Record again.'
            : training.training
              ? 'Training is running: record once it is done.'
              : null,
    };
    let latest: ExampleCounts | null = null;
    const showCards = () => {
      cards?.close();
      cards = new ClassCards(byId('cards'), cardContext, settings);
      if (latest) cards.sync(latest);
    };
    showCards();
    scope.add(
      counts$.subscribe((c) => {
        latest = c;
        cards?.sync(c);
        training.sync(c);
      }),
    );

    previewPanel({ pipe, settings, operated$, start }, scope);
    outputsPanel({ pipe, source: video, settings, operated$, counts$, onError: (e) => notices.show(e) }, scope);
    metricsHud(byId('metrics'), pipe, scope);
    // StorageError (the browser's storage is full) among them: its message says to save to a file.
    // A camera that stopped offers to reopen it (it also reopens by itself when plugged back in); once it
    // shows pictures again, its messages go.
    const reopen = { label: 'Reopen camera', run: () => reopenCamera(video) };
    scope.add(
      pipe.errors$.subscribe((e) =>
        // A frame with nobody (or no hand) in it is skipped and the recording goes on: advice, not a failure.
        e instanceof NoPersonError || e instanceof NoHandError
          ? notices.show(e, 'warning')
          : notices.show(e, 'error', e instanceof CameraError && e.reason === 'ended' ? reopen : undefined),
      ),
    );
    // Watched whether predicting or not (recording, a preview): the same message as the run's, shown once.
    scope.add(
      watchCamera(video, { reopen: true }).subscribe(({ state, error }) => {
        if (error) notices.show(error, 'error', error.reason === 'ended' ? reopen : undefined);
        else if (state === 'live') notices.clear('CameraError');
      }),
    );
    for (const warning of pipe.info.warnings) notices.show(warning, 'warning');
    // The engine's own warning says it already, in its words: one message is enough.
    if (pipe.project.reembedded && !pipe.info.warnings.some((w) => w.includes('re-embedded')))
      notices.show(
        `${pipe.project.reembedded} examples were made with another model and have been recomputed: train again.`,
        'info',
      );
    if (pipe.project.trained) void hood.refresh();
    // The skeleton needs no training: a pose project shows it at once (unless someone stopped it after training).
    if (pose && !pipe.running && (!pipe.project.trained || pipe.project.running)) pipe.start(video);
  };

  return {
    name,
    pipe,
    get settings() {
      return settings.value;
    },
    features: runningChoice(pipe),
    mount,
    async close() {
      cards?.close();
      scope.close();
      await settings.save();
      settings.close();
      await pipe.close();
    },
  };
}
