/**
 * MIDI out in the Outputs panel: on or off, the port, the channel and the rate; the map of each class (or
 * regression output) to its control change and note, shown and editable, with a "Send test CC" button per class
 * for a DAW's MIDI learn; the live state like the OSC output's. Everything is kept with the project. A crash of
 * the worker ends the notes at once (the output itself ends them when predictions stop).
 */
import { Subscription, filter, type Observable } from 'rxjs';
import { LEARN_PAUSE_MS, midiOutput, midiSlots, type MidiAssignment, type MidiOutput, type MidiSlot } from '../outputs';
import type { ExampleCounts, Prediction } from '../protocol/engine-api';
import { WorkerRestartedError } from '../protocol/errors';
import type { Pipeline } from '../streams/pipeline';
import { rateOf, type AppSettingsStore, type MidiSettings } from './app-settings';
import { byId, h, type Scope } from './dom';
import { showLast, showState, watchOutput } from './output-status';

export interface MidiPanelOptions {
  pipe: Pipeline;
  settings: AppSettingsStore;
  /** The predictions after the operators: what is sent. */
  operated$: Observable<Prediction>;
  /** The counts now, then after every change: the classes to map. */
  counts$: Observable<ExampleCounts>;
}

export function midiPanel({ pipe, settings, operated$, counts$ }: MidiPanelOptions, scope: Scope): void {
  const ui = {
    on: byId<HTMLInputElement>('midi-on'),
    port: byId<HTMLSelectElement>('midi-port'),
    channel: byId<HTMLSelectElement>('midi-channel'),
    rate: byId<HTMLSelectElement>('midi-rate'),
    fourteenBit: byId<HTMLInputElement>('midi-14bit'),
    status: byId('midi-status'),
    last: byId('midi-last'),
    box: byId('midi-map-box'),
    rows: byId('midi-map').querySelector('tbody')!,
    kind: byId('midi-map-kind'),
    noteHeader: byId('midi-map-note'),
    hint: byId('midi-hint'),
  };
  if (ui.channel.options.length === 0)
    ui.channel.append(...Array.from({ length: 16 }, (_, i) => h('option', { value: i + 1 }, String(i + 1))));
  const regression = () => pipe.settings.head === 'regression';
  const midi = () => settings.value.midi;
  const fourteenBit = () => regression() && midi().fourteenBit;

  let output: MidiOutput | null = null;
  let connected = false;
  let active = new Subscription();
  const stop = () => {
    active.unsubscribe();
    output?.close();
    output = null;
  };
  scope.add(stop);

  /**
   * The port picker: the first port there is (saying which, once open), each port there is, and the one kept if it
   * is not there now.
   */
  const showPorts = (ports: readonly string[], open: string | null = null) => {
    const kept = midi().port;
    const options = [h('option', { value: '' }, !kept && open ? `first MIDI port (${open})` : 'first MIDI port')];
    for (const name of ports) options.push(h('option', { value: name }, name));
    if (kept && !ports.includes(kept)) options.push(h('option', { value: kept }, `${kept} (not there now)`));
    const shown = [...ui.port.options].map((o) => `${o.value}|${o.text}`).join('\n');
    if (shown !== options.map((o) => `${o.value}|${o.text}`).join('\n')) ui.port.replaceChildren(...options);
    ui.port.value = kept;
  };

  const testButtons = () => ui.rows.querySelectorAll<HTMLButtonElement>('button.midi-test');
  const enableTests = () => {
    for (const button of testButtons()) button.disabled = !connected || button.dataset.cc === undefined;
  };

  const rebuild = () => {
    stop();
    active = new Subscription();
    const m = midi();
    ui.box.hidden = !m.on;
    connected = false;
    enableTests();
    if (!m.on) {
      showState(ui.status, { status: 'off' });
      showLast(ui.last, undefined);
      return;
    }
    try {
      output = midiOutput({
        port: m.port,
        channel: m.channel,
        rate: rateOf(m.rate),
        fourteenBit: fourteenBit(),
        map: m.map,
      });
    } catch (e) {
      showState(ui.status, { status: 'disconnected', reason: (e as Error).message });
      return;
    }
    active.add(output.attach(operated$));
    watchOutput(output.status$, ui, active, (s) => {
      showPorts(s.ports, s.port);
      connected = s.status === 'connected';
      enableTests();
    });
    // The restarted worker predicts on: what sounded before the crash ends now, not after the silence.
    const midiNow = output;
    active.add(
      pipe.errors$.pipe(filter((e) => e instanceof WorkerRestartedError)).subscribe(() => midiNow.allNotesOff()),
    );
  };

  /** A number typed into the map: '' is none; anything else must be a whole number in range. */
  const readNumber = (input: HTMLInputElement): number | null | undefined => {
    const text = input.value.trim();
    const value = Number(text);
    const max = Number(input.max);
    if (text === '') return null;
    if (Number.isInteger(value) && value >= 0 && value <= max) return value;
    return undefined;
  };

  const changeSlot = (slot: MidiSlot, field: keyof MidiAssignment, input: HTMLInputElement, button: HTMLElement) => {
    const value = readNumber(input);
    if (value === undefined) {
      input.setCustomValidity(`A whole number 0–${input.max}, or empty for none.`);
      input.reportValidity();
      return;
    }
    input.setCustomValidity('');
    slot[field] = value;
    if (field === 'cc') {
      if (value === null) delete button.dataset.cc;
      else button.dataset.cc = String(value);
    }
    settings.update((s) => ({
      ...s,
      midi: { ...s.midi, map: { ...s.midi.map, [slot.name]: { cc: slot.cc, note: slot.note } } },
    }));
    rebuild();
  };

  const row = (slot: MidiSlot) => {
    const top = fourteenBit() ? 31 : 119;
    const test = h(
      'button',
      { type: 'button', class: 'midi-test', 'aria-label': `Send test CC for ${slot.name}` },
      'Send test CC',
    );
    if (slot.cc !== null) test.dataset.cc = String(slot.cc);
    const number = (field: keyof MidiAssignment, max: number, label: string) => {
      const input = h('input', {
        type: 'number',
        min: 0,
        max,
        step: 1,
        inputmode: 'numeric',
        placeholder: 'none',
        'aria-label': label,
        value: slot[field] ?? '',
      });
      scope.on(input, 'change', () => changeSlot(slot, field, input, test));
      return input;
    };
    scope.on(test, 'click', () => {
      if (test.dataset.cc !== undefined) output?.learn(Number(test.dataset.cc));
    });
    return h(
      'tr',
      {},
      h('th', { scope: 'row' }, slot.name),
      h('td', {}, number('cc', top, `CC for ${slot.name}`)),
      regression() ? null : h('td', {}, number('note', 127, `Note for ${slot.name}`)),
      h('td', {}, test),
    );
  };

  let shownNames = '';
  const showMap = (names: string[]) => {
    const key = JSON.stringify([names, regression(), fourteenBit()]);
    if (key === shownNames) return;
    shownNames = key;
    byId('midi-14bit-label').hidden = !regression();
    let slots: MidiSlot[];
    try {
      slots = midiSlots(names, midi().map, fourteenBit());
    } catch (e) {
      showState(ui.status, { status: 'disconnected', reason: (e as Error).message });
      slots = midiSlots(names, {}, fourteenBit());
    }
    ui.kind.textContent = regression() ? 'Output' : 'Class';
    ui.noteHeader.hidden = regression();
    ui.rows.replaceChildren(
      ...(slots.length > 0
        ? slots.map(row)
        : [h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'Add a class to map it.'))]),
    );
    ui.hint.textContent =
      `Send test CC sends that CC = 127 alone, then pauses the predictions ${LEARN_PAUSE_MS / 1000} s: in Ableton, ` +
      'turn on MIDI Map Mode, click a control, then press it. ' +
      (regression()
        ? 'Outputs are CCs (14-bit: MSB on the CC, 0–31, LSB on CC + 32). '
        : 'A class plays its note while it wins; 60 is middle C (C3 in Ableton, C4 elsewhere). ') +
      'Empty: none.';
    enableTests();
  };
  let names: string[] = [];

  const fill = (m: MidiSettings) => {
    ui.on.checked = m.on;
    ui.channel.value = String(m.channel);
    ui.rate.value = m.rate;
    ui.fourteenBit.checked = m.fourteenBit;
    showPorts([]);
  };
  fill(midi());
  rebuild();
  for (const el of [ui.on, ui.port, ui.channel, ui.rate, ui.fourteenBit])
    scope.on(el, 'change', () => {
      settings.update((s) => ({
        ...s,
        midi: {
          ...s.midi,
          on: ui.on.checked,
          port: ui.port.value,
          channel: Number(ui.channel.value),
          rate: ui.rate.value,
          fourteenBit: ui.fourteenBit.checked,
        },
      }));
      showMap(names);
      rebuild();
    });
  scope.add(
    counts$.subscribe((counts) => {
      names = regression() ? [...pipe.settings.outputs] : Object.keys(counts.perLabel);
      showMap(names);
    }),
  );
}
