/**
 * Starts the engine's worker script, wherever the library was loaded from.
 *
 * - From the page's own origin (the app, a bundler's output, a copy of dist/standalone beside the page): the
 *   `new Worker(new URL(…, import.meta.url), { type: 'module' })` that bundlers recognise, as it is.
 * - From another origin (jsDelivr or unpkg serving the package to a sketch in the p5.js web editor), browsers
 *   refuse that with a SecurityError. The worker then starts from a same-origin `blob:` module whose one line
 *   imports the real script, as libraries that ship workers do. That script keeps its own URL as
 *   `import.meta.url`, so it finds its `.wasm` files beside itself on the other origin; the worker's origin is
 *   the page's (a `data:` bootstrap would give it an opaque one, without IndexedDB), so its model cache is the
 *   page's, and what it fetches from the other origin (the script, the `.wasm` files, weights kept there) must
 *   come with CORS, which jsDelivr and unpkg send.
 */

/** The worker's file beside the built module: scripts/build.mjs names it after src/worker/worker.ts. */
const PACKAGED_WORKER = './worker.js';

export interface EngineWorker {
  worker: Worker;
  /** The script's URL when it is on another origin than the page (started through a bootstrap); else null. */
  crossOrigin: string | null;
  /** Frees the bootstrap once the worker has loaded its script, or failed to. */
  loaded: () => void;
}

/** A new engine worker (not yet initialised); its script loads in the background. */
export function startEngineWorker(): EngineWorker {
  try {
    // The form bundlers recognise (options written out, which Vite requires): Vite starts the worker from source
    // in the app, and scripts/build.mjs rewrites it to `new URL('./worker.js', import.meta.url)` for the package.
    const worker = new Worker(new URL('../worker/worker.ts', import.meta.url), {
      type: 'module',
      name: 'trainwhistle-engine',
    });
    return { worker, crossOrigin: null, loaded: () => {} };
  } catch (e) {
    if (!(e instanceof DOMException && e.name === 'SecurityError')) throw e;
  }
  // A variable, not a literal: bundlers must not take it for an asset of their own (the app never gets here).
  const script = new URL(PACKAGED_WORKER, import.meta.url).href;
  const bootstrap = URL.createObjectURL(new Blob([`import ${JSON.stringify(script)};\n`], { type: 'text/javascript' }));
  return {
    worker: new Worker(bootstrap, { type: 'module', name: 'trainwhistle-engine' }),
    crossOrigin: script,
    loaded: () => URL.revokeObjectURL(bootstrap),
  };
}
