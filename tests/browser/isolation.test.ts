/**
 * Threaded WebAssembly: the app and the harness are served cross-origin isolated (COOP + COEP, as
 * vite.config.ts sends them), so the wasm backend loads its threaded build and runs its threads (half the
 * cores, at most 4: one on this 2-core machine) — and says so in `info.backend`.
 */
import { expect, test } from 'vitest';
import { launch, open } from './browser';

test('the page is cross-origin isolated and the worker runs the threaded wasm build', async () => {
  const browser = await launch({ camera: false, webgpu: false });
  try {
    const { page } = await open(browser, 'tests/browser/harness.html');
    const wasmFiles: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('.wasm')) wasmFiles.push(new URL(r.url()).pathname.split('/').pop()!);
    });
    const result = await page.evaluate(async () => {
      const pipe = await window.tw.createPipeline({ backend: 'wasm', head: 'knn' });
      const { crossOriginIsolated: workerIsolated, wasmThreads } = pipe.info.backend;
      await pipe.close();
      return { page: crossOriginIsolated, workerIsolated, wasmThreads, cores: navigator.hardwareConcurrency };
    });
    expect(result.page).toBe(true);
    expect(result.workerIsolated).toBe(true);
    expect(result.wasmThreads).toBe(Math.min(4, Math.max(1, Math.floor(result.cores / 2))));
    expect(wasmFiles.some((f) => f.startsWith('tfjs-backend-wasm-threaded-simd'))).toBe(true);
  } finally {
    await browser.close();
  }
});
