/**
 * Real parts for the bridge's tests: the bridge as a child process, UDP sockets as Max/Pd/TouchDesigner,
 * `ws` clients as pages. Everything made here is registered and undone by `cleanUp()`.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import OSC from 'osc-js';
import WebSocket from 'ws';
import type { ControlCommand } from '../../src/outputs/control';
import { spawnBridge as spawnProcess, type BridgeProcess, type Stopped } from '../../bridge/spawn.mjs';
import { REPO } from './paths';

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

/**
 * Resolves once the bridge's output so far passes `test`, checked as each chunk arrives: a test synchronises
 * on what the bridge says (a client left, a notice) instead of sleeping. Fails after WAIT_MS, with the output.
 */
export function printed(bridge: BridgeProcess, test: (stdout: string) => boolean): Promise<void> {
  const out = bridge.proc.stdout!;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!test(bridge.stdout())) return;
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`the bridge did not print what was awaited within ${WAIT_MS} ms:\n${bridge.stdout()}`));
    }, WAIT_MS);
    const done = () => {
      clearTimeout(timer);
      out.off('data', check);
    };
    out.on('data', check);
    check();
  });
}

export interface UdpPeer {
  port: number;
  inbox: Inbox<Buffer>;
  send(bytes: Uint8Array, port: number): Promise<void>;
}

/**
 * A UDP socket on a free port of 127.0.0.1 (tests never take a fixed one: another program may hold it, or
 * listen there for real): receives into `inbox`, sends to 127.0.0.1.
 */
export async function udpPeer(): Promise<UdpPeer> {
  const socket = dgram.createSocket('udp4');
  const inbox = new Inbox<Buffer>('a UDP socket');
  socket.on('message', (msg) => inbox.push(msg));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  undo.push(() => socket.close());
  return {
    port: socket.address().port,
    inbox,
    send: (bytes, to) =>
      new Promise((resolve, reject) => socket.send(bytes, to, '127.0.0.1', (err) => (err ? reject(err) : resolve()))),
  };
}

/**
 * A UDP socket on 127.0.0.1 that only counts what arrives (a flood's worth of buffers would not fit an inbox),
 * with a receive buffer as large as the system allows, so that the count is the bridge's and not this
 * process's reading speed. `spanMs()`: from the first arrival to the last, so that count / span is the rate at
 * which the bridge forwarded, whatever the kernel's buffers held on the way in.
 */
export async function udpCounter(): Promise<{ port: number; count: () => number; spanMs: () => number }> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 * 2 ** 20 });
  let count = 0;
  let first = 0;
  let last = 0;
  socket.on('message', () => {
    last = performance.now();
    if (count++ === 0) first = last;
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  undo.push(() => socket.close());
  return { port: socket.address().port, count: () => count, spanMs: () => last - first };
}

/** A UDP port that nothing listens on at `host` (it was free a moment ago). */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
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

/**
 * Connects like a page from `origin`, says `hello` (which a refused page must not get through), and resolves
 * with how the bridge closed the connection: its code and reason.
 */
export function closedAs(wsPort: number, origin: string, hello = 'hello'): Promise<{ code: number; reason: string }> {
  const ws = new WebSocket(`ws://127.0.0.1:${wsPort}`, { origin });
  undo.push(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.on('open', () => ws.send(hello));
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on('error', reject);
  });
}

/** Sends a frame and resolves once ws has handed it to the socket. */
export function sendFrame(ws: WebSocket, data: Uint8Array | string, binary = typeof data !== 'string'): Promise<void> {
  return new Promise((resolve, reject) => ws.send(data, { binary }, (err) => (err ? reject(err) : resolve())));
}

/** A seeded PRNG (mulberry32), so that a failing fuzz run can be replayed. */
export { rng as random } from './augment';

/** One OSC message with explicit types: `['i', 2]` as Max sends a whole number, `['f', 2]` as Wekinator does. */
export function typed(address: string, ...args: ['f' | 'i' | 's', number | string][]): Uint8Array {
  const message = new OSC.TypedMessage(address, []);
  for (const [type, value] of args) message.add(type, value);
  return message.pack();
}

/**
 * Wekinator's control messages and `/tw/clear`, as Max (`udpsend`: whole numbers go out as int32) and
 * Wekinator or a Processing sketch (floats) send them, with the commands a page must read from each.
 */
