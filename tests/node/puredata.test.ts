/**
 * The receiver examples, checked for real:
 * - examples/puredata/trainwhistle.pd runs in a headless Pure Data (`pd -nogui`); real OSC packets built
 *   with osc-js arrive on UDP 9000 as the bridge would send them, and the patch prints what it parsed.
 *   Its control section sends real OSC, decoded here.
 * - examples/max/trainwhistle.maxpat (no Max here) is checked structurally: every patch cord joins
 *   existing boxes at inlets and outlets those objects really have.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import OSC from 'osc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const PD_PATCH = join(REPO, 'examples', 'puredata', 'trainwhistle.pd');
const MAX_PATCH = join(REPO, 'examples', 'max', 'trainwhistle.maxpat');
const PD_PORT = 9000;

type Arg = ['f' | 'i' | 's', number | string];

/** One OSC message with explicit types, as the page's OSC output sends them. */
function osc(address: string, ...args: Arg[]): Uint8Array {
  const m = new OSC.TypedMessage(address, []);
  for (const [type, value] of args) m.add(type, value);
  return m.pack();
}

function decode(buf: Buffer): { address: string; types: string; args: unknown[] } {
  const m = new OSC.TypedMessage('/', []);
  m.unpack(new DataView(buf.buffer, buf.byteOffset, buf.byteLength));
  return { address: m.address, types: m.types, args: m.args };
}

const delay = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Rejects with a message that says what to do when another program holds the port. */
function checkPortFree(port: number): Promise<void> {
  return new Promise((done, fail) => {
    const probe = dgram.createSocket('udp4');
    probe.once('error', (err: NodeJS.ErrnoException) => {
      probe.close();
      fail(
        new Error(
          err.code === 'EADDRINUSE'
            ? `UDP port ${port} is busy (a running bridge receiver, Max, Pd or TouchDesigner?). ` +
                `The Pd example listens there: stop that program and run the test again.`
            : `Cannot bind UDP port ${port}: ${err.message}`,
        ),
      );
    });
    probe.bind(port, '0.0.0.0', () => probe.close(() => done()));
  });
}

