import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // PGlite and onnxruntime-node load their own wasm / native files from node_modules at run time.
  // `npm test` type-checks the whole project (tests included) with tsc; the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
  serverExternalPackages: ['@electric-sql/pglite', 'onnxruntime-node', 'pg-boss'],
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
