/**
 * The little the app needs to build its DOM by hand: an element factory, and a scope that removes
 * every listener and subscription of a project's session when the project closes.
 */

type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined>;

/**
 * `h('button', { class: 'primary', 'aria-label': 'Train' }, 'Train')`: attributes as given (`true` sets an
 * empty one, `false` and `undefined` leave it out), children appended in order.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child) el.append(child);
  return el;
}

/** Text for screen readers only (and for accessible names), hidden from sight. */
export const hidden = (text: string): HTMLSpanElement => h('span', { class: 'visually-hidden' }, text);

/** An element of index.html that must be there. */
export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}.`);
  return el as T;
}

/** Everything one project's session set up: listeners, subscriptions, timers. `close()` undoes all of it. */
export class Scope {
  readonly #controller = new AbortController();
  readonly #teardowns: (() => void)[] = [];

  /** Pass as `{ signal }` to addEventListener: the listener goes when the scope closes. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get closed(): boolean {
    return this.#controller.signal.aborted;
  }

  add(teardown: { unsubscribe(): void } | (() => void)): void {
    this.#teardowns.push(typeof teardown === 'function' ? teardown : () => teardown.unsubscribe());
  }

  on<K extends keyof HTMLElementEventMap>(
    target: HTMLElement,
    type: K,
    listener: (e: HTMLElementEventMap[K]) => void,
  ): void {
    target.addEventListener(type, listener, { signal: this.signal });
  }

  close(): void {
    if (this.closed) return;
    this.#controller.abort();
    for (const teardown of this.#teardowns.splice(0).reverse()) teardown();
  }
}

/** Runs `render` at most once an animation frame, however often `schedule` is called. */
export function perFrame(render: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      render();
    });
  };
}

/** `0.1234` → `12 %` */
export const percent = (x: number): string => `${Math.round(x * 100)}\u00a0%`;
