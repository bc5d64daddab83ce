#!/usr/bin/env node
// @ts-check
/**
 * `npm start`: the app (Vite) and the OSC bridge together, their output prefixed, both stopped by Ctrl-C.
 * If the bridge cannot start (say, its port is taken) the app keeps running and the reason is printed.
 * Arguments after `--` go to the bridge: `npm start -- --send 127.0.0.1:7000`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPrefixed } from './prefixed.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
/** @type {import('node:child_process').ChildProcess[]} */
const children = [];
/** @param {string} name @param {string[]} args */
const run = (name, args) => {
  const child = runPrefixed(name, args, repo);
  children.push(child);
  return child;
};

const app = run('app', [join(repo, 'node_modules/vite/bin/vite.js')]);
const bridge = run('bridge', [join(repo, 'bridge/cli.mjs'), ...process.argv.slice(2)]);
bridge.on('exit', (code) => {
  if (code)
    console.error(
      '[bridge] stopped; the app runs on without OSC. Fix the above and run `npm run bridge` in another terminal.',
    );
});
app.on('exit', (code) => {
  for (const c of children) c.kill();
  process.exit(code ?? 0);
});
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM']))
  process.on(signal, () => {
    for (const c of children) c.kill(signal);
  });
