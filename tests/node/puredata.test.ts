/**
 * The receiver examples, checked for real:
 * - examples/puredata/trainwhistle.pd runs in a headless Pure Data (`pd -nogui`), fed through a real bridge
 *   process with what the page's OSC output sends (`toOscMessages` and `pack`) for real predictions; the
 *   patch prints what it parsed. Its control section sends real OSC through the bridge to a page, which
 *   reads each as the command it means. The patch listens on UDP 9000 and sends to 9001 by design, so the
 *   test runs a copy with free ports in their place.
 * - examples/max/trainwhistle.maxpat (no Max here) is checked structurally: every patch cord joins
 *   existing boxes at inlets and outlets those objects really have.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import OSC from 'osc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePacket, toCommand } from '../../src/outputs/control';
import { freshMemory, pack, toOscMessages } from '../../src/outputs/osc-messages';
import type { Prediction } from '../../src/protocol/engine-api';
import { HAND_KEYPOINT_NAMES } from '../../src/protocol/hand';
import {
  cleanUp,
  connectPage,
  freeUdpPort,
  sendFrame,
  startBridge,
  type BridgeProcess,
  type Page,
} from '../support/bridge';
import { prediction } from '../support/prediction';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const PD_PATCH = join(REPO, 'examples', 'puredata', 'trainwhistle.pd');
const MAX_PATCH = join(REPO, 'examples', 'max', 'trainwhistle.maxpat');
/** The ports the Pd example uses, as users' patches do: it receives the predictions on one, sends control to the other. */
const PD_IN = 9000;
const PD_CONTROL = 9001;

function decode(buf: Buffer): { address: string; types: string; args: unknown[] } {
  const m = new OSC.TypedMessage('/', []);
  m.unpack(new DataView(buf.buffer, buf.byteOffset, buf.byteLength));
  return { address: m.address, types: m.types, args: m.args };
}

const delay = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * The patch with `input` in place of 9000 and `control` in place of 9001, wherever they appear (its
 * objects, and the texts that name them). Throws unless the patch receives on 9000 and sends to 9001
 * and uses no other port, so that a port added or changed in the example cannot slip past the substitution.
 */
