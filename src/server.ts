import { serve, type ServerType } from '@hono/node-server';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { migrate } from './db/migrate.js';
import { loadOrCreateSecret } from './db/queries/auth.js';
import { randomToken } from './auth/tokens.js';
import { buildApp } from './http/app.js';
import type { Deps } from './http/context.js';
import { createScheduler } from './jobs/index.js';

/** The composition root: one database handle, migrated, and the app built on it. */
export async function createDeps(config: Config, log: (m: string) => void = () => {}): Promise<Deps> {
  const database: Database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  await migrate(database, log);
  const secret = config.sessionSecret ?? (await loadOrCreateSecret(database, randomToken(48)));
  return { database, config, secret, now: () => new Date() };
}

export async function startServer(config: Config, log: (m: string) => void = console.log) {
  const deps = await createDeps(config, log);
  const app = buildApp(deps);
  // Every instance ticks the job scheduler; job ids and SKIP LOCKED claims keep runs single.
  const jobs = createScheduler(deps, { log });
  jobs.start();
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log(`Seguimiento listening on http://localhost:${port} (${deps.database.engine}${deps.database.engine === 'pglite' ? ` in ${config.dataDir}` : ''})`);
  return {
    port,
    deps,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await jobs.stop();
      await deps.database.close();
    },
  };
}
