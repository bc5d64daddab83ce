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
import type { Prediction } from '../../src/worker/protocol';
import { cleanUp, connectPage, spawnBridge, startBridge, udpPeer, type BridgeProcess, type Inbox } from '../support/bridge';

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
  receiver(bridge: BridgeProcess, udp: Awaited<ReturnType<typeof udpPeer>>): Promise<{ receive: Receive; inbox: Inbox<unknown> }>;
}

const oscValue = (buf: Buffer, address: string): number | undefined => {
  const packet = new OSC.Packet();
  packet.unpack(new DataView(buf.buffer, buf.byteOffset, buf.byteLength));
  const m = packet.value as InstanceType<typeof OSC.Message>;
  return m.address === address ? (m.args[0] as number) : undefined;
};

const udpReceiver = (address: string) => async (_b: BridgeProcess, udp: Awaited<ReturnType<typeof udpPeer>>) => ({
  inbox: udp.inbox as Inbox<unknown>,
  receive: async () => {
    for (;;) {
      const value = oscValue(await udp.inbox.next(), address);
      if (value !== undefined) return value;
    }
  },
});

const kinds: Kind[] = [
  { name: 'osc', make: (port) => oscOutput({ url: `ws://127.0.0.1:${port}` }), receiver: udpReceiver('/tw/confidence/a') },
  { name: 'osc (wekinator)', make: (port) => oscOutput({ url: `ws://127.0.0.1:${port}`, mode: 'wekinator' }), receiver: udpReceiver('/wek/outputs') },
  {
    name: 'json',
    make: (port) => jsonOutput({ url: `ws://127.0.0.1:${port}` }),
    receiver: async (bridge) => {
      const sketch = await connectPage(bridge.wsPort);
      return { inbox: sketch.inbox as Inbox<unknown>, receive: async () => JSON.parse(String((await sketch.inbox.next()).data)).confidences.a };
    },
  },
];
/** How each receiver reads prediction n. */
const expected = (kind: string, n: number) => (kind === 'osc (wekinator)' ? (n % 2 ? 2 : 1) : n % 2 ? 0.25 : 0.75);

const status = (output: Output, want: OutputStatus) => firstValueFrom(output.status$.pipe(filter((s) => s.status === want)));

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

    const again = await spawnBridge(['--ws-port', String(bridge.wsPort), '--listen-port', '0', '--send', `127.0.0.1:${udp.port}`], { ports: false });
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
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.inbox.size).toBe(0);
    const { counts } = await bridge.stop();
    expect(counts.osc + counts.json).toBe(0);
  });
});