function withPorts(patch: string, input: number, control: number): string {
  // Boxes and messages, without their canvas position (two numbers, which can pass 1000).
  const boxes = patch
    .split(/;\r?\n/)
    .filter((l) => /^#X (obj|msg) /.test(l))
    .map((l) => l.split(' ').slice(4).join(' '));
  const ports = boxes.flatMap((b) => b.match(/\b\d{4,5}\b/g) ?? []);
  const receivers = boxes.filter((b) => /^netreceive\b/.test(b));
  const connects = boxes.filter((b) => /^connect\b/.test(b));
  const expected = [`netreceive -u -b ${PD_IN}`, `connect 127.0.0.1 ${PD_CONTROL}`];
  if (
    ports.some((p) => p !== String(PD_IN) && p !== String(PD_CONTROL)) ||
    JSON.stringify([...receivers, ...connects]) !== JSON.stringify(expected)
  ) {
    throw new Error(
      `The Pd example should receive with [${expected[0]}], send with [${expected[1]}( and use no other port; ` +
        `it has ${JSON.stringify([...receivers, ...connects])} and the numbers ${JSON.stringify(ports)}. Update this test.`,
    );
  }
  return patch
    .replace(new RegExp(`\\b${PD_IN}\\b`, 'g'), String(input))
    .replace(new RegExp(`\\b${PD_CONTROL}\\b`, 'g'), String(control));
}

/** The page's OSC output with its defaults (`oscOutput()`): trainwhistle's addresses, one message per label. */
const TW = { prefix: '/tw', mode: 'tw' as const, labelEveryFrame: false, perLabel: true, hands: true };

describe('examples/puredata/trainwhistle.pd in a headless Pure Data, through a real bridge', () => {
  let pd: ChildProcess | undefined;
  let log = '';
  let dir: string | undefined;
  let bridge: BridgeProcess;
  let page: Page;
  let pdPort: number;

  /** Resolves once Pd's console, from character `since` on, holds every line; fails after `timeoutMs`. */
  async function waitForLines(lines: string[], since = 0, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const missing = () => lines.filter((l) => !log.slice(since).split('\n').includes(l));
    while (missing().length > 0) {
      if (Date.now() > deadline) throw new Error(`Pd never printed ${JSON.stringify(missing())}. Its console:\n${log}`);
      await delay(50);
    }
  }

  /** Sends what the page's OSC output sends for `p` (from a fresh start) through the bridge to Pd. */
  async function sendPrediction(p: Prediction): Promise<void> {
    for (const bytes of pack(toOscMessages(p, freshMemory(), TW))) await sendFrame(page.ws, bytes);
  }

  beforeAll(async () => {
    const version = spawnSync('pd', ['-version'], { encoding: 'utf8' });
    if (version.error) {
      throw new Error('Pure Data is not installed: `apt-get install -y puredata-core` (Debian) gives a headless `pd`.');
    }
    // Pd binds every interface; a port free there a moment ago.
    pdPort = await freeUdpPort('0.0.0.0');
    bridge = await startBridge(['--send', `127.0.0.1:${pdPort}`]);
    page = await connectPage(bridge.wsPort, 'http://127.0.0.1:5173');
    dir = await mkdtemp(join(tmpdir(), 'tw-pd-'));
    const patch = join(dir, 'trainwhistle.pd');
    await writeFile(patch, withPorts(readFileSync(PD_PATCH, 'utf8'), pdPort, bridge.listenPort));

    // `-send` runs after the patch has loaded (and its loadbang has connected [netsend] to the bridge):
    // it clicks what the control section's messages do.
    const sends = ['tw-send train', 'tw-send run 1', 'tw-send record ukulele 1', 'tw-send clear ukulele'].join('; ');
    pd = spawn('pd', ['-nogui', '-noprefs', '-stderr', '-nosound', '-nomidi', '-open', patch, '-send', sends], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pd.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    pd.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await waitForLines([`trainwhistle: patch loaded: expecting OSC on UDP port ${pdPort}`]);
  }, 20_000);

  afterAll(async () => {
    if (pd && pd.exitCode === null) {
      const exited = new Promise((done) => pd!.once('exit', done));
      pd.kill('SIGTERM');
      await Promise.race([exited, delay(2000)]);
      if (pd.exitCode === null) pd.kill('SIGKILL');
    }
    await cleanUp();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loads without errors: every object is created and every cord connects', () => {
    expect(log).not.toMatch(/couldn't create|connection failed|error|bad arguments/i);
  });

  it('shows the winning label, the class index and all confidences', async () => {
    const since = log.length;
    // As hold() emits it: the label held at 'ukulele' while the confidences have moved on.
    await sendPrediction(prediction('ukulele', { ukulele: 0.1, 'train whistle': 0.7, 'water bottle': 0.2 }));
    await waitForLines(['tw-label: ukulele', 'tw-class: 0', 'tw-confidences: 0.1 0.7 0.2'], since);
  });

  it('handles a label with a space, per-label confidences and the label list', async () => {
    const since = log.length;
    await sendPrediction(prediction('train whistle', { ukulele: 0.1, 'train whistle': 0.7, 'water bottle': 0.2 }));
    await waitForLines(
      [
        'tw-label: train whistle',
        'tw-class: 1',
        'tw-confidence: train_whistle 0.7',
        'tw-confidence: ukulele 0.1',
        'tw-confidence: water_bottle 0.2',
        'tw-labels: list ukulele train\\ whistle water\\ bottle',
        'tw-confidences: 0.1 0.7 0.2',
      ],
      since,
    );
  });

  it("prints the right hand's index fingertip of a hands pipeline, x y z", async () => {
    const since = log.length;
    const keypoints = HAND_KEYPOINT_NAMES.map((name, i) => ({
      name,
      x: 0.5,
      y: 0.25,
      z: i === 8 ? -0.125 : 0,
      score: 0.99,
    }));
    await sendPrediction({
      ...prediction('', {}),
      hands: [{ id: 1, handedness: 'Right', score: 0.99, keypoints }],
    });
    await waitForLines(['tw-hand-right-index-tip: 0.5 0.25 -0.125'], since);
  });

  it('sends the control messages as OSC the page understands, through the bridge', async () => {
    const frames = [];
    for (let i = 0; i < 4; i++) frames.push(await page.inbox.next());
    expect(frames.every((f) => f.binary)).toBe(true);
    expect(frames.map((f) => decode(f.data))).toEqual([
      { address: '/tw/train', types: ',', args: [] },
      { address: '/tw/run', types: ',i', args: [1] },
      { address: '/tw/record', types: ',si', args: ['ukulele', 1] },
      { address: '/tw/clear', types: ',s', args: ['ukulele'] },
    ]);
    const commands = frames.flatMap((f) =>
      decodePacket(f.data.buffer.slice(f.data.byteOffset, f.data.byteOffset + f.data.byteLength) as ArrayBuffer).map(
        (m) => toCommand(m.address, m.args),
      ),
    );
    expect(commands).toEqual([
      { kind: 'train' },
      { kind: 'run', on: true },
      { kind: 'record', label: 'ukulele', on: true },
      { kind: 'clear', label: 'ukulele' },
    ]);
  });
});

describe('examples/puredata/trainwhistle.pd as text', () => {
  it('receives on UDP 9000 and sends control to 9001, and on no other port (the Pd test runs a copy with others)', () => {
    const patch = readFileSync(PD_PATCH, 'utf8');
    const copy = withPorts(patch, 45_000, 45_001);
    expect(copy).toContain('netreceive -u -b 45000;');
    expect(copy).toContain('connect 127.0.0.1 45001;');
    expect(copy).toContain('expecting OSC on UDP port 45000;');
    expect(copy).not.toMatch(/\b900[01]\b/);
    expect(copy.split('\n').length).toBe(patch.split('\n').length);
    expect(() => withPorts(patch.replace('connect 127.0.0.1 9001', 'connect 127.0.0.1 9002'), 1, 2)).toThrow(/9002/);
    expect(() => withPorts(`${patch}#X obj 20 20 netreceive -u -b 12000;\n`, 1, 2)).toThrow(/12000/);
  });

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
