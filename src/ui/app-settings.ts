/**
 * The app's own settings, kept with the project (`pipe.setAppSettings`) so that a reload, another
 * browser or a project file brings back the same studio: outputs, operators, mirror, keypoint smoothing,
 * slider values.
 */
import { BehaviorSubject, type Observable } from 'rxjs';
import { MIDI_OUTPUT_DEFAULTS, OSC_OUTPUT_DEFAULTS, type MidiMap, type OscMode, type Rate } from '../outputs';
import { HOLD_DEFAULTS, ONE_EURO_DEFAULTS } from '../streams/operators';
import type { NormalRange } from '../protocol/units';
import type { Pipeline } from '../streams/pipeline';

/** The operators between the model and the outputs (src/streams/operators). */
export interface OperatorSettings {
  /** How much to smooth: 0 is none; `smooth(1 - smoothing)`. */
  smoothing: NormalRange;
  /** Below this confidence the label becomes "unknown"; 0 is off. */
  unknownBelow: NormalRange;
  /** Predictions a new label must win before it is sent (`hold({ frames })`); 1 is off. */
  holdFrames: number;
}

/** Pose features: how the keypoints are steadied before the skeleton and the pose OSC. */
export interface PoseSettings {
  /** Steady the keypoints with the One Euro filter (`oneEuro()`). */
  oneEuro: boolean;
  /** Its cut-off when still, in Hz: lower is steadier and lags more on slow moves. */
  minCutoff: number;
  /** How much speed raises the cut-off: higher follows fast moves more closely. */
  beta: number;
}

export interface OutputSettings {
  bridgeUrl: string;
  prefix: string;
  osc: boolean;
  oscMode: OscMode;
  /** 'every', 'change', or at most this many a second. */
  oscRate: string;
  /** Pose projects: send the keypoints too (`oscOutput({ pose: true })`). */
  oscPose: boolean;
  json: boolean;
  control: boolean;
}

/** A kept send rate (`oscRate`, `midi.rate`: a picker's value) as the outputs' `rate` option takes it. */
export const rateOf = (text: string): Rate => (text === 'every' || text === 'change' ? text : Number(text));

/** MIDI out (`midiOutput`): where, and each class's control change and note. */
export interface MidiSettings {
  on: boolean;
  /** The output port's name; '' is the first there is. */
  port: string;
  /** 1–16. */
  channel: number;
  /** 'every', 'change', or at most this many a second. */
  rate: string;
  /** Regression outputs as 14-bit pairs. */
  fourteenBit: boolean;
  /** Each class's (or output's) own CC and note, by name; the others keep their defaults. */
  map: MidiMap;
}

export interface AppSettings {
  mirror: boolean;
  operators: OperatorSettings;
  pose: PoseSettings;
  outputs: OutputSettings;
  midi: MidiSettings;
  /** Regression: the target each output's slider is set to, by output name. */
  targets: Record<string, NormalRange>;
  /** Hands followed beside the project's features (`also: ['hands']`): read before its pipeline starts (features.ts). */
  alsoHands: boolean;
}

/**
 * A new project's studio: the library's own defaults where the studio uses them as they are (the bridge,
 * the hold, the One Euro filter), and the studio's choices where it differs (smoothing on, pose OSC on).
 */
export const DEFAULT_APP_SETTINGS: Readonly<AppSettings> = Object.freeze<AppSettings>({
  mirror: true,
  operators: { smoothing: 0.5, unknownBelow: 0, holdFrames: HOLD_DEFAULTS.frames },
  pose: { oneEuro: true, minCutoff: ONE_EURO_DEFAULTS.minCutoff, beta: ONE_EURO_DEFAULTS.beta },
  outputs: {
    bridgeUrl: OSC_OUTPUT_DEFAULTS.url,
    prefix: OSC_OUTPUT_DEFAULTS.prefix,
    osc: true,
    oscMode: OSC_OUTPUT_DEFAULTS.mode,
    oscRate: String(OSC_OUTPUT_DEFAULTS.rate),
    oscPose: true,
    json: false,
    control: true,
  },
  midi: {
    on: false,
    port: MIDI_OUTPUT_DEFAULTS.port,
    channel: MIDI_OUTPUT_DEFAULTS.channel,
    rate: String(MIDI_OUTPUT_DEFAULTS.rate),
    fourteenBit: MIDI_OUTPUT_DEFAULTS.fourteenBit,
    map: {},
  },
  targets: {},
  alsoHands: false,
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Takes from `stored` only what has the right type: a project from an older or newer app still opens. */
function pick<T extends object>(defaults: T, stored: unknown): T {
  if (!isObject(stored)) return structuredClone(defaults);
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(defaults)) {
    const given = stored[key];
    if (isObject(value) && !Array.isArray(value)) out[key] = pick(value, given);
    else if (typeof given === typeof value) out[key] = given;
  }
  return out as T;
}

/** The settings a project keeps, over the defaults. */
export function readAppSettings(stored: unknown): AppSettings {
  const settings: AppSettings = pick<AppSettings>(DEFAULT_APP_SETTINGS, stored);
  const targets = isObject(stored) && isObject(stored.targets) ? stored.targets : {};
  settings.targets = Object.fromEntries(
    Object.entries(targets).filter((e): e is [string, number] => typeof e[1] === 'number'),
  );
  settings.midi.map = readMidiMap(isObject(stored) && isObject(stored.midi) ? stored.midi.map : undefined);
  return settings;
}

/** A kept MIDI map, with only numbers (or null: none) for `cc` and `note`: a map written by hand still opens. */
function readMidiMap(stored: unknown): MidiMap {
  if (!isObject(stored)) return {};
  const numberOrNull = (v: unknown): v is number | null => v === null || typeof v === 'number';
  const map: MidiMap = {};
  for (const [name, given] of Object.entries(stored)) {
    if (!isObject(given)) continue;
    const { cc, note } = given;
    map[name] = { ...(numberOrNull(cc) ? { cc } : {}), ...(numberOrNull(note) ? { note } : {}) };
  }
  return map;
}

/** The settings of the open project: changes are shown at once and stored with the project. */
export class AppSettingsStore {
  readonly #value: BehaviorSubject<AppSettings>;
  #saving: ReturnType<typeof setTimeout> | null = null;

  /** `seed`: the settings of a project just made, taken from the one open before (the same patch, say). */
  constructor(
    private readonly pipe: Pipeline,
    private readonly onError: (e: unknown) => void,
    seed?: AppSettings,
  ) {
    this.#value = new BehaviorSubject(readAppSettings(seed ? { ...seed, targets: {} } : pipe.project.appSettings));
    if (seed) void this.save();
  }

  get value(): AppSettings {
    return this.#value.value;
  }

  get changes$(): Observable<AppSettings> {
    return this.#value.asObservable();
  }

  update(change: (s: AppSettings) => AppSettings): void {
    this.#value.next(change(structuredClone(this.value)));
    // A slider dragged sends many changes: the project is written once it rests.
    if (this.#saving) clearTimeout(this.#saving);
    this.#saving = setTimeout(() => void this.save(), 250);
  }

  /** Stores the settings now (pending changes too). */
  async save(): Promise<void> {
    if (this.#saving) clearTimeout(this.#saving);
    this.#saving = null;
    await this.pipe.setAppSettings(this.value).catch(this.onError);
  }

  close(): void {
    this.#value.complete();
  }
}
