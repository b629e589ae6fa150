import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/support/loopback-only.ts'],
    globalSetup: ['test/support/build.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
