/**
 * liblo's `oscdump` (Debian liblo-tools) as an independent OSC decoder: every packet it receives
 * becomes a line such as `/tw/confidences fff 0.100000 0.200000 0.700000`.
 */
import { spawn, spawnSync } from 'node:child_process';
import OSC from 'osc-js';
import { Inbox, freeUdpPort, udpPeer } from './bridge';

export const hasOscdump = spawnSync('oscdump', ['-h']).error === undefined;

export interface Oscdump {
  port: number;
  /** Lines as printed: a time tag first (a bundle's own, or a plain message's arrival time). */
  lines: Inbox<string>;
  /** Every line so far (including ones already taken from `lines`), without the time tag. */
  all: string[];
  stop(): void;
}

/** A line without the time tag oscdump prints first. */
export const withoutTime = (line: string): string => line.replace(/^[0-9a-f]{8}\.[0-9a-f]{8} /, '');

/** The address of the packets that check oscdump is listening; their lines never reach `lines` or `all`. */
const KNOCK = '/oscdump-test/knock';

/** Starts oscdump on a free UDP port and waits until it is listening. */
export async function startOscdump(): Promise<Oscdump> {
  if (!hasOscdump) throw new Error('oscdump is missing: apt-get install liblo-tools (.ci/run installs it).');
  const port = await freeUdpPort();
  const dump = spawn('oscdump', ['-L', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = new Inbox<string>('oscdump');
  const all: string[] = [];
  let heard = () => {};
  const listening = new Promise<void>((resolve) => (heard = resolve));
  let rest = '';
  dump.stdout.setEncoding('utf8').on('data', (d: string) => {
    const parts = (rest + d).split('\n');
    rest = parts.pop()!;
    for (const line of parts) {
      // A knock may still arrive after the first was heard: it is dropped here, whenever it comes.
      if (withoutTime(line).trimEnd() === KNOCK) heard();
      else {
        all.push(withoutTime(line));
        lines.push(line);
      }
    }
  });
  // oscdump says nothing when it is ready: knock until it prints a knock.
  const knocker = await udpPeer();
  const knock = new OSC.Message(KNOCK).pack();
  const timer = setInterval(() => void knocker.send(knock, port), 100);
  let timeout: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      listening,
      new Promise((_, reject) => {
        timeout = setTimeout(() => reject(new Error(`oscdump printed nothing for 10 s on UDP port ${port}`)), 10_000);
      }),
    ]);
  } catch (err) {
    dump.kill('SIGKILL');
    throw err;
  } finally {
    clearInterval(timer);
    clearTimeout(timeout);
  }
  return { port, lines, all, stop: () => dump.kill('SIGKILL') };
}
