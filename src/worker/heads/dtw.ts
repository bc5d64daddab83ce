/**
 * Gestures: movements over time, as Wekinator users reach for DTW to learn. Each hold of Record is one
 * template sequence; while running, the newest frames are matched against every template by streaming
 * DTW (with a speed band, normalised by path length). A match below the threshold gives one event, then a
 * refractory period, so one gesture gives one event. Works on pose features (RMS distance) and on image
 * features (cosine distance) alike.
 *
 * A gesture is a movement: a match must also reach (in feature space) at least half as far from where it
 * began as its template does. (Reach, not distance travelled: keypoints jitter, and jitter adds up over a
 * slow performance but does not reach far.) Without that, standing still in the pose at the middle of a gesture matches it as well as doing it
 * (DTW may linger on the template's cheap frames), and so would anything the features cannot see, such as
 * stepping nearer the camera with pose features.
 */
import type { GestureEvent, TrainProgress, TrainReport } from '../../protocol/engine-api';
import type { GestureOptions, HeadKind } from '../../protocol/engine-options';
import type { Milliseconds } from '../../protocol/units';
import type { Example, ExampleStore } from '../examples';
import {
  StreamingDtw,
  cosineDistance,
  rmsDistance,
  sequenceDistance,
  type FrameDistance,
} from '../gestures/streaming-dtw';
import { NotTrainedError } from '../../protocol/errors';
import { blankAnswer, byName, type Head, type HeadAnswer } from './head';
import { type HeadState } from '../../protocol/project-record';

/** Fewer frames than this and a hold cannot be a gesture's template. */
export const MIN_TEMPLATE_FRAMES = 5;
/** A frame this long after the previous one starts the stream afresh (a new start(), a paused tab). */
const STREAM_GAP_MS = 1000;
/** A match must reach at least this share of its template's own reach. */
const MIN_REACH = 0.5;
/**
 * A match is told at the first frame that is within the threshold *and* has arrived at the template's final
 * pose (its frame distance to the template's last frame within this share of the threshold): half-way
 * through, the whole-template distance may already be low, but the body is not yet where the gesture ends.
 */
const AT_END = 1;
/** Frames of the stream remembered (times and movement): more than any match can span. */
const HISTORY = 1024;

/** What one frame of the stream gives. */
export interface GestureStep {
  /** Per gesture (in `names` order): 1 for a perfect match, 0.5 at the threshold, towards 0 beyond. */
  scores: Float32Array;
  /** Per gesture: the best normalised DTW distance of a match ending at this frame (Infinity: none yet). */
  distances: Record<string, number>;
  /** The gesture nearest now. */
  nearest: string;
  /** A gesture just recognised (once per performance), or null. */
  match: GestureEvent | null;
}

interface Template {
  name: string;
  dtw: StreamingDtw;
  /** How far its frames get from its first one, in feature space. */
  reach: number;
}

/** The templates in `examples`: one per recorded sequence, its frames in the order they were added. */
export function templatesOf(
  examples: readonly Example[],
): { name: string; sequence: number; frames: Float32Array[] }[] {
  const bySequence = new Map<number, { name: string; sequence: number; frames: Float32Array[] }>();
  for (const e of examples) {
    if (e.sequence === undefined) continue;
    let t = bySequence.get(e.sequence);
    if (!t) bySequence.set(e.sequence, (t = { name: e.label, sequence: e.sequence, frames: [] }));
    t.frames.push(e.embedding);
  }
  return [...bySequence.values()];
}

export class DtwHead implements Head {
  readonly kind: HeadKind = 'dtw';
  readonly validationIds: readonly number[] = [];
  readonly #distance: FrameDistance;
  #templates: Template[] = [];
  #names: string[] = [];
  #signature = '';
  /** Frame times by stream index, to give a match its duration. */
  #times: Milliseconds[] = [];
  #lastT = -Infinity;
  #quietUntil = -Infinity;
  /** The stream's recent frames, by stream index (a ring). */
  #frames: (Float32Array | undefined)[] = new Array<Float32Array | undefined>(HISTORY);

  constructor(
    private readonly options: GestureOptions & { threshold: number },
    private readonly store: ExampleStore,
    metric: 'rms' | 'cosine',
  ) {
    this.#distance = metric === 'rms' ? rmsDistance : cosineDistance;
  }

  get names(): readonly string[] {
    this.#sync();
    return this.#names;
  }

  /** Rebuilds the matchers when the examples changed (a new template, one deleted, a label renamed). */
  #sync(): void {
    const all = this.store.all;
    const signature = `${all.length}:${this.store.nextId}:${this.store.declared.join('\0')}`;
    if (signature === this.#signature) return;
    this.#signature = signature;
    this.#templates = templatesOf(all).map((t) => ({
      name: t.name,
      dtw: new StreamingDtw(t.frames, this.#distance, this.options.band),
      reach: Math.max(...t.frames.map((f) => this.#distance(t.frames[0]!, f))),
    }));
    this.#names = this.store.declared.filter((l) => this.#templates.some((t) => t.name === l));
    this.reset();
  }

  ready(): boolean {
    return this.names.length > 0;
  }

  notReadyReason(): string {
    return 'The gesture head has no gesture yet: hold Record while performing a gesture, from its start to its end.';
  }

