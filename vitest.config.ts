import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // CI reads a plain "N passed, N failed" closing line; the default reporter still shows everything.
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
