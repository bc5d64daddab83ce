/**
 * The OSC bridge, end to end with real parts: `node bridge/cli.mjs` as a child process, UDP sockets as
 * Max/Pd/TouchDesigner, `ws` clients as pages, osc-js to build packets and liblo's oscdump as a
 * second, independent decoder. The CLI's counts come from the line it prints when it stops.
 */
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OSC from 'osc-js';
import { createBridge } from '../../bridge/bridge.mjs';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePacket, toCommand } from '../../src/outputs/control';
import { ORIGIN_REFUSED, refusedOrigin } from '../../src/outputs/reconnecting-socket';
import {
  cleanUp,
  closedAs,
  connectPage,
  freeUdpPort,
  type Inbox,
  PATCH_CONTROLS,
  random,
  sendFrame,
  spawnBridge,
  startBridge,
  udpPeer,
  type Frame,
  type Page,
  type UdpPeer,
} from '../support/bridge';
import { startOscdump, withoutTime } from '../support/oscdump';

afterEach(cleanUp);

/** 2023-11-14T22:13:20.500Z: an NTP time tag of e8fe6f80.80000000, worked out by hand. */
const TIMETAG_MS = 1_700_000_000_500;

function floats(address: string, values: number[]): Uint8Array {
  const message = new OSC.TypedMessage(address, []);
  for (const v of values) message.add('f', v);
  return message.pack();
}

/** What the page sends, with liblo's rendering of each (oscdump prints a time tag first). */
const PACKETS: { name: string; bytes: Uint8Array; oscdump: string[] }[] = [
  { name: ',s', bytes: new OSC.Message('/tw/label', 'ukulele').pack(), oscdump: ['/tw/label s "ukulele"'] },
  { name: ',i', bytes: new OSC.Message('/tw/index', 2).pack(), oscdump: ['/tw/index i 2'] },
  { name: ',f', bytes: floats('/tw/confidence', [0.75]), oscdump: ['/tw/confidence f 0.750000'] },
  {
    name: ',fff',
    bytes: floats('/tw/confidences', [0.1, 0.2, 0.7]),
    oscdump: ['/tw/confidences fff 0.100000 0.200000 0.700000'],
  },
  {
    name: 'bundle',
    bytes: new OSC.Bundle(
      [new OSC.Message('/tw/label', 'hat'), new OSC.Message('/tw/confidence', 0.5)],
      TIMETAG_MS,
    ).pack(),
    oscdump: ['e8fe6f80.80000000 /tw/label s "hat"', 'e8fe6f80.80000000 /tw/confidence f 0.500000'],
  },
];

/** What Max, Pd or TouchDesigner may send to the pages. */
const controls = [
  new OSC.Message('/tw/record', 'hat', 1).pack(),
  new OSC.Message('/tw/record', 'hat', 0).pack(),
  new OSC.Message('/tw/train').pack(),
  new OSC.Message('/tw/run', 1).pack(),
  new OSC.Message('/tw/clear', 'hat').pack(),
  ...['startRecording', 'stopRecording', 'train', 'startRunning', 'stopRunning', 'deleteAllExamples'].map((a) =>
    new OSC.Message(`/wekinator/control/${a}`).pack(),
  ),
  floats('/wekinator/control/outputs', [2]),
  new OSC.Bundle([new OSC.Message('/tw/record', 'hat', 1), new OSC.Message('/tw/train')], TIMETAG_MS).pack(),
];

/** Sends each packet as a page and waits for it at every receiver, byte for byte. */
async function relayAll(page: Page, receivers: UdpPeer[], packets = PACKETS) {
  for (const p of packets) {
    await sendFrame(page.ws, p.bytes);
    for (const r of receivers) expect(await r.inbox.next(), p.name).toEqual(Buffer.from(p.bytes));
  }
}

