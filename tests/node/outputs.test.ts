/**
 * One contract for every output, against a real bridge process and real receivers (a UDP socket as
 * Max/Pd, a WebSocket client as a p5.js sketch): connect, send, reconnect without a backlog, close.
 */
import OSC from 'osc-js';
import { filter, firstValueFrom } from 'rxjs';
import WebSocket from 'ws';
import { afterEach, describe, expect, test } from 'vitest';
import { jsonOutput } from '../../src/outputs/json-output';
import { oscOutput } from '../../src/outputs/osc-output';
import type { Output, OutputStatus } from '../../src/outputs/output';
import type { Prediction } from '../../src/protocol/engine-api';
import {
  cleanUp,
  connectPage,
  sendFrame,
  spawnBridge,
  startBridge,
  udpPeer,
  type BridgeProcess,
  type Frame,
  type Inbox,
} from '../support/bridge';
import { startOscdump, withoutTime } from '../support/oscdump';

// The outputs use the browser's WebSocket; in Node 20, ws is the same API.
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;

afterEach(cleanUp);

const prediction = (n: number): Prediction => ({
  label: n % 2 ? 'b' : 'a',
  confidences: { a: n % 2 ? 0.25 : 0.75, b: n % 2 ? 0.75 : 0.25 },
  t: n,
  latencyMs: 1,
  timings: { fromPixels: 0, infer: 0, head: 0, total: 0 },
  tensors: 0,
});

/** What a receiver read, reduced to "which prediction was this": its `a` confidence, or the class number. */
type Receive = () => Promise<number>;

interface Kind {
  name: string;
  make(wsPort: number): Output;
  /** A receiver for this output's messages, attached to a running bridge. */
  receiver(
    bridge: BridgeProcess,
    udp: Awaited<ReturnType<typeof udpPeer>>,
  ): Promise<{ receive: Receive; inbox: Inbox<unknown> }>;
}

const oscValue = (buf: Buffer, address: string): number | undefined => {
  const packet = new OSC.Packet();
  packet.unpack(new DataView(buf.buffer, buf.byteOffset, buf.byteLength));
  const m = packet.value as InstanceType<typeof OSC.Message>;
  return m.address === address ? (m.args[0] as number) : undefined;
};

const udpReceiver = (address: string) => (_b: BridgeProcess, udp: Awaited<ReturnType<typeof udpPeer>>) =>
  Promise.resolve({
    inbox: udp.inbox as Inbox<unknown>,
    receive: async () => {
      for (;;) {
        const value = oscValue(await udp.inbox.next(), address);
        if (value !== undefined) return value;
      }
    },
  });

const kinds: Kind[] = [
  {
    name: 'osc',
    make: (port) => oscOutput({ url: `ws://127.0.0.1:${port}` }),
    receiver: udpReceiver('/tw/confidence/a'),
  },
  {
    name: 'osc (wekinator)',
    make: (port) => oscOutput({ url: `ws://127.0.0.1:${port}`, mode: 'wekinator' }),
    receiver: udpReceiver('/wek/outputs'),
  },
  {
    name: 'json',
    make: (port) => jsonOutput({ url: `ws://127.0.0.1:${port}` }),
    receiver: async (bridge) => {
      const sketch = await connectPage(bridge.wsPort);
      return {
        inbox: sketch.inbox as Inbox<unknown>,
        receive: async () =>
          (JSON.parse(String((await sketch.inbox.next()).data)) as { confidences: { a: number } }).confidences.a,
      };
    },
  },
];
/** How each receiver reads prediction n. */
const expected = (kind: string, n: number) => (kind === 'osc (wekinator)' ? (n % 2 ? 2 : 1) : n % 2 ? 0.25 : 0.75);

const status = (output: Output, want: OutputStatus) =>
  firstValueFrom(output.status$.pipe(filter((s) => s.status === want)));

describe.each(kinds)('$name output', (kind) => {
  test('connects, and what it sends arrives through the bridge', async () => {
    const udp = await udpPeer();
    const bridge = await startBridge(['--send', `127.0.0.1:${udp.port}`]);
    const rx = await kind.receiver(bridge, udp);
    const output = kind.make(bridge.wsPort);
    output.connect();
    await status(output, 'connected');
    for (const n of [0, 1, 2]) expect(output.send(prediction(n))).toBe(true);
    for (const n of [0, 1, 2]) expect(await rx.receive()).toBe(expected(kind.name, n));
    output.close();
  });

  test('bridge gone: shows disconnected and drops (counted); back: reconnects and sends only what is new', async () => {
    const udp = await udpPeer();
    const bridge = await startBridge(['--send', `127.0.0.1:${udp.port}`]);
    const output = kind.make(bridge.wsPort);
    output.connect();
    await status(output, 'connected');
    await bridge.stop();
    await status(output, 'disconnected');
    for (const n of [1, 3, 5]) expect(output.send(prediction(n))).toBe(false);
    expect((await firstValueFrom(output.status$)).dropped).toBe(3);

    const again = await spawnBridge(
      ['--ws-port', String(bridge.wsPort), '--listen-port', '0', '--send', `127.0.0.1:${udp.port}`],
      { ports: false },
    );
    if (!('wsPort' in again)) throw new Error(`bridge restart failed: ${again.stderr}`);
    const rx = await kind.receiver(again, udp);
    await status(output, 'connected');
    expect(output.send(prediction(2))).toBe(true);
    expect(await rx.receive()).toBe(expected(kind.name, 2)); // the first to arrive is the new one, not a stale 1, 3 or 5
    output.close();
  });

  test('close: status closed and complete, nothing sent after', async () => {
    const udp = await udpPeer();
    const bridge = await startBridge(['--send', `127.0.0.1:${udp.port}`]);
    const rx = await kind.receiver(bridge, udp);
    const output = kind.make(bridge.wsPort);
    let completed = false;
    const states: OutputStatus[] = [];
    output.status$.subscribe({ next: (s) => states.push(s.status), complete: () => (completed = true) });
    output.connect();
    await status(output, 'connected');
    output.close();
    output.close(); // twice is harmless
    expect(states.at(-1)).toBe('closed');
    expect(completed).toBe(true);
    expect(output.send(prediction(0))).toBe(false);
    // Once the bridge has seen the output leave, it has handled all the output sent; a marker sent
    // through the bridge after that must be the first thing to reach the receiver.
    await expect.poll(() => bridge.stdout(), { timeout: 10_000 }).toMatch(/client left/);
    const marker = kind.name === 'json' ? '{"type":"marker"}' : Buffer.from(new OSC.Message('/marker').pack());
    await sendFrame((await connectPage(bridge.wsPort)).ws, marker);
    const first = await rx.inbox.next();
    expect(Buffer.isBuffer(first) ? first : (first as Frame).data).toEqual(Buffer.from(marker));
    expect(rx.inbox.size).toBe(0);
    const { counts } = await bridge.stop();
    expect(counts.osc + counts.json).toBe(1); // the marker alone
  });
});

