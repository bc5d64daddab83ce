/**
 * Which features a project learns from — MobileNet's picture embedding, MoveNet's body keypoints or MoveNet
 * MultiPose's several bodies (and, for bodies, whether left and right count as the same) — worked out before
 * its pipeline starts, since the worker loads one model or another: from the project kept in this browser, or
 * from a project file.
 */
import { unzip } from 'fflate';
import { listProjects } from '../index';
import type { FeatureIdentity } from '../protocol/project-record';
import { isKeypoints, type FeatureKind } from '../protocol/engine-options';

export interface FeatureChoice {
  features: FeatureKind;
  /** Keypoints only (pose, people, hands): a pose or hand shape and its mirror image are the same (`pose.mirror`, `hands.mirror`). */
  mirror: boolean;
}

export const IMAGE_FEATURES: FeatureChoice = Object.freeze({ features: 'image', mirror: false });

/** The choice behind a project's feature identity (`movenet-lightning-mirror` → pose, mirrored; `movenet-multipose` → people). */
export function choiceOf(identity: FeatureIdentity): FeatureChoice {
  const features: FeatureKind = identity.model.startsWith('movenet-multipose')
    ? 'people'
    : identity.model.startsWith('movenet')
      ? 'pose'
      : identity.model.startsWith('mediapipe-hand')
        ? 'hands'
        : 'image';
  return { features, mirror: isKeypoints(features) && identity.model.endsWith('-mirror') };
}

export const sameChoice = (a: FeatureChoice, b: FeatureChoice): boolean =>
  a.features === b.features && (a.features === 'image' || a.mirror === b.mirror);

/** What `?features=pose` (or `pose-mirror`, `people`, `hands`, each `-mirror` too) in the page's address asks for; null when nothing is asked. */
export function choiceFromParam(value: string | null): FeatureChoice | null {
  if (value === 'image') return IMAGE_FEATURES;
  const [features, mirror] = (value ?? '').split('-');
  if (
    (features === 'pose' || features === 'people' || features === 'hands') &&
    (mirror === undefined || mirror === 'mirror')
  )
    return { features, mirror: mirror === 'mirror' };
  return null;
}

/** The features of the project kept in this browser under `name`; null for one not kept (yet). */
export async function storedChoice(name: string): Promise<FeatureChoice | null> {
  const found = (await listProjects().catch(() => [])).find((p) => p.name === name);
  return found ? choiceOf(found.features) : null;
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
    const identity = (JSON.parse(new TextDecoder().decode(manifest)) as { project?: { features?: FeatureIdentity } })
      .project?.features;
    return typeof identity?.model === 'string' ? choiceOf(identity) : null;
  } catch {
    return null;
  }
}
