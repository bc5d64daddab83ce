/**
 * The bridge under floods, as real processes: `node bridge/cli.mjs` as a child, the flooding page or patch
 * in a process of its own (`flood()`), this process measuring. A page sending 10,000 OSC messages a second
 * for 10 s; 100 WebSocket clients at a time connecting and dropping, five times over; a UDP control flood
 * while one page never reads. Each time the bridge keeps forwarding, control still reaches a page that
 * reads within a bounded delay, and its memory (RSS from /proc) stays bounded. The figures go to the log
 * (`bridge flood: …`) for the README.
 */
import { Socket } from 'node:net';
import OSC from 'osc-js';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { percentile } from '../../src/protocol/stats.js';
import {
  cleanUp,
  connectPage,
  flood,
  sampleRss,
  sendFrame,
  startBridge,
  typed,
  udpCounter,
  udpPeer,
  type BridgeProcess,
  type Page,
  type RssSpan,
} from '../support/bridge';

afterEach(cleanUp);

const MB = 2 ** 20;
/**
 * How much a flood may add to the bridge's resident memory. Its heap grows to a plateau under a flood (from
 * about 57 MB idle to 100–110 MB here, the same over 150 s of the page flood and 30 s of the UDP flood), and
 * the second half of a flood must not climb above the first: that would be a leak, not a plateau.
 */
function expectBounded(memory: RssSpan, figures: unknown): void {
  expect(memory.max - memory.first, JSON.stringify(figures)).toBeLessThan(80 * MB);
  expect(memory.halves[1] - memory.halves[0], JSON.stringify(figures)).toBeLessThan(16 * MB);
}

const rssFigures = (m: RssSpan) => ({
  first: +(m.first / MB).toFixed(1),
  max: +(m.max / MB).toFixed(1),
  halves: m.halves.map((h) => +(h / MB).toFixed(1)),
});

/** What a page sends for one prediction of three labels (as osc-output.ts does, without a bundle). */
const PREDICTION = [
  typed('/tw/confidence/chelsea', ['f', 0.8]),
  typed('/tw/confidence/coffee', ['f', 0.15]),
  typed('/tw/confidence/rocket', ['f', 0.05]),
  typed('/tw/confidences', ['f', 0.8], ['f', 0.15], ['f', 0.05]),
];

/**
 * Sends a control datagram every `everyMs` until `stop()`, each naming itself, and times its arrival at
 * `page`: the delays (ms) and how many never came.
 */
