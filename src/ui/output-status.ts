/**
 * An output's live state as the Outputs panel shows it, the same for every output: its status with the sent and
 * dropped counts and, when it is not connected, why; and the last thing it sent (what Max or the DAW received).
 */
import type { Observable, Subscription } from 'rxjs';
import type { OutputState } from '../outputs';
import { perFrame } from './dom';

export function showState(el: HTMLElement, s: OutputState | { status: string; reason?: string }): void {
  el.dataset.status = s.status;
  const counts = 'sent' in s ? ` · ${s.sent} sent · ${s.dropped} dropped` : '';
  const why = s.status !== 'connected' && s.status !== 'closed' && s.reason ? ` — ${s.reason}` : '';
  el.textContent = `${s.status}${counts}${why}`;
}

/** The last message line: the first lines of it (the whole of it on hover). */
export function showLast(el: HTMLElement, text: string | undefined): void {
  if (text === undefined) {
    el.textContent = 'nothing sent yet';
    el.title = '';
    el.classList.add('none');
    return;
  }
  const lines = text.split('\n');
  el.textContent = lines.length > 4 ? `${lines.slice(0, 4).join('\n')}\n… ${lines.length - 4} more` : text;
  el.title = text;
  el.classList.remove('none');
}

/**
 * Shows an output's state and last message in `ui`, drawn at most once a frame (predictions come faster); `then`
 * sees each state drawn too. The subscription is added to `into`.
 */
export function watchOutput<S extends OutputState>(
  status$: Observable<S>,
  ui: { status: HTMLElement; last: HTMLElement },
  into: Subscription,
  then?: (s: S) => void,
): void {
  let state: S | null = null;
  const draw = perFrame(() => {
    if (!state) return;
    showState(ui.status, state);
    showLast(ui.last, state.last);
    then?.(state);
  });
  into.add(status$.subscribe((s) => ((state = s), draw())));
}
