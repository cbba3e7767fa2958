import type { TestProject } from 'vitest/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { packageRoot } from '../src/paths.js';
import { DEMO_ADMIN_EMAIL, DEMO_PASSWORD, loadDemo } from '../src/cli/demo.js';
import { Api } from './browser.js';

/**
 * For the e2e project: builds the web app as shipped, starts the real server on an empty PGlite
 * folder and a free port, and hands its URL to the tests. Each test file sets up what it needs.
 */
export default async function setup(project: TestProject) {
  // Vitest runs with NODE_ENV=test, which would bundle React's development build.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({ configFile: join(packageRoot, 'web/vite.config.ts'), logLevel: 'warn', mode: 'production' });
  } finally {
    process.env['NODE_ENV'] = nodeEnv;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'seg-e2e-'));
  const server = await startServer(loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), () => {});
  const baseUrl = `http://127.0.0.1:${server.port}`;
  // Two workspaces: a clean one whose admin the journeys use (set up first, through the API), and
  // the demo one for screenshots with realistic data.
  await new Api(baseUrl).asAdmin();
  const demo = await loadDemo(server.deps.database);
  project.provide('baseUrl', baseUrl);
  project.provide('demo', { email: demo.adminEmail ?? DEMO_ADMIN_EMAIL, password: DEMO_PASSWORD, userEmails: demo.userEmails });
  return async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext { baseUrl: string; demo: { email: string; password: string; userEmails: string[] } }
}
