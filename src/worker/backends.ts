/**
 * Picks the tfjs backend. An explicit choice that is unavailable falls back (and says so);
 * `auto` measures the usable backends on a few frames and keeps the fastest, but never
 * measures a software GPU (SwiftShader, llvmpipe): there it is 10–100× slower than wasm.
 */
import * as tf from '@tensorflow/tfjs';
import type { Backend, EngineOptions } from '../protocol/engine-options';
import type { BackendReport, BackendTrial } from '../protocol/engine-api';
import type { Milliseconds } from '../protocol/units';

const FALLBACK_ORDER: Backend[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
/** wasm first: it starts fast everywhere, so a tight budget still measures the usual winner. */
const AUTO_ORDER: Backend[] = ['wasm', 'webgpu', 'webgl', 'cpu'];
const SOFTWARE_GPU = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i;

/** Runs the model on the active backend until `deadline`; returns mean ms per frame. */
export type Measure = (deadline: Milliseconds) => Promise<Milliseconds>;

interface GpuInfo {
  /** What a user can read: vendor, architecture, description. */
  description: string | null;
  software: boolean;
}

async function webgpuInfo(): Promise<GpuInfo | null> {
  const gpu = (globalThis.navigator as (Navigator & { gpu?: GPU }) | undefined)?.gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return null;
  // `info` and `isFallbackAdapter` postdate the @webgpu/types that tfjs 4.22 ships.
  const info = ((adapter as unknown as { info?: Record<string, unknown> }).info ?? {}) as {
    vendor?: string;
    architecture?: string;
    device?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
  const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  const fallback =
    info.isFallbackAdapter ?? (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false;
  return { description: text || 'unknown adapter', software: fallback || SOFTWARE_GPU.test(text) };
}

function webglInfo(): GpuInfo | null {
  if (typeof OffscreenCanvas === 'undefined') return null;
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!gl) return null;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { description: renderer, software: SOFTWARE_GPU.test(renderer) };
}

function deviceKey(webgpu: GpuInfo | null, webgl: GpuInfo | null): string {
  const nav = globalThis.navigator as Navigator | undefined;
  const host = nav ? `${nav.userAgent}|${nav.hardwareConcurrency}` : `node ${globalThis.process?.version}`;
  return `${host}|${webgpu?.description ?? '-'}|${webgl?.description ?? '-'}`;
}

function registered(b: Backend): boolean {
  return tf.findBackendFactory(b) != null;
}

async function activate(b: Backend): Promise<boolean> {
  if (!registered(b)) return false;
  try {
    return await tf.setBackend(b);
  } catch {
    return false;
  }
}

const LABEL: Record<Backend, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly',
  cpu: 'plain JavaScript (cpu)',
};

export async function chooseBackend(
  o: EngineOptions,
  measure: Measure,
): Promise<{ report: Omit<BackendReport, 'crossOriginIsolated' | 'wasmThreads'>; warnings: string[] }> {
  const gpu = await webgpuInfo();
  const gl = registered('webgl') ? webglInfo() : null;
  const key = deviceKey(gpu, gl);
  const warnings: string[] = [];
  const base = { deviceKey: key, gpu: gpu?.description ?? null };
  const unavailable = (b: Backend): string | undefined =>
    !registered(b)
      ? 'not included in this build'
      : b === 'webgpu' && !gpu
        ? 'no WebGPU adapter (navigator.gpu missing or requestAdapter() returned null)'
        : undefined;

  if (o.backend !== 'auto') {
    const start = FALLBACK_ORDER.indexOf(o.backend);
    const trials: BackendTrial[] = [];
    for (const b of FALLBACK_ORDER.slice(start)) {
      const why = unavailable(b);
      if (!why && (await activate(b))) {
        let reason =
          b === o.backend
            ? `${LABEL[b]}, as requested`
            : `${LABEL[o.backend]} was requested but is unavailable (${trials[0]?.skipped}); fell back to ${LABEL[b]}`;
        if (b !== o.backend) warnings.push(`${reason}.`);
        if (b === 'webgpu' && gpu?.software) {
          const w = `The WebGPU adapter is a software renderer (${gpu.description}): expect about 1 frame per second. Choose 'wasm' or 'auto' for speed.`;
          warnings.push(w);
          reason += ` — ${w}`;
        }
        return { report: { ...base, backend: b, reason, trials }, warnings };
      }
      trials.push({ backend: b, skipped: why ?? 'failed to initialise' });
    }
    throw new Error(`No tfjs backend could start (${trials.map((t) => `${t.backend}: ${t.skipped}`).join('; ')}).`);
  }

  const remembered = o.rememberedBackend;
  if (
    remembered &&
    remembered.deviceKey === key &&
    !unavailable(remembered.backend) &&
    (await activate(remembered.backend))
  ) {
    return {
      report: {
        ...base,
        backend: remembered.backend,
        reason: `${LABEL[remembered.backend]}: remembered from an earlier 'auto' run on this device`,
        trials: [],
      },
      warnings,
    };
  }

  const trials: BackendTrial[] = [];
  const budgetEnd = performance.now() + o.autoBudgetMs;
  for (const [i, b] of AUTO_ORDER.entries()) {
    const why =
      unavailable(b) ??
      (b === 'webgpu' && gpu?.software ? `software adapter (${gpu.description})` : undefined) ??
      (b === 'webgl' && gl?.software ? `software renderer (${gl.description})` : undefined);
    if (why) {
      trials.push({ backend: b, skipped: why });
      continue;
    }
    const now = performance.now();
    if (now >= budgetEnd) {
      trials.push({ backend: b, skipped: 'not measured: time budget spent' });
      continue;
    }
    if (!(await activate(b))) {
      trials.push({ backend: b, skipped: 'failed to initialise' });
      continue;
    }
    // Share what is left of the budget among the backends still to measure.
    const slice = (budgetEnd - now) / (AUTO_ORDER.length - i);
    try {
      trials.push({ backend: b, msPerFrame: await measure(now + slice) });
    } catch (e) {
      trials.push({ backend: b, skipped: `failed: ${(e as Error).message}` });
    }
  }
  const measured = trials.filter((t) => t.msPerFrame !== undefined).sort((a, b) => a.msPerFrame! - b.msPerFrame!);
  const best = measured[0];
  if (!best || !(await activate(best.backend))) {
    throw new Error(
      `No tfjs backend could run the model (${trials.map((t) => `${t.backend}: ${t.skipped}`).join('; ')}).`,
    );
  }
  const others = measured
    .slice(1)
    .map((t) => `${t.backend} ${t.msPerFrame!.toFixed(1)} ms`)
    .join(', ');
  const reason = `${LABEL[best.backend]} was fastest: ${best.msPerFrame!.toFixed(1)} ms/frame${others ? ` (vs ${others})` : ''}`;
  return { report: { ...base, backend: best.backend, reason, trials }, warnings };
}
