/**
 * A WebSocket that reconnects with exponential backoff, and never queues: `send` while disconnected
 * returns false. What the bridge missed while it was down is gone, as real-time data should be.
 */
import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import type { Milliseconds } from '../protocol/units';
import type { OutputStatus } from './output';

/** The bridge's WebSocket, where `npm run bridge` listens unless told otherwise (its `--ws-port`). */
export const BRIDGE_URL = 'ws://127.0.0.1:8080';

/** How soon to dial again after the connection is lost. Defaults: RECONNECT_DEFAULTS. */
export interface ReconnectOptions {
  /** The first retry's delay; each retry that fails doubles it. */
  minDelayMs?: Milliseconds;
  /** The longest delay between two retries. */
  maxDelayMs?: Milliseconds;
}

/** Every reconnect option's default, and the only place each is written. */
export const RECONNECT_DEFAULTS: Readonly<Required<ReconnectOptions>> = Object.freeze<Required<ReconnectOptions>>({
  minDelayMs: 250,
  maxDelayMs: 5000,
});

/**
 * The close code of a bridge that refuses the page's origin (bridge/bridge.mjs's ORIGIN_REFUSED): it accepts the
 * connection only to close it with this, so that the page can say why.
 */
export const ORIGIN_REFUSED = 4003;

/** What a page refused for its origin is told, as the bridge prints it too (once per origin). */
export const refusedOrigin = (origin: string): string =>
  `the bridge refused this page's origin (${origin}): start it with --allow-origin ${origin}`;

export class ReconnectingSocket {
  readonly status$ = new BehaviorSubject<{ status: OutputStatus; reason?: string }>({ status: 'disconnected' });
  readonly #messages = new Subject<ArrayBuffer | string>();
  #socket: WebSocket | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #options: Readonly<Required<ReconnectOptions>>;
  #delay: Milliseconds;
  #closed = false;
  #started = false;

  constructor(
    readonly url: string,
    options: ReconnectOptions = {},
  ) {
    if (!/^wss?:\/\//.test(url))
      throw new TypeError(`The bridge URL must start with ws:// or wss:// (got '${url}'), e.g. ${BRIDGE_URL}.`);
    this.#options = { ...RECONNECT_DEFAULTS, ...options };
    this.#delay = this.#options.minDelayMs;
  }

  /** Binary frames as ArrayBuffers, text frames as strings. */
  get messages$(): Observable<ArrayBuffer | string> {
    return this.#messages.asObservable();
  }

  get open(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  connect(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#dial();
  }

  #dial(): void {
    this.status$.next({ status: 'connecting' });
    const socket = new WebSocket(this.url);
    socket.binaryType = 'arraybuffer';
    this.#socket = socket;
    socket.onopen = () => {
      this.#delay = this.#options.minDelayMs;
      this.status$.next({ status: 'connected' });
    };
    socket.onmessage = (e: MessageEvent) => this.#messages.next(e.data as ArrayBuffer | string);
    socket.onclose = (e: CloseEvent) => {
      if (this.#socket !== socket || this.#closed) return;
      this.#socket = null;
      const refused = e.code === ORIGIN_REFUSED;
      const reason =
        e.code === 1006
          ? `cannot reach the bridge at ${this.url} — is the bridge running (\`npx trainwhistle bridge\`, or \`npm run bridge\` in a clone)?`
          : refused
            ? refusedOrigin(globalThis.location?.origin ?? 'null')
            : `closed (${e.code}${e.reason ? `: ${e.reason}` : ''})`;
      // Refused, it stays refused until the bridge is started again with the flag: dial seldom meanwhile.
      if (refused) this.#delay = this.#options.maxDelayMs;
      this.status$.next({ status: 'disconnected', reason });
      this.#timer = setTimeout(() => this.#dial(), this.#delay);
      this.#delay = Math.min(this.#delay * 2, this.#options.maxDelayMs);
    };
    socket.onerror = () => {}; // onclose follows with the code; errors carry no detail in browsers
  }

  send(data: Uint8Array | string): boolean {
    if (!this.open) return false;
    this.#socket!.send(data);
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#socket?.close(1000, 'closed by the page');
    this.#socket = null;
    this.status$.next({ status: 'closed' });
    this.status$.complete();
    this.#messages.complete();
  }
}
