/**
 * The outputs: OSC and WebSocket JSON to the bridge, MIDI (midi-panel.ts), control coming back from the patch, each with its
 * live state and the last message it sent (what Max receives), and the OSC address of each label (and of
 * the keypoints and gestures). They send the stream after the operators (the keypoints after the One Euro
 * filter); their settings are kept with the project.
 */
import { Subscription, type Observable } from 'rxjs';
import {
  addressParts,
  controlInput,
  jsonOutput,
  oscOutput,
  remoteControl,
  type ControlCommand,
  type OscMode,
  type Output,
} from '../outputs';
import { KEYPOINT_NAMES } from '../protocol/pose';
import { HAND_KEYPOINT_NAMES } from '../protocol/hand';
import { isBody, seesHands } from '../protocol/engine-options';
import type { ExampleCounts, Prediction } from '../protocol/engine-api';
import type { LiveSource, Pipeline } from '../streams/pipeline';
import { rateOf, type AppSettingsStore, type OutputSettings } from './app-settings';
import { byId, type Scope } from './dom';
import { midiPanel } from './midi-panel';
import { showLast, showState, watchOutput } from './output-status';

const commandText = (c: ControlCommand): string => {
  switch (c.kind) {
    case 'record':
      return `record "${c.label}" ${c.on ? 'on' : 'off'}`;
    case 'run':
    case 'recordTarget':
      return `${c.kind === 'run' ? 'run' : 'record'} ${c.on ? 'on' : 'off'}`;
    case 'clear':
      return `clear "${c.label}"`;
    case 'target':
      return `outputs ${c.values.join(' ')}`;
    default:
      return c.kind;
  }
};

export interface OutputsOptions {
  pipe: Pipeline;
  source: LiveSource;
  settings: AppSettingsStore;
  /** The predictions after the operators: what is sent. */
  operated$: Observable<Prediction>;
  /** The counts now, then after every change. */
  counts$: Observable<ExampleCounts>;
  onError: (e: Error) => void;
}

