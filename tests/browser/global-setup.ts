/**
 * Before the browser tests: put the real weights where the app serves them (public/models, git-ignored,
 * via the same `npm run models -- ../shared/models` a user runs), build the app plus the test harness,
 * serve the build on a free localhost port, and build the fake-camera clip from the real photos.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { build, preview } from 'vite';
import { buildClip } from '../support/clip';
import { REPO, SHARED } from '../support/paths';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    clipPath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  execFileSync(process.execPath, [join(REPO, 'scripts/models.mjs'), join(SHARED, 'models')], { stdio: 'pipe' });
  await build({ root: REPO, mode: 'test', logLevel: 'warn', configFile: join(REPO, 'vite.config.ts') });
  const server = await preview({
    root: REPO,
    mode: 'test',
    configFile: join(REPO, 'vite.config.ts'),
    preview: { port: 0, host: '127.0.0.1', strictPort: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('The preview server did not report a port.');
  project.provide('baseUrl', `http://127.0.0.1:${address.port}/`);
  project.provide('clipPath', (await buildClip()).path);
  return async () => {
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  };
}
