/**
 * Which features a project learns from — MobileNet's picture embedding, MoveNet's body keypoints, MoveNet
 * MultiPose's several bodies or MediaPipe's hands (and, for keypoints, whether left and right count as the same;
 * for the others, whether hands are followed beside them) — worked out before
 * its pipeline starts, since the worker loads one model or another: from the project kept in this browser, or
 * from a project file.
 */
import { unzip } from 'fflate';
import type { FeatureIdentity } from '../protocol/project-record';
import { isKeypoints, type AlsoKind, type FeatureKind } from '../protocol/engine-options';
import { openProjectDb } from '../protocol/project-db';
import type { NamedFile } from '../protocol/teachable';

export interface FeatureChoice {
  features: FeatureKind;
  /** Keypoints only (pose, people, hands): a pose or hand shape and its mirror image are the same (`pose.mirror`, `hands.mirror`). */
  mirror: boolean;
  /** Not with hand features: the hands are followed beside them (`also: ['hands']`), for the outputs; kept in the project's app settings. */
  alsoHands: boolean;
}

export const IMAGE_FEATURES: FeatureChoice = Object.freeze({ features: 'image', mirror: false, alsoHands: false });

/**
 * The choice behind a project's feature identity (`movenet-lightning-mirror` → pose, mirrored; `movenet-multipose`
 * → people), and its app settings (`alsoHands`).
 */
export function choiceOf(identity: FeatureIdentity, appSettings?: unknown): FeatureChoice {
  const features: FeatureKind = identity.model.startsWith('movenet-multipose')
    ? 'people'
    : identity.model.startsWith('movenet')
      ? 'pose'
      : identity.model.startsWith('mediapipe-hand')
        ? 'hands'
        : 'image';
  const alsoHands =
    features !== 'hands' &&
    typeof appSettings === 'object' &&
    appSettings !== null &&
    (appSettings as { alsoHands?: unknown }).alsoHands === true;
  return { features, mirror: isKeypoints(features) && identity.model.endsWith('-mirror'), alsoHands };
}

/** The choice a pipeline runs: its project's features, and whether it follows hands beside them. */
export const runningChoice = (pipe: {
  project: { features: FeatureIdentity };
  info: { also: readonly AlsoKind[] };
}): FeatureChoice => ({ ...choiceOf(pipe.project.features), alsoHands: pipe.info.also.includes('hands') });

export const sameChoice = (a: FeatureChoice, b: FeatureChoice): boolean =>
  a.features === b.features && (a.features === 'image' || a.mirror === b.mirror) && a.alsoHands === b.alsoHands;

/**
 * What `?features=pose` (or `pose-mirror`, `people`, `hands`, each `-mirror` too; `+hands` after image, pose or
 * people follows the hands beside them) in the page's address asks for; null when nothing is asked.
 */
export function choiceFromParam(value: string | null): FeatureChoice | null {
  const [asked = '', beside] = (value ?? '').split('+');
  if (beside !== undefined && beside !== 'hands') return null;
  const alsoHands = beside === 'hands';
  if (asked === 'image') return { ...IMAGE_FEATURES, alsoHands };
  const [features, mirror] = asked.split('-');
  if (
    (features === 'pose' || features === 'people' || (features === 'hands' && !alsoHands)) &&
    (mirror === undefined || mirror === 'mirror')
  )
    return { features, mirror: mirror === 'mirror', alsoHands };
  return null;
}

/** The features of the project kept in this browser under `name`; null for one not kept (yet). */
export async function storedChoice(name: string): Promise<FeatureChoice | null> {
  try {
    const db = await openProjectDb();
    try {
      const meta = await db.get('projects', name);
      return meta ? choiceOf(meta.features, meta.appSettings) : null;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

const MANIFEST = 'trainwhistle-project.json';

/**
 * The features a project file was made with, from its manifest (README, "Project files"), so that it opens
 * with them and nothing needs re-embedding; null when the file does not say (the library then checks it).
 */
export async function fileChoice(file: Blob): Promise<FeatureChoice | null> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const files = await new Promise<Record<string, Uint8Array> | null>((resolve) =>
    unzip(bytes, { filter: (f) => f.name === MANIFEST }, (e, out) => resolve(e ? null : out)),
  );
  const manifest = files?.[MANIFEST];
  if (!manifest) return null;
  try {
    const project = (
      JSON.parse(new TextDecoder().decode(manifest)) as {
        project?: { features?: FeatureIdentity; appSettings?: unknown };
      }
    ).project;
    const identity = project?.features;
    return typeof identity?.model === 'string' ? choiceOf(identity, project?.appSettings) : null;
  } catch {
    return null;
  }
}

const MODEL_FOLDER = 'teachable-machine/';

/** The Teachable Machine export a project file carries (README, "Project files"); null when it has none. */
export async function fileModel(file: Blob): Promise<NamedFile[] | null> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const files = await new Promise<Record<string, Uint8Array> | null>((resolve) =>
    unzip(bytes, { filter: (f) => f.name.startsWith(MODEL_FOLDER) }, (e, out) => resolve(e ? null : out)),
  );
  const found = Object.entries(files ?? {}).map(([name, data]) => ({
    name: name.slice(MODEL_FOLDER.length),
    bytes: data,
  }));
  return found.length > 0 ? found : null;
}
