import { defineConfig } from 'vitest/config';

// Unit and integration tests (Node). The browser end-to-end suite has its own config.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // 2-core machines: tfjs wasm already uses both cores, so run files one at a time.
    fileParallelism: false,
  },
});