describe('bridge: pages → UDP', () => {
  it('forwards ,s ,i ,f ,fff and a bundle with a time tag unchanged to every --send target', async () => {
    const [a, b] = [await udpPeer(), await udpPeer()];
    const bridge = await startBridge(['--send', `127.0.0.1:${a.port}`, '--send', `127.0.0.1:${b.port}`]);
    expect(bridge.stdout()).toContain(`→  127.0.0.1:${a.port}, 127.0.0.1:${b.port}`);
    await relayAll(await connectPage(bridge.wsPort, 'http://127.0.0.1:5173'), [a, b]);
    const { code, counts } = await bridge.stop();
    expect(code).toBe(0);
    expect(counts).toMatchObject({
      osc: PACKETS.length,
      toUdp: 2 * PACKETS.length,
      udpErrors: 0,
      malformed: { ws: 0, udp: 0, json: 0 },
    });
  });

  it('sends what liblo (oscdump, an independent decoder) reads as the same messages', async () => {
    const dump = await startOscdump(); // fails, saying how to install it, where oscdump is missing
    try {
      const bridge = await startBridge(['--send', `127.0.0.1:${dump.port}`]);
      const page = await connectPage(bridge.wsPort);
      for (const p of PACKETS) {
        await sendFrame(page.ws, p.bytes);
        // A plain message carries no time tag; oscdump prints its arrival time, which is dropped here.
        for (const expected of p.oscdump) {
          const line = await dump.lines.next();
          expect(p.name === 'bundle' ? line : withoutTime(line)).toBe(expected);
        }
      }
    } finally {
      dump.stop();
    }
  });
});

/** What `--dry-run` says the CLI would do with `args`: where it would listen and send, or why it would not start. */
async function dryRun(args: string[]) {
  const run = await spawnBridge([...args, '--dry-run'], { ports: false });
  if ('wsPort' in run) throw new Error(`--dry-run started a bridge: ${run.stdout()}`);
  const plan = /^trainwhistle bridge \(dry run, nothing bound\): ws:\/\/(\S+)\s+udp-in (\S+)\s+→\s+(.+)$/m.exec(
    run.stdout,
  );
  return { code: run.code, stderr: run.stderr, ws: plan?.[1], udpIn: plan?.[2], targets: plan?.[3] };
}

