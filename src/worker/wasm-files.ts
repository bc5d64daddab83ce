/**
 * Where the wasm backend finds its `.wasm` files in a bundle: the app's build (Vite) fingerprints them into
 * assets/; the package's (scripts/build.mjs) puts them beside the worker, as
 * `new URL('./<name>.wasm', import.meta.url)`. The worker and the benchmark's main-thread baseline both
 * load the engine with it.
 */
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** Registers the browser backends (WebGPU beside tfjs's own WebGL and wasm) and tells wasm where its files are. */
export function useBundledBackends(): void {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasm,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
  });
}