export function outputsPanel(
  { pipe, source, settings, operated$, counts$, onError }: OutputsOptions,
  scope: Scope,
): void {
  const url = byId<HTMLInputElement>('bridge-url');
  const prefix = byId<HTMLInputElement>('osc-prefix');
  const osc = {
    on: byId<HTMLInputElement>('osc-on'),
    mode: byId<HTMLSelectElement>('osc-mode'),
    rate: byId<HTMLSelectElement>('osc-rate'),
    pose: byId<HTMLInputElement>('osc-pose'),
    status: byId('osc-status'),
    last: byId('osc-last'),
  };
  const json = { on: byId<HTMLInputElement>('json-on'), status: byId('json-status'), last: byId('json-last') };
  // The keypoints' toggle only where there are keypoints; several people are always sent by id.
  const pose = isBody(pipe.info.features);
  const people = pipe.info.features === 'people';
  const hands = seesHands(pipe.info);
  osc.pose.closest('label')!.hidden = !pose && !hands;
  const control = {
    on: byId<HTMLInputElement>('control-on'),
    status: byId('control-status'),
    last: byId('control-last'),
  };

  const fill = (o: OutputSettings) => {
    url.value = o.bridgeUrl;
    prefix.value = o.prefix;
    osc.on.checked = o.osc;
    osc.mode.value = o.oscMode;
    osc.rate.value = o.oscRate;
    osc.pose.checked = o.oscPose;
    json.on.checked = o.json;
    control.on.checked = o.control;
  };
  const read = (): OutputSettings => ({
    bridgeUrl: url.value.trim(),
    prefix: prefix.value.trim(),
    osc: osc.on.checked,
    oscMode: osc.mode.value as OscMode,
    oscRate: osc.rate.value,
    oscPose: osc.pose.checked,
    json: json.on.checked,
    control: control.on.checked,
  });

  let active = new Subscription();
  const closers: (() => void)[] = [];
  const stop = () => {
    active.unsubscribe();
    for (const close of closers.splice(0)) close();
  };
  scope.add(stop);

  const watch = (output: Output, ui: { status: HTMLElement; last: HTMLElement }) =>
    watchOutput(output.status$, ui, active);

  const rebuild = (o: OutputSettings) => {
    stop();
    active = new Subscription();
    try {
      if (o.osc) {
        const output = oscOutput({
          url: o.bridgeUrl,
          prefix: o.prefix,
          mode: o.oscMode,
          rate: rateOf(o.oscRate),
          pose: pose && o.oscPose,
          people,
          hands: hands && o.oscPose,
        });
        closers.push(() => output.close());
        active.add(output.attach(operated$));
        watch(output, osc);
      } else {
        showState(osc.status, { status: 'off' });
        showLast(osc.last, undefined);
      }
      if (o.json) {
        const output = jsonOutput({ url: o.bridgeUrl });
        closers.push(() => output.close());
        active.add(output.attach(operated$));
        watch(output, json);
      } else {
        showState(json.status, { status: 'off' });
        showLast(json.last, undefined);
      }
      if (o.control) {
        const input = controlInput({ url: o.bridgeUrl, prefix: o.prefix });
        closers.push(() => input.close());
        const remote = remoteControl(pipe, source, input.commands$, {
          onCommand: (c) => {
            control.status.dataset.last = JSON.stringify(c);
            control.last.textContent = commandText(c);
            control.last.classList.remove('none');
          },
          onError,
        });
        closers.push(() => remote.close());
        active.add(input.status$.subscribe((s) => showState(control.status, s)));
        control.last.textContent = 'nothing received yet';
        control.last.classList.add('none');
      } else {
        showState(control.status, { status: 'off' });
        control.last.textContent = '';
      }
    } catch (e) {
      onError(e as Error);
    }
  };

  fill(settings.value.outputs);
  rebuild(settings.value.outputs);
  midiPanel({ pipe, settings, operated$, counts$ }, scope);
  for (const el of [url, prefix, osc.on, osc.mode, osc.rate, osc.pose, json.on, control.on])
    scope.on(el, 'change', () => {
      const o = read();
      settings.update((s) => ({ ...s, outputs: o }));
      rebuild(o);
    });

  const list = byId<HTMLUListElement>('osc-addresses');
  scope.add(
    counts$.subscribe((counts) => {
      const names = pipe.settings.head === 'regression' ? pipe.settings.outputs : Object.keys(counts.perLabel);
      const kind = pipe.settings.head === 'regression' ? 'output' : 'confidence';
      const parts = addressParts(names);
      const p = prefix.value;
      const lines = [...parts].map(([label, part]) => `${label} → ${p}/${kind}/${part}`);
      if (pipe.settings.head === 'dtw') lines.push(`each gesture recognised → ${p}/gesture name distance`);
      if (pose)
        lines.push(
          `each keypoint → ${p}/pose/<keypoint> x y score (${KEYPOINT_NAMES.join(', ')})`,
          `all 17 keypoints → ${p}/pose (51 floats: x y score each)`,
          `nobody in view → ${p}/noperson 1 (0 when someone is back)`,
        );
      if (hands)
        lines.push(
          `each hand's keypoint → ${p}/hand/<left|right>/<keypoint> x y z (${HAND_KEYPOINT_NAMES.join(', ')})`,
          `all 21 of a hand → ${p}/hand/<left|right> (63 floats: x y z each)`,
          `no hand in view → ${p}/nohand 1 (0 when one is back)`,
        );
      if (people)
        lines.push(
          `how many people are in view → ${p}/people n (on change)`,
          `someone comes into view, number n → ${p}/person/n/enter; leaves → ${p}/person/n/leave`,
          `each person's keypoints → ${p}/person/n/pose (51 floats); their class → ${p}/person/n/label name confidence`,
        );
      list.replaceChildren(...lines.map((text) => Object.assign(document.createElement('li'), { textContent: text })));
    }),
  );
}
