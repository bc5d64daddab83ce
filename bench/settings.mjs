// @ts-check
/**
 * How long each phase runs, per backend. Quick mode (`npm run bench -- --quick`, under 2 minutes on
 * 2 cores) keeps the slow software backends to a few frames; the full run aims at 2,000 pipeline
 * frames, capped in time where a backend is too slow for that (the frame count is recorded).
 */

/** The runner's phases, in the order they run (`--phases` picks some). */
export const PHASES = /** @type {const} */ ([
  'backends',
  'pose',
  'people',
  'hands',
  'teachable-machine',
  'camera120',
  'gestures',
  'training',
  'cold',
  'project',
]);
/** @typedef {typeof PHASES[number]} Phase */

/** Backends in the order they run: the fast ones first, software WebGPU (about 1 fps here) last. */
export const BACKENDS = /** @type {const} */ (['wasm', 'webgl', 'cpu', 'webgpu']);
/** @typedef {typeof BACKENDS[number]} Backend */

/**
 * Quick mode leaves out software WebGPU (its shaders alone take ~30 s to compile here, for ~1 fps)
 * unless asked for with --backends.
 */
export const QUICK_BACKENDS = /** @type {const} */ (['wasm', 'webgl', 'cpu']);

/**
 * The pose phase (MoveNet instead of MobileNet): wasm, the backend that runs it fastest without a GPU, and
 * webgl, where a real GPU gives MoveNet its published speed (104 fps on a 2019 MacBook Pro). Quick: wasm.
 */
export const POSE_BACKENDS = /** @type {const} */ (['wasm', 'webgl']);
export const QUICK_POSE_BACKENDS = /** @type {const} */ (['wasm']);

/**
 * The 120 fps camera phase (a PS3 Eye's rate): a browser of its own whose fake camera plays a 120 fps clip, on
 * wasm, the backend that runs MobileNet fastest here. `idle`: the camera alone first (what the device delivers).
 * @param {boolean} quick
 * @returns {{ fps: number, backend: Backend, raw: number, camera: number, idle: number }}
 */
export function cameraRateSettings(quick) {
  return { fps: 120, backend: 'wasm', raw: quick ? 3000 : 10_000, camera: quick ? 10_000 : 30_000, idle: 3000 };
}

/**
 * The gesture line: the DTW head matching 20 templates of 60 frames (51 pose features) frame by frame.
 * @param {boolean} quick
 */
export function gestureSettings(quick) {
  return { templates: 20, frames: 60, stream: quick ? 1000 : 3000 };
}

/**
 * The pose phase's lengths, per backend (MoveNet is 3–10× slower than MobileNet v1 0.25 here).
 * @param {boolean} quick
 * @returns {{ raw: Record<Backend, number>, frames: Record<Backend, number>, maxMs: Record<Backend, number>, camera: Record<Backend, number>, baseline: Record<Backend, number> }}
 */
export function poseSettings(quick) {
  if (quick) {
    return {
      raw: { wasm: 3000, webgl: 2500, cpu: 2000, webgpu: 2500 },
      frames: { wasm: 2000, webgl: 2000, cpu: 2000, webgpu: 2000 },
      maxMs: { wasm: 6000, webgl: 4000, cpu: 3000, webgpu: 3000 },
      camera: { wasm: 5000, webgl: 3000, cpu: 2500, webgpu: 2500 },
      baseline: { wasm: 2500, webgl: 0, cpu: 0, webgpu: 0 },
    };
  }
  return {
    raw: { wasm: 10_000, webgl: 10_000, cpu: 10_000, webgpu: 10_000 },
    frames: { wasm: 2000, webgl: 2000, cpu: 2000, webgpu: 2000 },
    maxMs: { wasm: 60_000, webgl: 40_000, cpu: 30_000, webgpu: 30_000 },
    camera: { wasm: 15_000, webgl: 15_000, cpu: 15_000, webgpu: 15_000 },
    baseline: { wasm: 10_000, webgl: 10_000, cpu: 0, webgpu: 0 },
  };
}

/**
 * @param {boolean} quick
 * @returns {{ raw: Record<Backend, number>, frames: Record<Backend, number>, maxMs: Record<Backend, number>, camera: Record<Backend, number>, baseline: Record<Backend, number>, perLabel: number, project: { examples: number, classes: number } }}
 */
export function settings(quick) {
  if (quick) {
    return {
      raw: { wasm: 3000, webgl: 2000, cpu: 2000, webgpu: 2500 },
      frames: { wasm: 2000, webgl: 2000, cpu: 2000, webgpu: 2000 },
      maxMs: { wasm: 5000, webgl: 3000, cpu: 3000, webgpu: 3000 },
      camera: { wasm: 4000, webgl: 2500, cpu: 2500, webgpu: 2500 },
      // A GPU baseline compiles every shader again on the main thread (~15 s on SwiftShader): full run only.
      baseline: { wasm: 2500, webgl: 0, cpu: 2000, webgpu: 0 },
      perLabel: 50,
      // Where Teachable Machine's page gives up; about 40 s here (5,000 take 2–4 minutes).
      project: { examples: 1000, classes: 5 },
    };
  }
  return {
    raw: { wasm: 10_000, webgl: 10_000, cpu: 10_000, webgpu: 10_000 },
    frames: { wasm: 2000, webgl: 2000, cpu: 2000, webgpu: 2000 },
    maxMs: { wasm: 90_000, webgl: 60_000, cpu: 60_000, webgpu: 40_000 },
    camera: { wasm: 15_000, webgl: 15_000, cpu: 15_000, webgpu: 15_000 },
    baseline: { wasm: 10_000, webgl: 10_000, cpu: 10_000, webgpu: 10_000 },
    perLabel: 50,
    // More than three times the 1,000–1,500 images at which Teachable Machine's page gives up.
    project: { examples: 5000, classes: 5 },
  };
}
