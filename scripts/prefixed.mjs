// @ts-check
/**
 * A Node child process whose output lines are prefixed with its name (`[bridge] …`), for the commands that run
 * the app and the bridge side by side: `npm start` (scripts/start.mjs) and `npx trainwhistle` (bin/).
 */
import { spawn } from 'node:child_process';

/**
 * Runs `node <args>` in `cwd`, its stdout and stderr prefixed line by line.
 * @param {string} name
 * @param {string[]} args
 * @param {string} cwd
 */
export function runPrefixed(name, args, cwd) {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  /** @param {import('node:stream').Readable} stream @param {NodeJS.WriteStream} out */
  const prefix = (stream, out) => {
    let rest = '';
    stream.on('data', (/** @type {Buffer} */ chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) out.write(`[${name}] ${line}\n`);
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  return child;
}