  /** Nothing to fit; says which declared gestures still have no template. */
  train(_examples: unknown, onProgress: (p: TrainProgress) => void): Promise<TrainReport> {
    this.#sync();
    const missing = this.store.declared.filter((l) => !this.#templates.some((t) => t.name === l));
    if (this.#templates.length === 0 || missing.length > 0) {
      const which = missing.length ? missing.map((m) => `'${m}'`).join(', ') : 'any gesture';
      throw new RangeError(
        `No template for ${which}: hold Record while performing each gesture once, from its start to its end (one template each is enough).`,
      );
    }
    onProgress({ epoch: 1, epochs: 1, loss: 0 });
    return Promise.resolve({ head: this.kind, epochs: 0, examples: this.#templates.length, ms: 0 });
  }

  /** Forgets the stream: the next frame can only start a match. */
  reset(): void {
    for (const t of this.#templates) t.dtw.reset();
  }

  /** How far the stream got, from frame `start` up to `end`, from where it was at `start`. */
  #reach(start: number, end: number, atLeast: number): number {
    const first = this.#frames[start % HISTORY];
    if (!first) return 0;
    let reach = 0;
    for (let i = start + 1; i <= end && reach < atLeast; i++)
      reach = Math.max(reach, this.#distance(first, this.#frames[i % HISTORY]!));
    return reach;
  }

  /** Takes the next frame of the live stream. */
  step(features: Float32Array, t: Milliseconds): GestureStep {
    this.#sync();
    if (t - this.#lastT > STREAM_GAP_MS) this.reset();
    this.#lastT = t;
    const index = this.#templates[0]?.dtw.pushed ?? 0;
    this.#times[index % HISTORY] = t;
    this.#frames[index % HISTORY] = features;
    const distances: Record<string, number> = Object.fromEntries(this.#names.map((n) => [n, Infinity]));
    let best: { name: string; distance: number; start: number } | null = null;
    for (const template of this.#templates) {
      const m = template.dtw.push(features);
      if (!m) continue;
      if (m.distance >= distances[template.name]!) continue;
      const needed = MIN_REACH * template.reach;
      if (this.#reach(m.start, index, needed) < needed) continue; // not a movement, whatever the shapes
      distances[template.name] = m.distance;
      if (!best || m.distance < best.distance) best = { name: template.name, distance: m.distance, start: m.start };
    }
    const threshold = this.options.threshold;
    let match: GestureEvent | null = null;
    const done =
      best &&
      this.#templates.find(
        (tp) => tp.name === best.name && this.#distance(features, tp.dtw.template.at(-1)!) <= AT_END * threshold,
      );
    if (best && done && best.distance < threshold && t >= this.#quietUntil) {
      match = { name: best.name, distance: best.distance, t, durationMs: t - (this.#times[best.start % HISTORY] ?? t) };
      this.#quietUntil = t + this.options.refractoryMs;
      for (const template of this.#templates) template.dtw.reset(); // the next gesture starts afresh
    }
    const scores = Float32Array.from(this.#names, (n) => 1 / (1 + (distances[n]! / threshold) ** 2));
    const nearest = best?.name ?? this.#names[0] ?? '';
    return { scores, distances, nearest, match };
  }

  /**
   * A live frame's answer: each gesture's score, the gesture under way as the label (its match so far within
   * the threshold), and the gesture this frame completed, if any.
   */
  answer(features: Float32Array, t: Milliseconds): HeadAnswer {
    const { scores, nearest, distances, match } = this.step(features, t);
    const label = (scores[this.#names.indexOf(nearest)] ?? 0) > 0.5 ? nearest : '';
    return { label, confidences: byName(this.#names, scores), gesture: { nearest, distances, match } };
  }

  /** Nothing to see: no gesture can be under way. */
  blank(): HeadAnswer {
    this.reset();
    return blankAnswer(this.kind, this.ready() ? this.names : []);
  }

  /** A frame judged alone (evaluation): the per-gesture scores of its nearest template frames. */
  predict(embedding: Float32Array): Float32Array {
    if (!this.ready()) throw new NotTrainedError(this.notReadyReason());
    return Float32Array.from(this.#names, (n) => {
      let d = Infinity;
      for (const t of this.#templates)
        if (t.name === n) for (const f of t.dtw.template) d = Math.min(d, this.#distance(embedding, f));
      return 1 / (1 + (d / this.options.threshold) ** 2);
    });
  }

  /**
   * Each template judged by the others (leave one out): the nearest other template by whole-sequence DTW.
   * What the evaluation shows for gestures.
   */
  nearestOther(): { sequence: number; name: string; nearest: string; distance: number }[] {
    const templates = templatesOf(this.store.all);
    return templates.map((t) => {
      let nearest = '';
      let distance = Infinity;
      for (const o of templates) {
        if (o === t) continue;
        const d = sequenceDistance(t.frames, o.frames, this.#distance, this.options.band);
        if (d < distance) [nearest, distance] = [o.name, d];
      }
      return { sequence: t.sequence, name: t.name, nearest, distance };
    });
  }

  state(): HeadState | null {
    return null; // its templates are its examples
  }

  restore(): void {}

  rename(): boolean {
    return false;
  }

  dispose(): void {
    this.#templates = [];
  }
}
