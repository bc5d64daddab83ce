/**
 * The worker entry: registers the browser backends and exposes one Engine through comlink.
 * The main thread talks to it only through the types in src/protocol. Projects are kept in IndexedDB.
 */
import * as Comlink from 'comlink';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { carryErrors } from '../protocol/errors';
import { Engine } from './engine';
import { openIdbStore } from './project/idb-store';

// Tell the backend where each .wasm file ended up. The app's build (Vite) fingerprints them into assets/;
// the package's (scripts/build.mjs) puts them beside this worker, as `new URL('./<name>.wasm', import.meta.url)`.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasm,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});

carryErrors();
Comlink.expose(new Engine({ openStore: openIdbStore }));