function probeControl(bridge: BridgeProcess, page: Page, everyMs: number) {
  const sentAt = new Map<string, number>();
  const delays: number[] = [];
  page.ws.on('message', (data: Buffer, binary: boolean) => {
    if (!binary) return;
    const id = /probe (\d+)/.exec(data.toString('latin1'))?.[1];
    const at = id && sentAt.get(id);
    if (at) delays.push(performance.now() - at);
  });
  let n = 0;
  let stopped = false;
  const sending = (async () => {
    const max = await udpPeer();
    for (;;) {
      if (stopped) return;
      const id = String(n++);
      sentAt.set(id, performance.now());
      await max.send(new OSC.Message('/tw/record', `probe ${id}`, 1).pack(), bridge.listenPort);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await sending;
      await new Promise((r) => setTimeout(r, 500)); // the last ones in flight
      return {
        sent: sentAt.size,
        lost: sentAt.size - delays.length,
        p50: percentile(delays, 50),
        p99: percentile(delays, 99),
        max: Math.max(...delays),
      };
    },
  };
}

describe('bridge: floods', () => {
  it('a page sending 10,000 messages a second for 10 s: forwarded in full, control reaches another page within 250 ms, memory bounded', async () => {
    const sink = await udpCounter();
    const bridge = await startBridge(['--send', `127.0.0.1:${sink.port}`]);
    const listener = await connectPage(bridge.wsPort);
    const rss = sampleRss(() => bridge.rssBytes());
    const control = probeControl(bridge, listener, 100);
    const sent = await flood({ kind: 'ws', port: bridge.wsPort, packets: PREDICTION, rate: 10_000, seconds: 10 });
    const delays = await control.stop();
    const memory = rss.stop();
    const { code, counts } = await bridge.stop();
    const figures = {
      offeredPerSecond: Math.round((sent.sent * 1000) / sent.ms),
      forwardedPerSecond: Math.round((counts.toUdp * 1000) / sent.ms),
      sent: sent.sent,
      counts: { osc: counts.osc, toUdp: counts.toUdp, dropped: counts.dropped, udpErrors: counts.udpErrors },
      atSink: sink.count(),
      pageBacklogMb: +(sent.maxBufferedBytes / MB).toFixed(2),
      control: delays,
      rssMb: rssFigures(memory),
    };
    console.info(`bridge flood, page 10k/s: ${JSON.stringify(figures)}`);
    expect(code).toBe(0);
    // Every message was taken and sent on (a backed-up UDP socket may drop, and says so).
    expect(counts.osc, JSON.stringify(figures)).toBe(sent.sent);
    expect(counts.toUdp + counts.dropped, JSON.stringify(figures)).toBe(sent.sent);
    expect(counts.toUdp, JSON.stringify(figures)).toBeGreaterThanOrEqual(0.99 * sent.sent);
    expect(figures.offeredPerSecond, JSON.stringify(figures)).toBeGreaterThanOrEqual(9000);
    expect(delays.lost, JSON.stringify(figures)).toBe(0);
    expect(delays.p99, JSON.stringify(figures)).toBeLessThan(250);
    expectBounded(memory, figures);
  });

  it('100 WebSocket clients at a time connecting and dropping, 5 times: a steady page is served throughout, and none is remembered', async () => {
    const sink = await udpPeer();
    const bridge = await startBridge(['--send', `127.0.0.1:${sink.port}`]);
    const steady = await connectPage(bridge.wsPort, 'http://127.0.0.1:5173');
    const control = probeControl(bridge, steady, 50);
    const rss = sampleRss(() => bridge.rssBytes());
    let relayed = 0;
    let done = false;
    const steadyOsc = (async () => {
      for (let i = 0; i < 10_000 && !done; i++) {
        await sendFrame(steady.ws, PREDICTION[3]!);
        await sink.inbox.next();
        relayed += 1;
      }
    })();

    /** One client that goes away in one of the ways a page, a tab or a network goes away. */
    const churn = async (i: number): Promise<string> => {
      const way = i % 5;
      if (way === 4) {
        // Cut mid-handshake: half an upgrade request, then the connection is gone.
        const socket = new Socket();
        await new Promise<void>((resolve) => socket.connect(bridge.wsPort, '127.0.0.1', resolve));
        socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
        socket.destroy();
        return 'cut';
      }
      const origin = way === 3 ? 'https://elsewhere.example' : 'http://127.0.0.1:5173';
      const ws = new WebSocket(`ws://127.0.0.1:${bridge.wsPort}`, { origin });
      const opened = await new Promise<boolean>((resolve) => {
        ws.on('open', () => resolve(true));
        ws.on('unexpected-response', () => resolve(false));
        ws.on('error', () => resolve(false));
      });
      if (!opened) return 'refused';
      if (way === 0) {
        ws.send(PREDICTION[0]!);
        ws.close(1000);
      } else if (way === 1)
        ws.terminate(); // the tab crashed: no close frame
      else {
        ws.send('{"type":"hello"}');
        ws.close(1001); // the page went away
      }
      await new Promise((resolve) => ws.on('close', resolve));
      return 'dropped';
    };

    const ways: Record<string, number> = {};
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => churn(i)));
      for (const r of results) ways[r] = (ways[r] ?? 0) + 1;
    }
    await new Promise((r) => setTimeout(r, 500));
    done = true;
    await steadyOsc;
    const delays = await control.stop();
    const memory = rss.stop();
    // What the bridge says about its clients last, before stopping (which drops the steady page too).
    const clientsNow = [...bridge.stdout().matchAll(/; (\d+) now$/gm)].at(-1)?.[1];
    const { code, counts } = await bridge.stop();
    const figures = {
      ways,
      relayed,
      control: delays,
      rssMb: rssFigures(memory),
      clientsNow,
      counts: { refused: counts.refused, osc: counts.osc, json: counts.json },
    };
    console.info(`bridge flood, client churn: ${JSON.stringify(figures)}`);
    expect(code).toBe(0);
    expect(ways).toEqual({ dropped: 300, refused: 100, cut: 100 });
    // Only the steady page is left; the refused were refused, and what the dropped ones sent was taken.
    expect(clientsNow).toBe('1');
    expect(counts.refused).toBe(100);
    expect(counts.osc).toBe(relayed + 100);
    expect(counts.json).toBe(100);
    expect(relayed).toBeGreaterThan(100);
    expect(delays.lost, JSON.stringify(figures)).toBe(0);
    expect(delays.p99, JSON.stringify(figures)).toBeLessThan(250);
    expectBounded(memory, figures);
  });

  it('a UDP control flood while one page never reads: the reading page gets control, the other is skipped (not queued to), OSC still flows, memory bounded', async () => {
    const sink = await udpPeer();
    const bridge = await startBridge(['--send', `127.0.0.1:${sink.port}`]);
    const reader = await connectPage(bridge.wsPort);
    const stuck = await connectPage(bridge.wsPort);
    // A page that stopped reading (a tab busy forever): its TCP window fills, then the bridge's buffer for it.
    (stuck.ws as unknown as { _socket: Socket })._socket.pause();
    let received = 0;
    reader.ws.on('message', () => (received += 1));
    const rss = sampleRss(() => bridge.rssBytes());
    const controls = [
      // 1 KB each, so that the page that does not read fills its buffers within the flood.
      new OSC.Message('/tw/record', 'hat '.repeat(250), 1).pack(),
      new OSC.Message('/tw/train').pack(),
      new OSC.Message('/tw/unknown', 1).pack(), // counted, not forwarded
      new Uint8Array([1, 2, 3, 4]), // malformed, counted
    ];
    const flooding = flood({ kind: 'udp', port: bridge.listenPort, packets: controls, rate: Infinity, seconds: 5 });
    // Meanwhile a page's OSC goes through, one at a time.
    const oscDelays: number[] = [];
    const page = await connectPage(bridge.wsPort, 'http://127.0.0.1:5173');
    const started = performance.now();
    while (performance.now() - started < 5000) {
      const t = performance.now();
      await sendFrame(page.ws, PREDICTION[3]!);
      await sink.inbox.next();
      oscDelays.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
    const sent = await flooding;
    await new Promise((r) => setTimeout(r, 500));
    const memory = rss.stop();
    const { code, counts } = await bridge.stop();
    const figures = {
      sentPerSecond: Math.round((sent.sent * 1000) / sent.ms),
      sent: sent.sent,
      counts: {
        control: counts.control,
        unknown: counts.unknown,
        malformedUdp: counts.malformed.udp,
        dropped: counts.dropped,
      },
      toReader: received,
      osc: { n: oscDelays.length, p50: percentile(oscDelays, 50), p99: percentile(oscDelays, 99) },
      rssMb: rssFigures(memory),
    };
    console.info(`bridge flood, UDP control: ${JSON.stringify(figures)}`);
    expect(code).toBe(0);
    // The kernel drops what the bridge cannot read in time; what it read is all accounted for.
    expect(counts.control + counts.unknown + counts.malformed.udp).toBeLessThanOrEqual(sent.sent);
    expect(counts.control, JSON.stringify(figures)).toBeGreaterThan(10_000);
    expect(counts.unknown).toBeGreaterThan(0);
    expect(counts.malformed.udp).toBeGreaterThan(0);
    // The reading page got the control messages; the stuck one was skipped once its buffer was full.
    expect(received, JSON.stringify(figures)).toBeGreaterThan(0.9 * counts.control);
    expect(counts.dropped, JSON.stringify(figures)).toBeGreaterThan(0);
    expect(oscDelays.length, JSON.stringify(figures)).toBeGreaterThan(50);
    expect(figures.osc.p99, JSON.stringify(figures)).toBeLessThan(250);
    expectBounded(memory, figures);
  });
});
