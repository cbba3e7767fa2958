import { defineConfig } from 'vitest/config';

// Three tiers: pure domain tests (no database), then every storage/API test twice, once on
// embedded PGlite and once on a real PostgreSQL server started for the run.
const dbTests = ['test/**/*.test.ts'];
export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      { extends: true, test: { name: 'pglite', include: dbTests, env: { TEST_ENGINE: 'pglite' }, globalSetup: ['test/global-setup-pglite.ts'] } },
      { extends: true, test: { name: 'postgres', include: dbTests, env: { TEST_ENGINE: 'postgres' }, globalSetup: ['test/global-setup.ts'] } },
      { extends: true, test: { name: 'web', include: ['web/src/**/*.test.{ts,tsx}'] } },
      { extends: true, test: { name: 'e2e', include: ['e2e/**/*.test.ts'], globalSetup: ['e2e/global-setup.ts'], testTimeout: 60_000, hookTimeout: 180_000, fileParallelism: false } },
    ],
  },
});
