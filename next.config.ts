import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // PGlite and onnxruntime-node load their own wasm / native files from node_modules at run time.
  // `npm test` type-checks the whole project (tests included) with tsc; the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
  serverExternalPackages: ['@electric-sql/pglite', 'onnxruntime-node'],
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
    // Cross-origin isolation gives the page SharedArrayBuffer, which multi-threaded WASM needs.
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          { key: 'Cross-Origin-Embedder-Policy', value: 'require-corp' },
        ],
      },
    ];
  },
};

export default nextConfig;