// A test that ran the bridge on 8080, 9001, 9000 or 12000 would fail wherever another program holds them (a
// bridge from `npm start`, a user's patch, a second test run) and would send to whatever listens there. The
// defaults are read instead from what the CLI says it would do: --help, and --dry-run, which binds nothing.
describe("bridge: the CLI's defaults, from --help and --dry-run", () => {
  it('documents WebSocket port 8080, UDP port 9001, the target 127.0.0.1:9000 and --wekinator at 12000', async () => {
    const help = await spawnBridge(['--help'], { ports: false });
    if ('wsPort' in help) throw new Error('--help started a bridge instead of printing the help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--ws-port <port> .*\(default 8080;/);
    expect(help.stdout).toMatch(/--listen-port <port> .*\(default 9001;/);
    expect(help.stdout).toMatch(/--send <host:port> .*\(default 127\.0\.0\.1:9000\s+when neither/);
    expect(help.stdout).toMatch(/--wekinator +also send to 127\.0\.0\.1:12000,/);
    expect(help.stdout).toMatch(/--dry-run +check the options/);
  });

  it('with no port or target flags, would listen on WebSocket 8080 and UDP 9001 and send to 127.0.0.1:9000', async () => {
    expect(await dryRun([])).toEqual({
      code: 0,
      stderr: '',
      ws: '127.0.0.1:8080',
      udpIn: '127.0.0.1:9001',
      targets: '127.0.0.1:9000',
    });
  });

  it('--wekinator alone would send to 127.0.0.1:12000 only, not to the default 9000', async () => {
    expect(await dryRun(['--wekinator'])).toMatchObject({ code: 0, targets: '127.0.0.1:12000' });
  });

  it('--wekinator with --send would send to both', async () => {
    expect(await dryRun(['--send', '127.0.0.1:7000', '--wekinator'])).toMatchObject({
      code: 0,
      targets: '127.0.0.1:7000, 127.0.0.1:12000',
    });
  });

  it('--dry-run binds nothing (it plans the ports a running bridge holds) and fails as a start would', async () => {
    const sink = `127.0.0.1:${(await udpPeer()).port}`;
    const running = await startBridge(['--send', sink]);
    const ports = ['--ws-port', String(running.wsPort), '--listen-port', String(running.listenPort)];
    expect(await dryRun([...ports, '--send', sink])).toMatchObject({
      code: 0,
      ws: `127.0.0.1:${running.wsPort}`,
      udpIn: `127.0.0.1:${running.listenPort}`,
    });
    const bad = ['--ws-port', '70000', '--listen-port', '0', '--send', sink];
    const start = await spawnBridge(bad, { ports: false });
    expect(start).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('--ws-port') });
    expect(await dryRun(bad)).toMatchObject({ code: 2, stderr: 'stderr' in start ? start.stderr : '', ws: undefined });
    expect(running.alive()).toBe(true);
  });
});

describe('bridge: JSON between WebSocket clients', () => {
  it('passes a JSON object to every other client unchanged, never back to its sender, and counts bad JSON', async () => {
    const bridge = await startBridge(['--send', `127.0.0.1:${(await udpPeer()).port}`]);
    const [a, b, c] = [
      await connectPage(bridge.wsPort, 'http://localhost:5173'),
      await connectPage(bridge.wsPort),
      await connectPage(bridge.wsPort),
    ];
    const prediction = '{"type":"prediction","t":1234.5,"label":"hat","confidences":{"hat":0.9,"ukulele":0.1}}';
    await sendFrame(a.ws, prediction);
    for (const page of [b, c])
      expect(await page.inbox.next()).toEqual({ data: Buffer.from(prediction), binary: false });
    // Had a's message come back to a, it would reach a before b's: the bridge handled it first.
    const reply = '{"type":"prediction","label":"ukulele"}';
    await sendFrame(b.ws, reply);
    expect((await a.inbox.next()).data.toString()).toBe(reply);
    expect((await c.inbox.next()).data.toString()).toBe(reply);

    for (const bad of ['not json', '[1,2]', '"hat"', 'null', '{"type":']) await sendFrame(a.ws, bad);
    await sendFrame(a.ws, prediction);
    expect((await b.inbox.next()).data.toString()).toBe(prediction);
    const { counts, stdout } = await bridge.stop();
    expect(counts).toMatchObject({ json: 3, malformed: { ws: 0, udp: 0, json: 5 }, osc: 0 });
    expect(stdout.match(/not a JSON object/g)).toHaveLength(1);
  });
});

describe('bridge: control messages from UDP → pages', () => {
  it('forwards the control addresses as binary OSC and ignores, counts and logs once the rest', async () => {
    const bridge = await startBridge(['--send', `127.0.0.1:${(await udpPeer()).port}`]);
    const page = await connectPage(bridge.wsPort, 'http://127.0.0.1:5173');
    const max = await udpPeer();
    for (const bytes of controls) {
      await max.send(bytes, bridge.listenPort);
      expect(await page.inbox.next()).toEqual({ data: Buffer.from(bytes), binary: true });
    }
    await max.send(new OSC.Message('/tw/nope', 1).pack(), bridge.listenPort);
    await max.send(new OSC.Message('/tw/nope', 2).pack(), bridge.listenPort);
    await max.send(
      new OSC.Bundle([new OSC.Message('/tw/train'), new OSC.Message('/tw/stealth')]).pack(),
      bridge.listenPort,
    );
    await max.send(Buffer.from('/tw/train,i'), bridge.listenPort);
    const last = new OSC.Message('/tw/run', 0).pack();
    await max.send(last, bridge.listenPort);
    expect((await page.inbox.next()).data).toEqual(Buffer.from(last));

    const { counts, stdout } = await bridge.stop();
    expect(counts).toMatchObject({ control: controls.length + 1, unknown: 3, malformed: { ws: 0, udp: 1, json: 0 } });
    expect(stdout.match(/Ignored control messages to \/tw\/nope:/g)).toHaveLength(1);
    expect(stdout).toContain('Ignored control messages to /tw/stealth:');
    expect(stdout.match(/not an OSC packet/g)).toHaveLength(1);
  });

  it("forwards Wekinator's control and /tw/clear as Max and Wekinator send them; the page reads each command", async () => {
    const bridge = await startBridge(['--send', `127.0.0.1:${(await udpPeer()).port}`]);
    const page = await connectPage(bridge.wsPort, 'http://127.0.0.1:5173');
    const max = await udpPeer();
    for (const { name, bytes, commands } of PATCH_CONTROLS) {
      await max.send(bytes, bridge.listenPort);
      const frame = await page.inbox.next();
      expect(frame, name).toEqual({ data: Buffer.from(bytes), binary: true });
      // What controlInput() does with a frame: decodePacket, then toCommand for each message.
      const data = frame.data.buffer.slice(frame.data.byteOffset, frame.data.byteOffset + frame.data.byteLength);
      const read = decodePacket(data as ArrayBuffer).map((m) => toCommand(m.address, m.args));
      expect(read, name).toEqual(commands);
    }
    const { counts } = await bridge.stop();
    expect(counts).toMatchObject({ control: PATCH_CONTROLS.length, unknown: 0, malformed: { ws: 0, udp: 0, json: 0 } });
  });

  it('takes its control addresses from --prefix', async () => {
    const bridge = await startBridge(['--prefix', '/cam1', '--send', `127.0.0.1:${(await udpPeer()).port}`]);
    const page = await connectPage(bridge.wsPort);
    const max = await udpPeer();
    await max.send(new OSC.Message('/tw/train').pack(), bridge.listenPort);
    const train = new OSC.Message('/cam1/train').pack();
    await max.send(train, bridge.listenPort);
    expect((await page.inbox.next()).data).toEqual(Buffer.from(train));
    expect((await bridge.stop()).counts).toMatchObject({ control: 1, unknown: 1 });
  });

  it('remembers at most 100 unknown addresses; the rest are counted as (other)', async () => {
    const bridge = await startBridge(['--send', `127.0.0.1:${(await udpPeer()).port}`]);
    const page = await connectPage(bridge.wsPort);
    const max = await udpPeer();
    for (let i = 0; i < 150; i++) await max.send(new OSC.Message(`/unknown/${i}`).pack(), bridge.listenPort);
    await max.send(new OSC.Message('/tw/train').pack(), bridge.listenPort);
    await page.inbox.next();
    const { counts, stdout } = await bridge.stop();
    expect(counts.unknown).toBe(150);
    expect(stdout.match(/Ignored control messages to \/unknown\//g)).toHaveLength(100);
    expect(stdout).toContain('more than 100 addresses');
  });
});

/** Hand-made packets that are not whole OSC, each a way osc-js 2.4.1 alone would let through or trip on. */
const MALFORMED: [string, Buffer][] = (() => {
  const str = (text: string) => Buffer.concat([Buffer.from(text), Buffer.alloc(4 - (text.length % 4))]);
  const int32 = (n: number) => Buffer.from(new Int32Array([n]).buffer).reverse();
  const message = Buffer.from(new OSC.Message('/tw/label', 'hat').pack());
  const bundle = (size: number) => Buffer.concat([str('#bundle'), Buffer.alloc(8), int32(size), message]);
  return [
    ['empty', Buffer.alloc(0)],
    ['length not a multiple of 4', message.subarray(0, 14)],
    ['type tags without their comma', Buffer.concat([str('/tw/x'), str('ii'), int32(1)])],
    ['unknown type tag', Buffer.concat([str('/tw/x'), str(',q'), int32(1)])],
    ['last string unterminated', Buffer.concat([str('/tw/label'), str(',s'), Buffer.from('hats')])],
    ['argument missing', Buffer.concat([str('/tw/label'), str(',s')])],
    ['bytes after the message', Buffer.concat([message, Buffer.alloc(4)])],
    ['blob of negative size', Buffer.concat([str('/b'), str(',b'), int32(-4)])],
    ['blob longer than the packet', Buffer.concat([str('/b'), str(',b'), int32(64), Buffer.alloc(4)])],
    ['bundle without its time tag', str('#bundle')],
    ['bundle element larger than its size', bundle(message.length - 4)],
    ['bundle element smaller than its size', bundle(message.length + 4)],
  ];
})();

describe('bridge: malformed packets', () => {
  it('drops and counts each kind of malformed packet, from pages and from UDP', async () => {
    const sink = await udpPeer();
    const bridge = await startBridge(['--send', `127.0.0.1:${sink.port}`]);
    const page = await connectPage(bridge.wsPort);
    const max = await udpPeer();
    const whole = PACKETS[0]!.bytes;
    for (const [name, bytes] of MALFORMED) {
      await sendFrame(page.ws, bytes, true);
      await sendFrame(page.ws, whole);
      expect(await sink.inbox.next(), name).toEqual(Buffer.from(whole));
      await max.send(bytes, bridge.listenPort);
      await max.send(controls[2]!, bridge.listenPort);
      expect((await page.inbox.next()).data, name).toEqual(Buffer.from(controls[2]!));
    }
    const { counts } = await bridge.stop();
    expect(counts).toMatchObject({ malformed: { ws: MALFORMED.length, udp: MALFORMED.length, json: 0 }, unknown: 0 });
  });
});

describe('bridge: page origins', () => {
  it('refuses other origins, telling the page why (close 4003), and accepts the app, --allow-origin and clients without an Origin', async () => {
    const bridge = await startBridge([
      '--allow-origin',
      'http://127.0.0.1:1234',
      '--send',
      `127.0.0.1:${(await udpPeer()).port}`,
    ]);
    const refused = { code: ORIGIN_REFUSED, reason: 'origin not allowed' };
    // What a refused page sends goes nowhere: the JSON below would reach the watcher if it were read.
    const watcher = await connectPage(bridge.wsPort);
    await expect(closedAs(bridge.wsPort, 'https://evil.example', '{"leaked":1}')).resolves.toEqual(refused);
    await expect(closedAs(bridge.wsPort, 'https://evil.example')).resolves.toEqual(refused);
    await expect(closedAs(bridge.wsPort, 'http://127.0.0.1:1235')).resolves.toEqual(refused);
    for (const origin of [
      'http://127.0.0.1:5173',
      'http://localhost:5173',
      'http://localhost:4173',
      'http://127.0.0.1:1234',
      undefined,
    ]) {
      await expect(connectPage(bridge.wsPort, origin), String(origin)).resolves.toHaveProperty('ws');
    }
    const { counts, stdout } = await bridge.stop();
    expect(counts.refused).toBe(3);
    expect(counts).toMatchObject({ json: 0 });
    expect(watcher.inbox.size).toBe(0);
    // Printed once per origin, in the words the page shows.
    const lines = stdout.split('\n').filter((l) => l.includes('https://evil.example'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(refusedOrigin('https://evil.example'));
  });
  it('lets in, with no flag, the origins kept in its allow-list file by --save-origins; a bad line stops it, naming the line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tw-origins-')), 'allowed-origins');
    const sink = `127.0.0.1:${(await udpPeer()).port}`;
    const saving = await startBridge([
      '--allow-origin',
      'https://preview.p5js.org/',
      '--save-origins',
      '--origins-file',
      file,
      '--send',
      sink,
    ]);
    expect(saving.stdout()).toContain(`saved https://preview.p5js.org to ${file}`);
    await saving.stop();
    const refused = { code: ORIGIN_REFUSED, reason: 'origin not allowed' };
    const later = await startBridge(['--origins-file', file, '--send', sink]);
    await expect(connectPage(later.wsPort, 'https://preview.p5js.org')).resolves.toHaveProperty('ws');
    await expect(closedAs(later.wsPort, 'https://editor.p5js.org')).resolves.toEqual(refused);
    expect(later.stdout()).toContain('https://preview.p5js.org (more with --allow-origin');
    await later.stop();
    // A second save keeps the file as it is; a line that is no origin is refused at start.
    await (
      await startBridge([
        '--allow-origin',
        'https://preview.p5js.org',
        '--save-origins',
        '--origins-file',
        file,
        '--send',
        sink,
      ])
    ).stop();
    expect(readFileSync(file, 'utf8').match(/preview/g)).toHaveLength(1);
    appendFileSync(file, 'preview.p5js.org\n');
    const broken = await spawnBridge(['--origins-file', file, '--send', sink]);
    expect(broken).toMatchObject({ code: 2, stdout: '' });
    expect('stderr' in broken && broken.stderr).toContain(`${file}, line 3: "preview.p5js.org" is not an origin`);
  });
});

describe('bridge: faults', () => {
  it('exits 1 naming --ws-port or --listen-port when a port is taken', async () => {
    const first = await startBridge(['--send', `127.0.0.1:${(await udpPeer()).port}`]);
    const wsTaken = await spawnBridge(['--ws-port', String(first.wsPort), '--listen-port', '0'], { ports: false });
    expect(wsTaken).toMatchObject({ code: 1, stdout: '' });
    expect('stderr' in wsTaken && wsTaken.stderr).toContain(
      `Port ${first.wsPort} is already in use (is another bridge running?). Choose another with --ws-port <port>.`,
    );
    const udpTaken = await spawnBridge(['--ws-port', '0', '--listen-port', String(first.listenPort)], { ports: false });
    expect(udpTaken).toMatchObject({ code: 1, stdout: '' });
    expect('stderr' in udpTaken && udpTaken.stderr).toContain('Choose another with --listen-port <port>.');
    expect(first.alive()).toBe(true);
  });

  it('keeps sending to the other targets when one is unreachable or a packet is too big for UDP', async () => {
    const receiver = await udpPeer();
    const nobody = await freeUdpPort();
    const bridge = await startBridge([
      '--send',
      `127.0.0.1:${nobody}`,
      '--send',
      `127.0.0.1:${receiver.port}`,
      '--max-payload',
      '100000',
    ]);
    const page = await connectPage(bridge.wsPort);
    for (let i = 0; i < 50; i++) await relayAll(page, [receiver], PACKETS.slice(2, 3));
    // 66,000 bytes: a valid OSC message, but larger than any UDP datagram (EMSGSIZE), at both targets.
    await sendFrame(page.ws, new OSC.Message('/tw/huge', 'x'.repeat(66_000)).pack());
    await relayAll(page, [receiver]);
    expect(bridge.alive()).toBe(true);
    const { code, counts, stdout } = await bridge.stop();
    expect(code).toBe(0);
    expect(counts).toMatchObject({ osc: 50 + 1 + PACKETS.length, udpErrors: 2 });
    expect(stdout.match(/EMSGSIZE/g)).toHaveLength(2); // once per target
  });
});

describe('bridge: createBridge()', () => {
  it('binds free ports for 0, counts in stats(), rejects a taken port and frees its ports on close()', async () => {
    const sink = await udpPeer();
    const bridge = await createBridge({ wsPort: 0, listenPort: 0, targets: [{ host: '127.0.0.1', port: sink.port }] });
    try {
      expect(bridge.wsPort).toBeGreaterThan(0);
      const page = await connectPage(bridge.wsPort);
      await relayAll(page, [sink], PACKETS.slice(0, 1));
      await sendFrame(page.ws, 'nope');
      await sendFrame(page.ws, new Uint8Array([1, 2, 3, 4]));
      await relayAll(page, [sink], PACKETS.slice(0, 1));
      const max = await udpPeer();
      for (let i = 0; i < 102; i++) await max.send(new OSC.Message(`/unknown/${i % 101}`).pack(), bridge.listenPort);
      // toUdp counts when the OS has sent, which may be a moment after the datagram arrived.
      await expect
        .poll(() => bridge.stats())
        .toEqual({
          clients: 1,
          fromPage: { osc: 2, json: 0 },
          toUdp: 2,
          udpErrors: 0,
          control: 0,
          dropped: 0,
          malformed: { ws: 1, udp: 0, json: 1 },
          unknownAddresses: 102,
          unknownByAddress: {
            ...Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`/unknown/${i}`, i === 0 ? 2 : 1])),
            '(other)': 1,
          },
          oversized: 0,
          refusedOrigins: 0,
          refusedByOrigin: {},
        });
      await expect(createBridge({ wsPort: bridge.wsPort, listenPort: 0 })).rejects.toThrow('--ws-port');
      await expect(createBridge({ wsPort: 0, listenPort: bridge.listenPort })).rejects.toThrow('--listen-port');
    } finally {
      await bridge.close();
    }
    const again = await createBridge({ wsPort: bridge.wsPort, listenPort: bridge.listenPort });
    await again.close();
  });
});

