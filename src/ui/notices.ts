/**
 * Where the app tells a person what went wrong and what to do: a list under the header that stays
 * until dismissed (a later message never hides an earlier one), newest first.
 */
import { h } from './dom';

const MAX_SHOWN = 4;

export type NoticeKind = 'error' | 'warning' | 'info';

/** A button on a notice that does what it offers. */
export interface NoticeAction {
  label: string;
  run: () => Promise<unknown>;
}

export class Notices {
  constructor(private readonly root: HTMLElement) {
    root.hidden = true;
  }

  /**
   * Shows an error's message (or any text); the same message twice is shown once, moved to the top. With
   * `action`, a button beside it does what the message offers (say, reopen the camera); the notice goes
   * when the action succeeds.
   */
  show(e: unknown, kind: NoticeKind = 'error', action?: NoticeAction): void {
    const text = e instanceof Error ? e.message : String(e);
    for (const item of this.root.querySelectorAll<HTMLElement>('li')) if (item.dataset.text === text) item.remove();
    const dismiss = h('button', { type: 'button', class: 'quiet', 'aria-label': 'Dismiss this message' }, '✕');
    const act = action ? h('button', { type: 'button' }, action.label) : null;
    const item = h(
      'li',
      { class: `notice ${kind}`, 'data-kind': kind },
      h('span', {}, text),
      ...(act ? [act] : []),
      dismiss,
    );
    if (act && action) {
      act.addEventListener('click', () => {
        act.disabled = true;
        action.run().then(
          () => {
            item.remove();
            this.root.hidden = this.root.childElementCount === 0;
          },
          (err: unknown) => {
            act.disabled = false;
            this.show(err, 'error', action);
          },
        );
      });
    }
    item.dataset.text = text;
    if (e instanceof Error && e.name !== 'Error') item.dataset.error = e.name;
    dismiss.addEventListener('click', () => {
      item.remove();
      this.root.hidden = this.root.childElementCount === 0;
    });
    this.root.prepend(item);
    while (this.root.childElementCount > MAX_SHOWN) this.root.lastElementChild!.remove();
    this.root.hidden = false;
  }

  /** Removes the messages of one kind of error (say, the camera's, once a camera works). */
  clear(errorName?: string): void {
    for (const item of this.root.querySelectorAll<HTMLElement>('li'))
      if (errorName === undefined || item.dataset.error === errorName) item.remove();
    this.root.hidden = this.root.childElementCount === 0;
  }
}
