/**
 * Predictions as JSON over WebSocket, for p5.js sketches, TouchDesigner's WebSocket DAT and Node-RED.
 * The bridge relays each text frame to its other WebSocket clients. One message per prediction:
 *
 *   {"type":"prediction","t":1764345600123.4,"label":"ukulele","confidences":{"ukulele":0.91,"train whistle":0.09},
 *    "latencyMs":12.5}
 *
 * `t` is the frame's capture time in ms since 1970; regression predictions carry `"values":{…}` and label "".
 * With features 'people', `"people":[{"id":1,"keypoints":[…],"box":{…},"score":0.5,"label":"wave","confidence":0.9}]`
 * and `"peopleChanged":{"entered":[1],"left":[]}` as the prediction has them; with features 'hands',
 * `"hands":[{"id":1,"handedness":"Left","score":0.99,"keypoints":[…]}]`.
 */
import type { Prediction } from '../protocol/engine-api';
import type { Hand } from '../protocol/hand';
import type { Person } from '../protocol/pose';
import { wallClock } from './osc-messages';
import type { Output } from './output';
import { BRIDGE_URL } from './reconnecting-socket';
import { socketOutput } from './socket-output';

/** Where `jsonOutput` sends. Defaults: JSON_OUTPUT_DEFAULTS. */
export interface JsonOutputOptions {
  /** The bridge's WebSocket (or any WebSocket server that takes text frames). */
  url?: string;
}

/** Every `jsonOutput` option's default, and the only place each is written. */
export const JSON_OUTPUT_DEFAULTS: Readonly<Required<JsonOutputOptions>> = Object.freeze<Required<JsonOutputOptions>>({
  url: BRIDGE_URL,
});

/** The JSON a prediction becomes. */
export interface PredictionMessage {
  type: 'prediction';
  t: number;
  label: string;
  confidences: Record<string, number>;
  values?: Record<string, number>;
  people?: Person[];
  hands?: Hand[];
  peopleChanged?: { entered: number[]; left: number[] };
  latencyMs: number;
}

export function toJson(p: Prediction): PredictionMessage {
  return {
    type: 'prediction',
    t: wallClock(p),
    label: p.label,
    confidences: p.confidences,
    ...(p.values ? { values: p.values } : {}),
    ...(p.people ? { people: p.people, peopleChanged: p.peopleChanged ?? { entered: [], left: [] } } : {}),
    ...(p.hands ? { hands: p.hands } : {}),
    latencyMs: p.latencyMs,
  };
}

/** Sends each prediction as one JSON text frame (`toJson`). Options not given take JSON_OUTPUT_DEFAULTS. */
export function jsonOutput(options: JsonOutputOptions = {}): Output {
  const o = { ...JSON_OUTPUT_DEFAULTS, ...options };
  return socketOutput('json', o.url, {
    encode(p) {
      const text = JSON.stringify(toJson(p));
      return { frames: [text], text };
    },
  });
}
