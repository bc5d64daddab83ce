/**
 * Real parts for the bridge's tests: the bridge as a child process, UDP sockets as Max/Pd/TouchDesigner,
 * `ws` clients as pages. Everything made here is registered and undone by `cleanUp()`.
 */
import dgram from 'node:dgram';
import WebSocket from 'ws';
import { spawnBridge as spawnProcess, type BridgeProcess, type Stopped } from '../../bridge/spawn.mjs';

export { CLI } from '../../bridge/spawn.mjs';
const WAIT_MS = 10_000;
const undo: (() => unknown)[] = [];

/** Kills every process and closes every socket the helpers made. For afterEach. */
export async function cleanUp(): Promise<void> {
  await Promise.allSettled(undo.splice(0).map((fn) => fn()));
}

/** A queue whose `next()` resolves with the next item, failing after WAIT_MS so that a test never hangs. */
export class Inbox<T> {
  private items: T[] = [];
  private waiting: ((item: T) => void)[] = [];
  constructor(private readonly what: string) {}
  push(item: T): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }
  next(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== take);
        reject(new Error(`nothing arrived at ${this.what} within ${WAIT_MS} ms`));
      }, WAIT_MS);
      const take = (it: T) => {
        clearTimeout(timer);
        resolve(it);
      };
      this.waiting.push(take);
    });
  }
  get size(): number {
    return this.items.length;
  }
}

export { parseCounts, type BridgeProcess, type Counts, type Stopped } from '../../bridge/spawn.mjs';

/** The bridge CLI as a child process, killed by `cleanUp()`. */
export function spawnBridge(args: string[], { ports = true } = {}): Promise<BridgeProcess | Stopped> {
  return spawnProcess(args, {
    ports,
    onSpawn: (proc) => undo.push(() => proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL')),
  });
}

/** spawnBridge for a bridge that must start. */
export async function startBridge(args: string[]): Promise<BridgeProcess> {
  const bridge = await spawnBridge(args);
  if (!('wsPort' in bridge)) throw new Error(`the bridge exited with ${bridge.code}: ${bridge.stderr}`);
  return bridge;
}

export interface UdpPeer {
  port: number;
  inbox: Inbox<Buffer>;
  send(bytes: Uint8Array, port: number): Promise<void>;
}

/** A UDP socket on 127.0.0.1 (any free port): receives into `inbox`, sends to 127.0.0.1. */
export async function udpPeer(): Promise<UdpPeer> {
  const socket = dgram.createSocket('udp4');
  const inbox = new Inbox<Buffer>('a UDP socket');
  socket.on('message', (msg) => inbox.push(msg));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  undo.push(() => socket.close());
  return {
    port: socket.address().port,
    inbox,
    send: (bytes, port) =>
      new Promise((resolve, reject) => socket.send(bytes, port, '127.0.0.1', (err) => (err ? reject(err) : resolve()))),
  };
}

/** A UDP port that nothing listens on (it was free a moment ago). */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

export interface Frame {
  data: Buffer;
  binary: boolean;
}

export interface Page {
  ws: WebSocket;
  inbox: Inbox<Frame>;
  closed: Promise<number>;
}

/** Connects like a page (with `origin`) or like a script (without). Rejects with the HTTP status if refused. */
export function connectPage(wsPort: number, origin?: string): Promise<Page> {
  const ws = new WebSocket(`ws://127.0.0.1:${wsPort}`, origin === undefined ? {} : { origin });
  undo.push(() => ws.terminate());
  const inbox = new Inbox<Frame>('a page');
  ws.on('message', (data, binary) => inbox.push({ data: data as Buffer, binary }));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, inbox, closed }));
    ws.on('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
    );
    ws.on('error', reject);
  });
}

/** Sends a frame and resolves once ws has handed it to the socket. */
export function sendFrame(ws: WebSocket, data: Uint8Array | string, binary = typeof data !== 'string'): Promise<void> {
  return new Promise((resolve, reject) => ws.send(data, { binary }, (err) => (err ? reject(err) : resolve())));
}

/** A seeded PRNG (mulberry32), so that a failing fuzz run can be replayed. */
export { rng as random } from './augment';
