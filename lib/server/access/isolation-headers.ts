/**
 * Cross-origin isolation gives the page SharedArrayBuffer, which multi-threaded WASM needs. On
 * every response: next.config.ts sets them for what Next serves, and the share front
 * (lib/server/share-cache/front.ts) for what it answers before Next. No imports: next.config.ts
 * loads this file.
 */
export const CROSS_ORIGIN_ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};
