// @ts-check
/** The real bridge (bridge/cli.mjs) as a child process on free ports, as a user runs it. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../bridge/cli.mjs', import.meta.url));
const FIRST_LINE = /^trainwhistle bridge: ws:\/\/127\.0\.0\.1:(\d+)\s+udp-in 127\.0\.0\.1:(\d+)/m;

/**
 * Starts the bridge sending to `udpPort`, accepting pages from `origin`; resolves once it listens.
 * @param {{ udpPort: number, origin: string }} o
 * @returns {Promise<{ wsPort: number, output: () => string, stop: () => Promise<string> }>}
 */
export function startBridge({ udpPort, origin }) {
  const args = [CLI, '--ws-port', '0', '--listen-port', '0', '--send', `127.0.0.1:${udpPort}`, '--allow-origin', origin];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d) => (out += d));
  const exited = new Promise((resolve) => proc.on('close', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bridge did not start within 10 s: ${out}`)), 10_000);
    void exited.then(() => reject(new Error(`the bridge exited: ${out}`)));
    proc.stdout.on('data', () => {
      const m = FIRST_LINE.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        wsPort: Number(m[1]),
        output: () => out,
        stop: async () => {
          proc.kill('SIGTERM');
          await exited;
          return out;
        },
      });
    });
  });
}