describe('OSC modes, read by liblo (oscdump), an independent decoder', () => {
  const run = async (options: Parameters<typeof oscOutput>[0], predictions: Prediction[]) => {
    const dump = await startOscdump();
    try {
      const bridge = await startBridge(['--send', `127.0.0.1:${dump.port}`]);
      const output = oscOutput({ url: `ws://127.0.0.1:${bridge.wsPort}`, ...options });
      output.connect();
      await status(output, 'connected');
      const sent = predictions.map((p) => output.send(p));
      // A marker after them (a label with no class: /tw/labels or /wek/outputs 0): what came before it is complete.
      const isMarker = (l: string) => l === '/tw/labels s "end"' || l === '/wek/outputs f 0.000000';
      output.send({ ...prediction(9), label: 'none', confidences: { end: 1 } });
      while (!dump.all.some(isMarker)) await dump.lines.next();
      output.close();
      return { sent, lines: dump.all.slice(0, dump.all.findIndex(isMarker)) };
    } finally {
      dump.stop();
    }
  };

  test('trainwhistle addresses, every prediction', async () => {
    const { lines } = await run({}, [prediction(0), prediction(2)]);
    expect(lines).toEqual([
      '/tw/labels ss "a" "b"',
      '/tw/label s "a"',
      '/tw/class i 0',
      '/tw/confidence/a f 0.750000',
      '/tw/confidence/b f 0.250000',
      '/tw/confidences ff 0.750000 0.250000',
      '/tw/confidence/a f 0.750000',
      '/tw/confidence/b f 0.250000',
      '/tw/confidences ff 0.750000 0.250000',
    ]);
  });

  test('Wekinator mode: /wek/outputs with the class number', async () => {
    const { lines } = await run({ mode: 'wekinator' }, [prediction(0), prediction(1)]);
    expect(lines).toEqual(['/wek/outputs f 1.000000', '/wek/outputs f 2.000000']);
  });

  test('bundles: one per prediction, timetagged with the capture time', async () => {
    const dump = await startOscdump();
    try {
      const bridge = await startBridge(['--send', `127.0.0.1:${dump.port}`]);
      const output = oscOutput({ url: `ws://127.0.0.1:${bridge.wsPort}`, bundle: true, perLabel: false });
      output.connect();
      await status(output, 'connected');
      output.send(prediction(0));
      const lines = [
        await dump.lines.next(),
        await dump.lines.next(),
        await dump.lines.next(),
        await dump.lines.next(),
      ];
      output.close();
      const tag = lines[0]!.split(' ')[0]!;
      expect(lines.every((l) => l.startsWith(`${tag} `))).toBe(true); // one bundle: one time tag
      const [seconds, fraction] = tag.split('.').map((h) => parseInt(h, 16));
      const ms = (seconds! - 2208988800) * 1000 + (fraction! / 2 ** 32) * 1000;
      expect(Math.abs(ms - (performance.timeOrigin + 0))).toBeLessThan(2); // prediction(0) was captured at t = 0
      expect(lines.map(withoutTime)).toEqual([
        '/tw/labels ss "a" "b"',
        '/tw/label s "a"',
        '/tw/class i 0',
        '/tw/confidences ff 0.750000 0.250000',
      ]);
    } finally {
      dump.stop();
    }
  });

  test("rate: 'change' sends only label changes; a number limits the rate by frame time, changes always pass", async () => {
    const frames = [0, 2, 4, 1, 3].map((n, i) => ({ ...prediction(n), t: i * 40 }));
    const change = await run({ rate: 'change', perLabel: false }, frames);
    expect(change.sent).toEqual([true, false, false, true, false]);
    const tenHz = await run(
      { rate: 10, perLabel: false },
      [0, 2, 4, 6, 1].map((n, i) => ({ ...prediction(n), t: i * 40 })),
    );
    expect(tenHz.sent).toEqual([true, false, false, true, true]); // t = 0 and 120 ms pass; 160 ms is a change
  });
});
