import { defineConfig } from 'vitest/config';

// Three tiers: pure domain tests (no database), then every storage/API test twice, once on
// embedded PGlite and once on a real PostgreSQL server started for the run.
const dbTests = ['test/**/*.test.ts'];
export default defineConfig({
  test: {
    reporters: ['default'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      { test: { name: 'pglite', include: dbTests, env: { TEST_ENGINE: 'pglite' } } },
      { test: { name: 'postgres', include: dbTests, env: { TEST_ENGINE: 'postgres' }, globalSetup: ['test/global-setup.ts'] } },
    ],
  },
});
