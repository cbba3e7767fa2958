import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { rebuildMetricRollups } from '../db/queries/metrics/rollups.js';
import { fieldError } from '../domain/errors.js';

/**
 * `seguimiento metrics rebuild [--workspace <id>]`: recomputes the daily rollups (migration 0014)
 * from raw rows, one workspace per transaction. Triggers keep them current on every write; this is
 * for data restored or loaded with triggers disabled. Safe to run while the app serves.
 */
export async function runMetrics(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'rebuild') throw fieldError('command', 'unknown', 'Usage: seguimiento metrics rebuild [--workspace <id>]');
  const { values } = parseArgs({ args: rest, options: { workspace: { type: 'string' } } });
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db);
    for (const r of await rebuildMetricRollups(db, values.workspace)) console.log(`workspace ${r.workspaceId}: rollups rebuilt in ${r.seconds.toFixed(1)} s`);
  } finally {
    await db.close();
  }
}