describe('bridge: fuzz', () => {
  const N = 10_000;
  const MAX_PAYLOAD = 4096;

  it(`survives ${N} random, truncated and mutated packets on each input, forwards only whole ones and stays within 50 MB`, async () => {
    const rnd = random(20_251_128);
    const int = (n: number) => Math.floor(rnd() * n);
    const pick = <T>(list: T[]): T => list[int(list.length)]!;
    const noise = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
    const messages = [...PACKETS.filter((p) => p.name !== 'bundle').map((p) => p.bytes), ...controls.slice(0, -1)];
    const last = new OSC.Message('/tw/train');
    const bundle = new OSC.Bundle([new OSC.Message('/tw/record', 'hat', 1), last], TIMETAG_MS).pack();
    const lastStarts = bundle.length - last.pack().length;
    // Malformed for sure: no OSC packet starts with a byte other than / or #, and no cut message is whole.
    const junk = () => {
      const b = noise(int(MAX_PAYLOAD));
      if (b.length > 0 && (b[0] === 0x2f || b[0] === 0x23)) b[0] = 0;
      return b;
    };
    const truncated = new Set<string>();
    const cut = () => {
      const whole = rnd() < 0.2 ? bundle : pick(messages);
      const end = whole === bundle ? lastStarts - 3 + int(bundle.length - lastStarts + 3) : int(whole.length); // a bundle: inside its last element
      const b = Buffer.from(whole.subarray(0, end));
      truncated.add(b.toString('hex'));
      return b;
    };
    // Anything may come of these.
    const mutate = () => {
      const b = Buffer.from(pick([...messages, bundle]));
      for (let k = 0; k <= int(3); k++) b[int(b.length)] = int(256);
      return b;
    };
    const osc = (i: number) => (i % 3 === 0 ? junk() : i % 3 === 1 ? cut() : mutate());
    const knownBad = Math.ceil((2 * N) / 3);
    const json = '{"type":"prediction","t":12.5,"label":"hat","confidences":{"hat":0.75,"ukulele":0.25}}';
    const chars = [...'{}[]":,.-0123456789 abcdeflnrstu\\\n\té漢🎵'];
    const text = (i: number) => {
      if (i % 3 === 0) return json.slice(0, int(json.length));
      if (i % 3 === 1) return pick(['[]', '[{"a":1}]', '"hat"', '12', 'null', 'true']);
      if (rnd() < 0.5) return Array.from({ length: int(1000) }, () => pick(chars)).join('');
      const at = int(json.length);
      return json.slice(0, at) + pick(chars) + json.slice(at + 1);
    };

    const sink = await udpPeer();
    const bridge = await startBridge(['--send', `127.0.0.1:${sink.port}`, '--max-payload', String(MAX_PAYLOAD)]);
    const page = await connectPage(bridge.wsPort, 'http://127.0.0.1:5173');
    const listener = await connectPage(bridge.wsPort);
    const max = await udpPeer();
    await relayAll(page, [sink]);
    const rssBefore = bridge.rssBytes();
    const sent = { binary: PACKETS.length, text: 0, udp: 0 };
    /** What the bridge forwarded of the fuzz: to the sink (OSC), the page (control) and the listener (JSON). */
    const passed = { osc: [] as Buffer[], control: [] as Buffer[], json: [] as Buffer[] };
    /**
     * Collects what arrives until `wanted` does: then everything sent before it has been handled.
     * Of WebSocket frames, only those of the same kind (binary or text) as `wanted`.
     */
    const until = async (inbox: Inbox<Buffer> | Inbox<Frame>, wanted: Uint8Array | string, others: Buffer[]) => {
      for (;;) {
        const item = await inbox.next();
        if ('binary' in item && item.binary !== (typeof wanted !== 'string')) continue;
        const data = 'data' in item ? item.data : item;
        if (data.equals(Buffer.from(wanted))) return;
        others.push(data);
      }
    };

    // UDP in, 16 datagrams at a time so that the bridge's receive buffer never overflows.
    for (let i = 0; i < N; i++) {
      await max.send(osc(i), bridge.listenPort);
      sent.udp += 1;
      if (i % 16 !== 15 && i !== N - 1) continue;
      const sentinel = new OSC.Message('/tw/record', `sentinel ${i}`, 1).pack();
      await max.send(sentinel, bridge.listenPort);
      sent.udp += 1;
      await until(page.inbox, sentinel, passed.control);
    }
    // WebSocket binary and text, 100 frames at a time so that the sink's receive buffer never overflows.
    for (let i = 0; i < N; i++) {
      page.ws.send(osc(i));
      page.ws.send(text(i));
      sent.binary += 1;
      sent.text += 1;
      if (i % 100 !== 99) continue;
      const sentinel = new OSC.Message('/tw/sentinel', i).pack();
      const note = `{"type":"sentinel","i":${i}}`;
      await sendFrame(page.ws, sentinel);
      await sendFrame(page.ws, note);
      sent.binary += 1;
      sent.text += 1;
      await until(sink.inbox, sentinel, passed.osc);
      await until(listener.inbox, note, passed.json);
    }
    // Oversized messages and invalid UTF-8 make ws close the connection: one connection each.
    for (let i = 0; i < 30; i++) {
      const client = await connectPage(bridge.wsPort);
      client.ws.send(noise(MAX_PAYLOAD + 1 + int(3 * MAX_PAYLOAD)), { binary: i % 3 !== 0 });
      expect(await client.closed).toBe(1009);
    }
    for (let i = 0; i < 10; i++) {
      const client = await connectPage(bridge.wsPort);
      client.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
      expect(await client.closed).toBe(1007);
    }

    // Still alive and forwarding, both ways.
    await relayAll(page, [sink]);
    sent.binary += PACKETS.length;
    const train = new OSC.Message('/tw/train').pack();
    await max.send(train, bridge.listenPort);
    sent.udp += 1;
    await until(page.inbox, train, passed.control);
    expect(bridge.alive()).toBe(true);
    expect(bridge.rssBytes() - rssBefore).toBeLessThan(50 * 2 ** 20);

    // Nothing known to be malformed got through; what did get through is what was counted.
    for (const b of [...passed.osc, ...passed.control]) {
      expect([0x2f, 0x23]).toContain(b[0]);
      expect(truncated.has(b.toString('hex')), b.toString('hex')).toBe(false);
    }
    for (const b of passed.json) expect(JSON.parse(b.toString())).toBeTypeOf('object');
    const sentinels = { osc: Math.floor(N / 100), json: Math.floor(N / 100), control: Math.ceil(N / 16) + 1 };
    const { code, counts } = await bridge.stop();
    expect(code).toBe(0);
    expect(counts.osc).toBe(2 * PACKETS.length + sentinels.osc + passed.osc.length);
    expect(counts.malformed.ws).toBe(sent.binary - counts.osc);
    expect(counts.malformed.ws).toBeGreaterThanOrEqual(knownBad);
    expect(counts.json).toBe(sentinels.json + passed.json.length);
    expect(counts.malformed.json).toBe(sent.text - counts.json + 10);
    expect(counts.malformed.json).toBeGreaterThanOrEqual(knownBad + 10);
    expect(counts.control).toBe(sentinels.control + passed.control.length);
    expect(counts.malformed.udp + counts.unknown).toBe(sent.udp - counts.control);
    expect(counts.malformed.udp).toBeGreaterThanOrEqual(knownBad);
    expect(counts.oversized).toBe(30);
  });
});
