/**
 * The defaults of createPipeline's own options (the engine's are DEFAULT_ENGINE_OPTIONS) and of
 * `record()`: the one place each is written; the option interfaces say what each means.
 */
export const PIPELINE_DEFAULTS = Object.freeze({
  /** ms between two `metrics$` values while running. */
  metricsIntervalMs: 500,
  /** A camera <video>'s frames are read in the worker where the browser can. */
  workerCamera: true,
  /** `auto`'s choice is remembered on this device. */
  rememberBackend: true,
  /** Examples a second at most while recording. */
  recordMaxFps: 10,
});