describe('examples/puredata/trainwhistle.pd in a headless Pure Data', () => {
  let pd: ChildProcess | undefined;
  let log = '';
  let sender: dgram.Socket;
  let control: dgram.Socket;
  const controlPackets: Buffer[] = [];

  /** Resolves once Pd's console holds every line, re-sending `packets` until then. */
  async function waitForLines(lines: string[], packets: Uint8Array[] = [], timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const has = () => lines.every((l) => log.split('\n').includes(l));
    while (!has()) {
      if (Date.now() > deadline) {
        const missing = lines.filter((l) => !log.split('\n').includes(l));
        throw new Error(`Pd never printed ${JSON.stringify(missing)}. Its console:\n${log}`);
      }
      for (const p of packets) sender.send(p, PD_PORT, '127.0.0.1');
      await delay(250);
    }
  }

  beforeAll(async () => {
    const version = spawnSync('pd', ['-version'], { encoding: 'utf8' });
    if (version.error) {
      throw new Error('Pure Data is not installed: `apt-get install -y puredata-core` (Debian) gives a headless `pd`.');
    }
    await checkPortFree(PD_PORT);

    control = dgram.createSocket('udp4');
    control.on('message', (buf) => controlPackets.push(buf));
    await new Promise<void>((done) => control.bind(0, '127.0.0.1', () => done()));
    const controlPort = control.address().port;
    sender = dgram.createSocket('udp4');

    // `-send` runs after the patch has loaded (after its loadbang connected to 9001): point the
    // patch's [netsend] at this test's socket, then click what the control section's messages do.
    const sends = [
      'tw-netsend disconnect',
      `tw-netsend connect 127.0.0.1 ${controlPort}`,
      'tw-send train',
      'tw-send run 1',
      'tw-send record ukulele 1',
      'tw-send clear ukulele',
    ].join('; ');
    pd = spawn('pd', ['-nogui', '-noprefs', '-stderr', '-nosound', '-nomidi', '-open', PD_PATCH, '-send', sends], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pd.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    pd.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await waitForLines(['trainwhistle: patch loaded: expecting OSC on UDP port 9000']);
  }, 15_000);

  afterAll(async () => {
    if (pd && pd.exitCode === null) {
      const exited = new Promise((done) => pd!.once('exit', done));
      pd.kill('SIGTERM');
      await Promise.race([exited, delay(2000)]);
      if (pd.exitCode === null) pd.kill('SIGKILL');
    }
    sender?.close();
    control?.close();
  });

  it('loads without errors: every object is created and every cord connects', () => {
    expect(log).not.toMatch(/couldn't create|connection failed|error|bad arguments/i);
  });

  it('shows the winning label, the class index and all confidences', async () => {
    await waitForLines(
      ['tw-label: ukulele', 'tw-class: 0', 'tw-confidences: 0.1 0.7 0.2'],
      [
        osc('/tw/label', ['s', 'ukulele']),
        osc('/tw/class', ['i', 0]),
        osc('/tw/confidences', ['f', 0.1], ['f', 0.7], ['f', 0.2]),
      ],
    );
  });

  it('handles a label with a space, per-label confidences and the label list', async () => {
    await waitForLines(
      [
        'tw-label: train whistle',
        'tw-class: 1',
        'tw-confidence: train_whistle 0.7',
        'tw-confidence: ukulele 0.1',
        'tw-labels: list ukulele train\\ whistle water\\ bottle',
      ],
      [
        osc('/tw/labels', ['s', 'ukulele'], ['s', 'train whistle'], ['s', 'water bottle']),
        osc('/tw/label', ['s', 'train whistle']),
        osc('/tw/class', ['i', 1]),
        osc('/tw/confidence/ukulele', ['f', 0.1]),
        osc('/tw/confidence/train_whistle', ['f', 0.7]),
      ],
    );
  });

  it('sends the control messages as OSC the page understands', async () => {
    const deadline = Date.now() + 3000;
    while (controlPackets.length < 4 && Date.now() < deadline) await delay(50);
    expect(controlPackets.map(decode)).toEqual([
      { address: '/tw/train', types: ',', args: [] },
      { address: '/tw/run', types: ',i', args: [1] },
      { address: '/tw/record', types: ',si', args: ['ukulele', 1] },
      { address: '/tw/clear', types: ',s', args: ['ukulele'] },
    ]);
  });
});

describe('examples/puredata/trainwhistle.pd as text', () => {
  it('connects only boxes that exist', () => {
    const lines = readFileSync(PD_PATCH, 'utf8').split(/;\r?\n/);
    expect(lines[0]).toMatch(/^#N canvas /);
    const boxes = lines.filter((l) => /^#X (obj|msg|text|floatatom|symbolatom|listbox) /.test(l)).length;
    const connects = lines.filter((l) => l.startsWith('#X connect '));
    expect(connects.length).toBeGreaterThan(0);
    for (const c of connects) {
      const [from, , to] = c.split(' ').slice(2).map(Number);
      expect(from).toBeLessThan(boxes);
      expect(to).toBeLessThan(boxes);
    }
    for (const p of [
      'print tw-label',
      'print tw-confidences',
      'print tw-class',
      'netreceive -u -b 9000',
      'netsend -u -b',
    ]) {
      expect(
        lines.some((l) => l.endsWith(` ${p}`)),
        p,
      ).toBe(true);
    }
  });
});

interface MaxBox {
  id: string;
  maxclass: string;
  text?: string;
  numinlets: number;
  numoutlets: number;
  outlettype?: string[];
}

/** Inlets and outlets of the Max objects the example uses, as Max 8 makes them. */
function maxIo(box: MaxBox): [number, number] {
  const fixed: Record<string, [number, number]> = {
    message: [2, 1],
    number: [1, 2],
    flonum: [1, 2],
    multislider: [1, 2],
    comment: [1, 0],
  };
  if (box.maxclass !== 'newobj') {
    const io = fixed[box.maxclass];
    if (!io) throw new Error(`${box.id}: add ${box.maxclass} to the table of known Max objects`);
    return io;
  }
  const [name, ...args] = (box.text ?? '').split(' ');
  switch (name) {
    case 'udpreceive':
      return [1, 1];
    case 'udpsend':
    case 'print':
      return [1, 0];
    case 'route': // one outlet per argument plus the reject outlet; Max 7+ adds an inlet per argument
      return [args.length + 1, args.length + 1];
    case 'unpack':
      return [1, args.length];
    case 'prepend':
    case 'defer':
    case 'deferlow':
      return [1, 1];
    case 'zl':
      return [2, 2];
    default:
      throw new Error(`${box.id}: add [${name}] to the table of known Max objects`);
  }
}

describe('examples/max/trainwhistle.maxpat', () => {
  const patch = JSON.parse(readFileSync(MAX_PATCH, 'utf8')) as {
    patcher: {
      fileversion: number;
      appversion: { major: number };
      boxes: { box: MaxBox }[];
      lines: { patchline: { source: [string, number]; destination: [string, number] } }[];
    };
  };
  const boxes = patch.patcher.boxes.map((b) => b.box);
  const byId = new Map(boxes.map((b) => [b.id, b]));
  const byText = (text: string) => boxes.find((b) => b.text === text);

  it('is a Max 8 patcher with unique box ids', () => {
    expect(patch.patcher.fileversion).toBe(1);
    expect(patch.patcher.appversion.major).toBe(8);
    expect(byId.size).toBe(boxes.length);
  });

  it('declares the inlets and outlets each object really has', () => {
    for (const box of boxes) {
      expect([box.numinlets, box.numoutlets], `${box.id} ${box.text ?? box.maxclass}`).toEqual(maxIo(box));
      if (box.numoutlets > 0) expect(box.outlettype, box.id).toHaveLength(box.numoutlets);
    }
  });

  it('joins existing boxes at existing inlets and outlets', () => {
    expect(patch.patcher.lines.length).toBeGreaterThan(0);
    for (const { patchline } of patch.patcher.lines) {
      const [src, outlet] = patchline.source;
      const [dst, inlet] = patchline.destination;
      const from = byId.get(src);
      const to = byId.get(dst);
      expect(from, `line from ${src}`).toBeDefined();
      expect(to, `line to ${dst}`).toBeDefined();
      expect(outlet).toBeLessThan(from!.numoutlets);
      expect(inlet).toBeLessThan(to!.numinlets);
    }
  });

  it('receives on UDP 9000, routes the addresses, and sends control to UDP 9001', () => {
    const udp = byText('udpreceive 9000');
    const route = byText('route /tw/label /tw/confidences /tw/class /tw/labels');
    const send = byText('udpsend 127.0.0.1 9001');
    expect(udp && route && send).toBeTruthy();
    const cords = patch.patcher.lines.map(({ patchline: l }) => `${l.source[0]}:${l.source[1]}>${l.destination[0]}`);
    expect(cords).toContain(`${udp!.id}:0>${route!.id}`);
    const toSend = patch.patcher.lines
      .filter((l) => l.patchline.destination[0] === send!.id)
      .map((l) => byId.get(l.patchline.source[0])!.text);
    expect(toSend).toEqual(
      expect.arrayContaining(['/tw/record ukulele 1', '/tw/record ukulele 0', '/tw/train', '/tw/run 1', '/tw/run 0']),
    );
  });
});