export const PATCH_CONTROLS: { name: string; bytes: Uint8Array; commands: ControlCommand[] }[] = [
  {
    name: 'outputs 2 from Max (,i)',
    bytes: typed('/wekinator/control/outputs', ['i', 2]),
    commands: [{ kind: 'target', values: [2] }],
  },
  {
    name: 'outputs 2 from Wekinator (,f)',
    bytes: typed('/wekinator/control/outputs', ['f', 2]),
    commands: [{ kind: 'target', values: [2] }],
  },
  {
    name: 'outputs 0.25 0.75 (regression, ,ff)',
    bytes: typed('/wekinator/control/outputs', ['f', 0.25], ['f', 0.75]),
    commands: [{ kind: 'target', values: [0.25, 0.75] }],
  },
  {
    name: 'outputs 1 0.5 from Max (,if)',
    bytes: new OSC.Message('/wekinator/control/outputs', 1, 0.5).pack(),
    commands: [{ kind: 'target', values: [1, 0.5] }],
  },
  {
    name: 'startRecording',
    bytes: new OSC.Message('/wekinator/control/startRecording').pack(),
    commands: [{ kind: 'recordTarget', on: true }],
  },
  {
    name: 'stopRecording',
    bytes: new OSC.Message('/wekinator/control/stopRecording').pack(),
    commands: [{ kind: 'recordTarget', on: false }],
  },
  {
    name: 'deleteAllExamples',
    bytes: new OSC.Message('/wekinator/control/deleteAllExamples').pack(),
    commands: [{ kind: 'clearAll' }],
  },
  {
    name: '/tw/clear hat (,s)',
    bytes: typed('/tw/clear', ['s', 'hat']),
    commands: [{ kind: 'clear', label: 'hat' }],
  },
  {
    name: '/tw/clear 3 from Max, a label that is a number (,i)',
    bytes: typed('/tw/clear', ['i', 3]),
    commands: [{ kind: 'clear', label: '3' }],
  },
  {
    name: 'a bundle: outputs 1, startRecording',
    bytes: new OSC.Bundle([
      new OSC.Message('/wekinator/control/outputs', 1),
      new OSC.Message('/wekinator/control/startRecording'),
    ]).pack(),
    commands: [
      { kind: 'target', values: [1] },
      { kind: 'recordTarget', on: true },
    ],
  },
];

/** What a flood process reports when it is done. */
export interface Flooded {
  /** Messages or datagrams handed to the socket. */
  sent: number;
  /** From the first send until everything was handed to the kernel. */
  ms: number;
  /** WebSocket only: the most bytes ws held unsent in the flooding process (the bridge not keeping up). */
  maxBufferedBytes: number;
}

export interface FloodOptions {
  /** `ws`: a page sending binary frames to `ws://127.0.0.1:<port>`; `udp`: datagrams to 127.0.0.1:<port>. */
  kind: 'ws' | 'udp';
  port: number;
  /** The packets, sent in turn. */
  packets: Uint8Array[];
  /** Per second; Infinity sends as fast as the process can. */
  rate: number;
  seconds: number;
}

/**
 * The flooding side in a process of its own (node -e), so that the test's own event loop, which measures,
 * is not the one that floods. It never waits for the bridge: a page that does not care whether its frames
 * are taken, or a patch sending as fast as it can. Resolves with what it sent once it is done.
 */
export function flood(options: FloodOptions): Promise<Flooded> {
  const code = `
    const o = JSON.parse(process.env.TW_FLOOD);
    const packets = o.packets.map((p) => Buffer.from(p, 'base64'));
    const rate = o.rate === null ? Infinity : o.rate;
    const tick = () => new Promise((r) => setTimeout(r, 2));
    let sent = 0;
    let maxBufferedBytes = 0;
    let send;
    let drained = async () => {};
    if (o.kind === 'ws') {
      const { WebSocket } = await import('ws');
      const ws = new WebSocket('ws://127.0.0.1:' + o.port);
      await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
      send = (p) => ws.send(p, { binary: true });
      const buffered = () => (maxBufferedBytes = Math.max(maxBufferedBytes, ws.bufferedAmount));
      setInterval(buffered, 5).unref();
      drained = async () => { while (ws.bufferedAmount > 0) await tick(); ws.close(); };
    } else {
      const dgram = await import('node:dgram');
      const socket = dgram.createSocket('udp4');
      send = (p) => socket.send(p, o.port, '127.0.0.1');
      drained = async () => { while (socket.getSendQueueCount() > 0) await tick(); socket.close(); };
    }
    const start = performance.now();
    while (performance.now() - start < o.seconds * 1000) {
      const due = rate === Infinity ? sent + 200 : Math.floor(((performance.now() - start) / 1000) * rate);
      while (sent < due) send(packets[sent++ % packets.length]);
      if (rate === Infinity) await new Promise((r) => setImmediate(r)); else await tick();
    }
    await drained();
    process.stdout.write(JSON.stringify({ sent, ms: performance.now() - start, maxBufferedBytes }) + '\\n');
  `;
  const env = {
    ...process.env,
    TW_FLOOD: JSON.stringify({
      ...options,
      rate: Number.isFinite(options.rate) ? options.rate : null,
      packets: options.packets.map((p) => Buffer.from(p).toString('base64')),
    }),
  };
  const proc = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO, env, stdio: 'pipe' });
  undo.push(() => proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL'));
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) =>
    proc.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Flooded) : reject(new Error(`the flood exited with ${code}: ${err}`)),
    ),
  );
}

/** Resident memory over a span, in bytes: the first sample, the largest, and the largest of each half. */
export interface RssSpan {
  first: number;
  max: number;
  /** Largest in the first and in the second half of the span: a heap that keeps growing shows in the second. */
  halves: [number, number];
}

/** Samples a process's resident memory every `everyMs` until `stop()`. */
export function sampleRss(rssBytes: () => number, everyMs = 100): { stop(): RssSpan } {
  const samples: number[] = [rssBytes()];
  const timer = setInterval(() => {
    try {
      samples.push(rssBytes());
    } catch {
      // the process ended; stop() says what was seen
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const half = Math.ceil(samples.length / 2);
      return {
        first: samples[0]!,
        max: Math.max(...samples),
        halves: [Math.max(...samples.slice(0, half)), Math.max(...samples.slice(half))],
      };
    },
  };
}
