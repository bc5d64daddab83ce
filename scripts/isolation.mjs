// @ts-check
/**
 * Cross-origin isolation: with it, tfjs-backend-wasm runs its threaded build (SharedArrayBuffer), up to half
 * the cores (2–3× for MobileNet on a laptop). Every server of the app sends these two headers — Vite's dev
 * and preview servers (vite.config.ts) and `npm run serve` (scripts/serve.mjs) — and any static host must
 * too (see the README). Cross-origin fetches (the official model URLs) stay allowed: they answer with CORS.
 */
export const ISOLATION_HEADERS = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});
