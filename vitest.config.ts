import { defineConfig } from 'vitest/config';

// SoftHSM2 dislikes concurrent worker threads: every test file runs in its own forked process.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    // Builds dist/ (used by CLI tests that spawn bin/evoucher.js) when it is older than src/.
    globalSetup: ['test/global_setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
