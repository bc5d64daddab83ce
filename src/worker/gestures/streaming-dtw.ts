/**
 * Dynamic time warping against a live stream, one frame at a time: does the stream's recent past match a
 * template, at whatever speed it was performed? This is subsequence DTW computed incrementally (SPRING,
 * Sakurai, Faloutsos & Yamamuro, ICDE 2007): each new frame updates one column of the DTW matrix, O(m) for
 * a template of m frames, instead of matching a whole window again (O(window × m)) every frame.
 *
 * - A match may start at any frame (the column's first cell always offers a fresh start).
 * - A band keeps the warping plausible: a match of the first j+1 template frames must have taken between
 *   `minRatio` and `maxRatio` times as many stream frames (with a little slack at the start), so a gesture
 *   counts at half to twice the speed it was taught, but "stand still, then flick" does not.
 * - A match's distance is its accumulated cost divided by the template's length: the mean cost per template
 *   frame, so long and short templates share one threshold. Every step costs, waiting too: lingering on
 *   frames that happen to match never lowers a match's distance (as dividing by the path's length would).
 */

/** The distance between two feature vectors (RMS difference for poses, cosine distance for images). */
export type FrameDistance = (a: Float32Array, b: Float32Array) => number;

export interface DtwBand {
  /** Fewest stream frames per template frame. @default 0.5 */
  minRatio: number;
  /** Most stream frames per template frame. @default 2 */
  maxRatio: number;
}

export const DEFAULT_BAND: DtwBand = { minRatio: 0.5, maxRatio: 2 };
/** Frames of give at either end of the band, so the first few steps are free to settle. */
const SLACK = 2;

/** The best match of the whole template ending at the newest frame. */
export interface DtwMatch {
  /** Accumulated cost per template frame. */
  distance: number;
  /** Index (in pushed frames) of the match's first frame. */
  start: number;
  /** Stream frames it spans. */
  frames: number;
}

/** One template matched against the stream. */
export class StreamingDtw {
  readonly #m: number;
  // Per template frame j, the best path ending at (newest frame, j): its accumulated cost, length in
  // steps, and the stream index where it started. Two columns: the previous frame's and this one's.
  #cost: Float64Array;
  #steps: Int32Array;
  #start: Int32Array;
  #nextCost: Float64Array;
  #nextSteps: Int32Array;
  #nextStart: Int32Array;
  #index = -1;

  constructor(
    readonly template: readonly Float32Array[],
    private readonly distance: FrameDistance,
    private readonly band: DtwBand = DEFAULT_BAND,
    /** A match may start at any frame (a live stream); false: only at the first (a whole sequence). */
    private readonly freeStart = true,
  ) {
    if (template.length === 0) throw new RangeError('A template needs at least one frame.');
    this.#m = template.length;
    this.#cost = new Float64Array(this.#m).fill(Infinity);
    this.#steps = new Int32Array(this.#m);
    this.#start = new Int32Array(this.#m);
    this.#nextCost = new Float64Array(this.#m);
    this.#nextSteps = new Int32Array(this.#m);
    this.#nextStart = new Int32Array(this.#m);
  }

  /** Forgets the stream so far: the next frame can only start a match. */
  reset(): void {
    this.#cost.fill(Infinity);
  }

  #inBand(start: number, j: number): boolean {
    const frames = this.#index - start + 1;
    return frames <= this.band.maxRatio * (j + 1) + SLACK && frames >= this.band.minRatio * (j + 1) - SLACK;
  }

  /** Takes the next stream frame; returns the best whole-template match ending here, or null. */
  push(frame: Float32Array): DtwMatch | null {
    this.#index += 1;
    const [cost, steps, start] = [this.#nextCost, this.#nextSteps, this.#nextStart];
    for (let j = 0; j < this.#m; j++) {
      const c = this.distance(frame, this.template[j]!);
      let best = Infinity;
      let bestSteps = 0;
      let bestStart = this.#index;
      const consider = (total: number, n: number, from: number) => {
        if (total < best && this.#inBand(from, j)) {
          best = total;
          bestSteps = n;
          bestStart = from;
        }
      };
      if (j === 0 && (this.freeStart || this.#index === 0)) consider(c, 1, this.#index); // a fresh start
      if (j > 0 && this.#cost[j - 1]! < Infinity)
        consider(this.#cost[j - 1]! + c, this.#steps[j - 1]! + 1, this.#start[j - 1]!); // diagonal
      if (this.#cost[j]! < Infinity) consider(this.#cost[j]! + c, this.#steps[j]! + 1, this.#start[j]!); // the template waits
      if (j > 0 && cost[j - 1]! < Infinity) consider(cost[j - 1]! + c, steps[j - 1]! + 1, start[j - 1]!); // the stream waits
      cost[j] = best;
      steps[j] = bestSteps;
      start[j] = bestStart;
    }
    [this.#cost, this.#nextCost] = [cost, this.#cost];
    [this.#steps, this.#nextSteps] = [steps, this.#steps];
    [this.#start, this.#nextStart] = [start, this.#start];
    const last = this.#m - 1;
    const total = this.#cost[last]!;
    if (!(total < Infinity)) return null;
    const frames = this.#index - this.#start[last]! + 1;
    if (frames < this.band.minRatio * this.#m || frames > this.band.maxRatio * this.#m + SLACK) return null;
    return { distance: total / this.#m, start: this.#start[last]!, frames };
  }

  /** Frames pushed so far. */
  get pushed(): number {
    return this.#index + 1;
  }
}

/** Root-mean-square difference: the pose features' distance (torso lengths per coordinate). */
export function rmsDistance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s / a.length);
}

/** 1 − cosine similarity: the image features' distance (MobileNet embeddings differ in scale, not angle). */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return 1 - dot / (Math.sqrt(na * nb) || 1);
}

/** The DTW distance of a whole sequence against a template (both ends fixed), for comparing templates. */
export function sequenceDistance(
  sequence: readonly Float32Array[],
  template: readonly Float32Array[],
  distance: FrameDistance,
  band: DtwBand = DEFAULT_BAND,
): number {
  const dtw = new StreamingDtw(template, distance, band, false);
  let match: DtwMatch | null = null;
  for (const frame of sequence) match = dtw.push(frame);
  return match?.distance ?? Infinity;
}
