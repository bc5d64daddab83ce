/**
 * The app's outputs: OSC and WebSocket JSON to the bridge, control coming back from the patch,
 * each with its live state, and the OSC addresses each label maps to.
 */
import { Subscription } from 'rxjs';
import {
  addressParts,
  controlInput,
  jsonOutput,
  oscOutput,
  remoteControl,
  type ControlInput,
  type OscMode,
  type Output,
  type OutputState,
} from '../outputs';
import type { LiveSource, Pipeline } from '../streams/pipeline';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function showState(el: HTMLElement, s: OutputState | { status: string; reason?: string }): void {
  el.dataset.status = s.status;
  const counts = 'sent' in s ? ` · ${s.sent} sent · ${s.dropped} dropped` : '';
  el.textContent = `${s.status}${counts}${s.status === 'disconnected' && s.reason ? ` — ${s.reason}` : ''}`;
}

export function outputsPanel(pipe: Pipeline, source: LiveSource, onError: (e: Error) => void): void {
  const url = $<HTMLInputElement>('bridge-url');
  const prefix = $<HTMLInputElement>('osc-prefix');
  const osc = {
    on: $<HTMLInputElement>('osc-on'),
    mode: $<HTMLSelectElement>('osc-mode'),
    rate: $<HTMLSelectElement>('osc-rate'),
    status: $('osc-status'),
  };
  const json = { on: $<HTMLInputElement>('json-on'), status: $('json-status') };
  const control = { on: $<HTMLInputElement>('control-on'), status: $('control-status') };
  const active: { output?: Output; json?: Output; control?: ControlInput; subs: Subscription[] } = { subs: [] };

  const rebuild = () => {
    active.subs.forEach((s) => s.unsubscribe());
    active.subs = [];
    active.output?.close();
    active.json?.close();
    active.control?.close();
    delete active.output;
    delete active.json;
    delete active.control;
    try {
      if (osc.on.checked) {
        const rate =
          osc.rate.value === 'every' || osc.rate.value === 'change' ? osc.rate.value : Number(osc.rate.value);
        active.output = oscOutput({ url: url.value, prefix: prefix.value, mode: osc.mode.value as OscMode, rate });
        active.subs.push(
          active.output.attach(pipe.predictions$),
          active.output.status$.subscribe((s) => showState(osc.status, s)),
        );
      } else showState(osc.status, { status: 'off' });
      if (json.on.checked) {
        active.json = jsonOutput({ url: url.value });
        active.subs.push(
          active.json.attach(pipe.predictions$),
          active.json.status$.subscribe((s) => showState(json.status, s)),
        );
      } else showState(json.status, { status: 'off' });
      if (control.on.checked) {
        active.control = controlInput({ url: url.value, prefix: prefix.value });
        const remote = remoteControl(pipe, source, active.control.commands$, {
          onCommand: (c) => (control.status.dataset.last = JSON.stringify(c)),
          onError,
        });
        active.subs.push(
          active.control.status$.subscribe((s) => showState(control.status, s)),
          new Subscription(() => remote.close()),
        );
      } else showState(control.status, { status: 'off' });
    } catch (e) {
      onError(e as Error);
    }
  };
  for (const el of [url, prefix, osc.on, osc.mode, osc.rate, json.on, control.on])
    el.addEventListener('change', rebuild);
  rebuild();

  const list = $<HTMLUListElement>('osc-addresses');
  pipe.counts$.subscribe((counts) => {
    const parts = addressParts(Object.keys(counts.perLabel));
    list.replaceChildren(
      ...[...parts].map(([label, part]) => {
        const li = document.createElement('li');
        li.textContent = `${label} → ${prefix.value}/confidence/${part}`;
        return li;
      }),
    );
  });
}
