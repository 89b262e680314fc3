import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';
export default defineConfig({
  resolve: { alias: { '@': '/work/wt/i10/', 'server-only': '/work/wt/i10/tests/support/server-only.ts' } },
  test: { include: ['tests/e2e/informer-*.test.ts'], testTimeout: 600_000, hookTimeout: 180_000, pool: 'forks' },
});
