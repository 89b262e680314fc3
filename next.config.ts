import type { NextConfig } from 'next';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from './lib/server/access/isolation-headers';

// With proxy.ts in place Next.js hands route handlers at most proxyClientMaxBodySize bytes of a
// body (10 MB by default) and silently drops the rest, which would store a truncated upload. Set
// it 1 MiB above the largest cap a route enforces (64 MiB forecasts; uploads plus multipart
// overhead; browser-trained models, 96 MiB by default), so any body cut here is already over its
// route's cap and answered 413.
const uploadMaxBytes = Number(process.env.LOOKAHEAD_UPLOAD_MAX_BYTES ?? 50 * 1024 * 1024);
const trainedMaxBytes = Number(process.env.LOOKAHEAD_TRAINED_MAX_BYTES ?? 96 * 1024 * 1024);
const largestBodyCap = Math.max(64 * 1024 * 1024, (Number.isFinite(uploadMaxBytes) ? uploadMaxBytes : 0) + 64 * 1024, Number.isFinite(trainedMaxBytes) ? trainedMaxBytes : 0);

const nextConfig: NextConfig = {
  poweredByHeader: false,
  experimental: { proxyClientMaxBodySize: largestBodyCap + 1024 * 1024 },
  // PGlite and onnxruntime-node load their own wasm / native files from node_modules at run time.
  // `npm test` type-checks the whole project (tests included) with tsc; the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
  // TensorFlow.js (trained Informer models in POST /api/forecast) loads its wasm binary and, for
  // gradients, a bundle esbuild writes at run time: both need the real packages, not bundled copies.
  serverExternalPackages: ['@electric-sql/pglite', 'onnxruntime-node', 'pg-boss', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', 'esbuild'],
  async rewrites() {
    // Share pages and their previews come from the share cache (lib/server/share-cache), which
    // renders each once by asking for the same path with this header (and Next's own RSC requests
    // go straight to the renderer). The header name is SHARE_RENDER_HEADER there.
    const render = [
      { type: 'header' as const, key: 'x-lookahead-share-render' },
      { type: 'header' as const, key: 'rsc' },
    ];
    return {
      beforeFiles: [
        { source: '/f/:token', missing: render, destination: '/api/share-pages/:token' },
        { source: '/f/:token/opengraph-image', missing: render, destination: '/api/share-pages/:token/image' },
      ],
    };
  },
  async headers() {
    return [{ source: '/:path*', headers: Object.entries(CROSS_ORIGIN_ISOLATION_HEADERS).map(([key, value]) => ({ key, value })) }];
  },
};

export default nextConfig;
